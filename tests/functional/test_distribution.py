"""The product's wheel, built as pip builds it, carries no switch simulator.

The lab switch is the nexus-sim distribution (``nexus_sim/``); psvm-lab, the
demo, drives it from outside.  A product host must never get an SSH server
with a default login by installing psvm-listener.
"""

import re

from tests import wheels

SERVER_CODE = re.compile(rb'ServerInterface|add_server_key\(|check_auth_password')


def test_the_product_wheel_holds_no_switch_simulator(tmp_path):
    wheel = wheels.build(tmp_path)
    modules = [name for name in wheel.namelist() if name.endswith('.py')]
    assert 'psvm_listener/service.py' in modules
    assert [name for name in modules if not name.startswith('psvm_listener/')] == []
    assert [name for name in modules if SERVER_CODE.search(wheel.read(name))] == []
    entry_points = next(name for name in wheel.namelist() if name.endswith('entry_points.txt'))
    assert b'nexus_sim' not in wheel.read(entry_points)
