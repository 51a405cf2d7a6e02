import pytest

from tests import sync_rig


@pytest.fixture
def rig(tmp_path, lab_switch):
    """The lab switch bound to hosts in a real nova DB and PSVM DB (SQLite)."""
    with sync_rig.Rig(tmp_path, lab_switch) as rig:
        yield rig
