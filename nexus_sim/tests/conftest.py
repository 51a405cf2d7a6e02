import os

import hypothesis
import pytest

from nexus_sim import LabSwitch

# Property-based runs are replayable, as in psvm-listener's suite (this
# distribution's tests also run on their own): in CI (CI=true) every run
# draws the same examples; elsewhere a failure prints the blob that
# replays it, and pytest --hypothesis-seed=N replays a whole run.
hypothesis.settings.register_profile('ci', derandomize=True, print_blob=True)
hypothesis.settings.register_profile('dev', print_blob=True)
hypothesis.settings.load_profile(os.environ.get(
    'HYPOTHESIS_PROFILE', 'ci' if os.environ.get('CI') else 'dev'))


@pytest.fixture
def lab_switch():
    """A started lab Nexus switch (admin:secret; ports 1/1-48, FEX 101-102,
    port-channel20); stopped after the test."""
    with LabSwitch(users={'admin': 'secret'}, ports='1/1-48', fex=(101, 102),
                   port_channels=(20,)) as switch:
        yield switch
