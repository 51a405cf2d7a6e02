import pytest

from nexus_sim import LabSwitch


@pytest.fixture
def lab_switch():
    """A started lab Nexus switch (admin:secret; ports 1/1-48, FEX 101-102,
    port-channel20); stopped after the test."""
    with LabSwitch(users={'admin': 'secret'}, ports='1/1-48', fex=(101, 102),
                   port_channels=(20,)) as switch:
        yield switch
