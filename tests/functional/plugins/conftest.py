import pytest

from tests import sync_rig


@pytest.fixture
def rig(tmp_path, lab_switch, family):
    """The lab switch bound to hosts in a real nova DB and PSVM DB (SQLite), over
    each family's driver."""
    with sync_rig.Rig(tmp_path, lab_switch, family=family) as rig:
        yield rig
