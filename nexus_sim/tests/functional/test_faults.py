"""Each fault of the lab switch, as a client over real SSH sees it."""

import threading
import time

import pytest
from ncclient import operations
from ncclient import transport

from nexus_sim.tests.functional.conftest import add
from nexus_sim.tests.functional.conftest import connect
from nexus_sim.vlans import ALL


def test_latency_delays_every_reply(lab_switch, nexus):
    lab_switch.faults.latency = 0.3
    started = time.monotonic()
    nexus.exec_command(['show inventory'])
    assert time.monotonic() - started >= 0.3


def test_drop_after_answers_n_rpcs_then_drops_the_session(lab_switch, nexus):
    lab_switch.faults.drop_after(2)
    nexus.exec_command(['show inventory'])
    nexus.edit_config(target='running', config=add('1/1', '10'))
    with pytest.raises(transport.TransportError):
        nexus.edit_config(target='running', config=add('1/2', '10'))
    assert lab_switch.allowed('ethernet1/2') is ALL
    lab_switch.wait_for(lambda: lab_switch.sessions() == 0, 5)
    with connect(lab_switch.address) as session:
        session.edit_config(target='running', config=add('1/2', '10'))


def test_refuse_auth_fails_every_login(lab_switch):
    lab_switch.faults.refuse_auth = True
    with pytest.raises(transport.AuthenticationError):
        connect(lab_switch.address)
    lab_switch.faults.refuse_auth = False
    with connect(lab_switch.address) as session:
        assert session.connected


def test_stall_holds_replies_until_cleared(lab_switch, nexus):
    lab_switch.faults.stall = True
    nexus.timeout = 0.5
    with pytest.raises(operations.TimeoutExpiredError):
        nexus.exec_command(['show inventory'])
    lab_switch.faults.stall = False
    nexus.timeout = 10
    assert 'Total ports*vlans' in nexus.exec_command(
        ['show spanning-tree internal info global']).xml


def test_stall_holds_the_hello_of_new_sessions(lab_switch):
    lab_switch.faults.stall = True
    connected = []
    opener = threading.Thread(target=lambda: connected.append(connect(lab_switch.address)))
    opener.start()
    lab_switch.wait_for(lambda: lab_switch.sessions() == 1, 5)
    assert not connected
    lab_switch.faults.stall = False
    opener.join(10)
    assert connected[0].connected
    connected[0].close_session()


def test_fail_next_edits_fails_only_edits_and_only_k(lab_switch, nexus):
    lab_switch.faults.fail_next_edits(2)
    for port in ('1/1', '1/2'):
        with pytest.raises(operations.RPCError, match='injected fault'):
            nexus.edit_config(target='running', config=add(port, '10'))
        nexus.exec_command(['show inventory'])
    nexus.edit_config(target='running', config=add('1/3', '10'))
    assert [entry['port'] for entry in lab_switch.journal()] == ['ethernet1/3']


def test_refused_port_fails_every_edit_that_touches_it(lab_switch, nexus):
    lab_switch.faults.refused_ports = frozenset({'ethernet1/2'})
    with pytest.raises(operations.RPCError, match='ethernet1/2: Cannot configure port'):
        nexus.edit_config(target='running', config=add('1/2', '10'))
    nexus.edit_config(target='running', config=add('1/1', '10'))
    assert [entry['port'] for entry in lab_switch.journal()] == ['ethernet1/1']


def test_clear_ends_every_fault(lab_switch):
    faults = lab_switch.faults
    faults.latency, faults.refuse_auth, faults.stall = 1.0, True, True
    faults.drop_after(0)
    faults.fail_next_edits(3)
    faults.refused_ports = frozenset({'ethernet1/1'})
    faults.go_down(60)
    faults.clear()
    assert faults.describe() == {'latency': 0.0, 'refuse_auth': False, 'stall': False,
                                 'drop_after': None, 'fail_next_edits': 0,
                                 'refused_ports': [], 'down_for': 0.0}
    with connect(lab_switch.address) as session:
        session.edit_config(target='running', config=add('1/1', '10'))
