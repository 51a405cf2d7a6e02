import pytest

from tests import listener_rig


@pytest.fixture
def listening(tmp_path, lab_switch):
    """psvm-listener running over the lab switch; c1 on ethernet1/1, c2 on
    ethernet1/2, no instance yet."""
    with listener_rig.ListenerRig(tmp_path, lab_switch) as rig:
        rig.host('c1', 'ethernet1/1')
        rig.host('c2', 'ethernet1/2')
        yield rig.start()
