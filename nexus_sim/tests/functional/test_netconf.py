"""The lab switch driven by ncclient's nexus device handler over real SSH."""

import threading

import paramiko
import pytest
from ncclient import operations
from ncclient import transport

from nexus_sim import show
from nexus_sim import vlans
from nexus_sim.client import RawNetconfClient
from nexus_sim.tests.functional.conftest import add
from nexus_sim.tests.functional.conftest import configure
from nexus_sim.tests.functional.conftest import connect
from nexus_sim.tests.functional.conftest import create_vlans
from nexus_sim.tests.functional.conftest import running_config_filter
from nexus_sim.tests.functional.conftest import trunk
from nexus_sim.tests.readback import allowed_from_config
from nexus_sim.vlans import ALL


def read_allowed(session, port):
    reply = session.get(filter=running_config_filter(port))
    return allowed_from_config(reply.data_xml)


def test_hello_offers_netconf_1_0_only(nexus):
    assert list(nexus.server_capabilities).count('urn:ietf:params:netconf:base:1.0') == 1
    assert 'urn:ietf:params:netconf:base:1.1' not in nexus.server_capabilities
    assert int(nexus.session_id) > 0


@pytest.mark.parametrize('subsystem', ['xmlagent', 'netconf'])
def test_both_subsystems_answer(lab_switch, subsystem):
    with connect(lab_switch.address, ssh_subsystem_name=subsystem) as session:
        assert session._session._channel_name.startswith(subsystem)
        assert read_allowed(session, 'ethernet1/1') is ALL


def test_other_subsystems_are_refused(lab_switch):
    with pytest.raises(paramiko.SSHException):
        RawNetconfClient(lab_switch.address, 'admin', 'secret', subsystem='sftp')


def test_add_remove_replace_and_none(lab_switch, nexus):
    nexus.edit_config(target='running', config=trunk('1/19', '<vlan_id>10</vlan_id>'))
    nexus.edit_config(target='running', config=add('1/19', '11-12,40'))
    assert read_allowed(nexus, 'ethernet1/19') == {10, 11, 12, 40}
    nexus.edit_config(target='running', config=trunk(
        '1/19', '<remove><remove-vlans>11,40</remove-vlans></remove>'))
    nexus.edit_config(target='running', config=trunk(
        '1/19', '<add><vlan_id>50</vlan_id></add>'))
    assert read_allowed(nexus, 'Eth1/19') == {10, 12, 50}
    nexus.edit_config(target='running', config=trunk('1/19', '<vlan_id>none</vlan_id>'))
    reply = nexus.get(filter=running_config_filter('ethernet1/19'))
    assert 'switchport trunk allowed vlan none' in reply.data_xml
    assert lab_switch.allowed('ethernet1/19') == frozenset()


def test_fex_and_port_channel_ports(lab_switch, nexus):
    nexus.edit_config(target='running', config=trunk(
        '20', '<vlan_id>30-31</vlan_id>', 'port-channel',
        '__XML__MODE_if-eth-port-channel-switch'))
    nexus.edit_config(target='running', config=trunk('102/1/48', '<vlan_id>32</vlan_id>'))
    assert lab_switch.allowed('po20') == {30, 31}
    assert read_allowed(nexus, 'ethernet102/1/48') == {32}


def test_a_long_list_is_read_back_whole(nexus):
    wanted = frozenset(range(100, 1300, 2))
    nexus.edit_config(target='running', config=trunk('1/1', '<vlan_id>none</vlan_id>'))
    for part in vlans.wrap(wanted, 250, 250):
        nexus.edit_config(target='running', config=add('1/1', part))
    text = nexus.get(filter=('subtree', '<cmd>show running-config interface e1/1</cmd>')
                     ).data_xml
    assert 'switchport trunk allowed vlan add ' in text
    assert allowed_from_config(text) == wanted


def test_vlan_create_delete_and_vlan_brief(lab_switch, nexus):
    nexus.edit_config(target='running', config=create_vlans('10-12'))
    nexus.edit_config(target='running', config=configure(
        '<no><vlan><vlan-id-create-delete><__XML__PARAM_value>11</__XML__PARAM_value>'
        '</vlan-id-create-delete></vlan></no>'))
    assert lab_switch.vlans() == {1, 10, 12}
    brief = nexus.exec_command(['show vlan brief']).xml
    assert 'VLAN0012' in brief and 'VLAN0011' not in brief


def test_a_suspended_or_shut_vlan_passes_no_traffic(lab_switch, nexus):
    nexus.edit_config(target='running', config=trunk('1/1', '<vlan_id>10-12</vlan_id>'))
    nexus.edit_config(target='running', config=configure(
        '<vlan><vlan-id-create-delete><__XML__PARAM_value>10-12</__XML__PARAM_value>'
        '<__XML__MODE_vlan><state><vstate>suspend</vstate></state></__XML__MODE_vlan>'
        '</vlan-id-create-delete></vlan>'
        '<vlan><vlan-id-create-delete><__XML__PARAM_value>11</__XML__PARAM_value>'
        '<__XML__MODE_vlan><state><vstate>active</vstate></state><shutdown/>'
        '</__XML__MODE_vlan></vlan-id-create-delete></vlan>'))
    assert lab_switch.passing('ethernet1/1') == frozenset()
    brief = nexus.exec_command(['show vlan brief']).xml
    assert 'VLAN0010                         suspended' in brief
    assert 'VLAN0011                         act/lshut' in brief
    nexus.edit_config(target='running', config=configure(
        '<vlan><vlan-id-create-delete><__XML__PARAM_value>10-11</__XML__PARAM_value>'
        '<__XML__MODE_vlan><state><vstate>active</vstate></state><no><shutdown/></no>'
        '</__XML__MODE_vlan></vlan-id-create-delete></vlan>'))
    assert lab_switch.passing('ethernet1/1') == {10, 11}


def test_exec_command_runs_several_commands(lab_switch, nexus):
    nexus.edit_config(target='running', config=create_vlans('10'))
    reply = nexus.exec_command(['show spanning-tree internal info global',
                                'show inventory', 'show running-config'])
    assert f'Total ports*vlans : {2 * 145}' in reply.xml
    assert 'FEX 102 CHASSIS' in reply.xml
    assert reply.xml.count('interface Ethernet') == 144


def test_overlong_lists_are_refused_and_change_nothing(lab_switch, nexus):
    too_many = ','.join(str(v) for v in range(2, 2 + 2 * 65, 2))
    with pytest.raises(operations.RPCError, match='65 items'):
        nexus.edit_config(target='running', config=add('1/1', too_many))
    too_long = ','.join(f'{v}-{v + 1}' for v in range(1000, 1000 + 3 * 60, 3))
    with pytest.raises(operations.RPCError, match='characters'):
        nexus.edit_config(target='running', config=add('1/1', too_long))
    assert lab_switch.allowed('ethernet1/1') is ALL
    assert lab_switch.journal() == []


def test_an_edit_is_all_or_nothing(lab_switch, nexus):
    body = (create_vlans('10')[:-len('</__XML__MODE__exec_configure></configure></config>')]
            + '<interface><ethernet><interface>1/1</interface>'
            '<__XML__MODE_if-ethernet-switch><switchport><trunk><allowed><vlan>'
            '<vlan_id>10</vlan_id></vlan></allowed></trunk></switchport>'
            '</__XML__MODE_if-ethernet-switch></ethernet></interface>'
            '<interface><ethernet><interface>9/9</interface>'
            '<__XML__MODE_if-ethernet-switch><switchport><trunk><allowed><vlan>'
            '<vlan_id>10</vlan_id></vlan></allowed></trunk></switchport>'
            '</__XML__MODE_if-ethernet-switch></ethernet></interface>'
            '</__XML__MODE__exec_configure></configure></config>')
    with pytest.raises(operations.RPCError, match='ethernet9/9'):
        nexus.edit_config(target='running', config=body)
    assert lab_switch.vlans() == {1}
    assert lab_switch.allowed('ethernet1/1') is ALL
    nexus.edit_config(target='running', config=body.replace('9/9', '1/2'))
    assert lab_switch.allowed('ethernet1/2') == {10}


def test_an_edit_past_the_lif_limit_is_refused(lab_switch, nexus):
    usage = lab_switch.lif_usage()
    assert usage == 145
    with pytest.raises(operations.RPCError, match='logical interface limit'):
        nexus.edit_config(target='running', config=create_vlans('2-300'))
    assert lab_switch.lif_usage() == usage
    assert lab_switch.vlans() == {1}


def test_reserved_vlans_are_refused(nexus):
    with pytest.raises(operations.RPCError, match='reserved'):
        nexus.edit_config(target='running', config=create_vlans('4000'))


def test_eight_sessions_at_most(lab_switch):
    sessions = [connect(lab_switch.address) for _ in range(8)]
    try:
        assert lab_switch.sessions() == 8
        with pytest.raises(transport.TransportError) as raised:
            connect(lab_switch.address)
        assert 'xml session exceeded max allowed' in str(raised.value)
        sessions.pop().close_session()
        lab_switch.wait_for(lambda: lab_switch.sessions() == 7, 5)
        sessions.append(connect(lab_switch.address))
        assert read_allowed(sessions[-1], 'ethernet1/1') is ALL
    finally:
        for session in sessions:
            session.close_session()
    lab_switch.wait_for(lambda: lab_switch.sessions() == 0, 5)


def test_malformed_xml_and_unknown_operations_get_rpc_errors(lab_switch):
    with RawNetconfClient(lab_switch.address, 'admin', 'secret') as client:
        client.send(b'<rpc message-id="1"><get>')
        assert b'<error-tag>malformed-message</error-tag>' in client.receive()
        reply = client.rpc(b'<get-schema/>')
        assert b'<error-tag>operation-not-supported</error-tag>' in reply
        reply = client.rpc(b'<get><filter><cmd>show clock</cmd></filter></get>')
        assert b'unknown command' in reply
        reply = client.rpc(b'<get><filter><cmd>show inventory</cmd></filter></get>')
        assert b'Nexus5548' in reply
    assert lab_switch.rpc_counts()['malformed'] == 1


def test_wrong_password_is_refused(lab_switch):
    with pytest.raises(transport.AuthenticationError):
        connect(lab_switch.address, password='wrong')


def test_copy_running_config_then_reboot(lab_switch):
    session = connect(lab_switch.address)
    session.edit_config(target='running', config=trunk('1/3', '<vlan_id>5</vlan_id>'))
    session.exec_command(['copy running-config startup-config'])
    session.edit_config(target='running', config=trunk('1/3', '<vlan_id>6</vlan_id>'))
    lab_switch.reboot()
    assert lab_switch.allowed('ethernet1/3') == {5}
    lab_switch.wait_for(lambda: lab_switch.sessions() == 0, 5)
    with pytest.raises(transport.TransportError):
        session.exec_command(['show inventory'])
    with connect(lab_switch.address) as session:
        assert read_allowed(session, 'ethernet1/3') == {5}


def test_drift_shows_on_the_wire(lab_switch, nexus):
    lab_switch.create_vlans({10, 11})
    lab_switch.set_allowed('Eth101/1/1', {10, 11})
    assert read_allowed(nexus, 'ethernet101/1/1') == {10, 11}
    assert [e['source'] for e in lab_switch.journal()] == ['operator', 'operator']


def test_journal_and_rpc_counts(lab_switch, nexus):
    nexus.edit_config(target='running', config=add('1/5', '7'))
    nexus.get(filter=running_config_filter('ethernet1/5'))
    nexus.exec_command(['show vlan brief'])
    (entry,) = lab_switch.journal()
    assert (entry['port'], entry['op'], entry['vlans']) == ('ethernet1/5', 'add', {7})
    assert lab_switch.rpc_counts() == {'edit-config': 1, 'get': 1, 'exec-command': 1}
    nexus.close_session()
    lab_switch.wait_for(lambda: lab_switch.sessions() == 0, 5)
    assert lab_switch.rpc_counts()['close-session'] == 1


def test_concurrent_sessions_edit_one_port_without_losing_a_change(lab_switch):
    sessions = [connect(lab_switch.address) for _ in range(8)]
    lab_switch.set_allowed('ethernet1/1', set())

    def add_each(session, first):
        for vlan in range(first, first + 80, 8):
            session.edit_config(target='running', config=add('1/1', str(vlan)))

    threads = [threading.Thread(target=add_each, args=(session, 10 + index))
               for index, session in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for session in sessions:
        session.close_session()
    assert lab_switch.allowed('ethernet1/1') == frozenset(range(10, 90))
    assert lab_switch.rpc_counts()['edit-config'] == 80


def test_stop_twice_is_harmless(lab_switch):
    lab_switch.stop()
    lab_switch.stop()
    with pytest.raises(transport.SSHError, match='Could not open socket'):
        connect(lab_switch.address)


def test_a_fault_inside_the_switch_is_an_rpc_error_not_a_dead_session(nexus, monkeypatch):
    def broken(switch, command):
        raise RuntimeError('bug')

    monkeypatch.setattr(show, 'run', broken)
    with pytest.raises(operations.RPCError, match='internal error'):
        nexus.exec_command(['show inventory'])
    monkeypatch.undo()
    assert 'Nexus5548' in nexus.exec_command(['show inventory']).xml
