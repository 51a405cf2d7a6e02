import types

import pytest

from nexus_sim import model
from nexus_sim import show
from nexus_sim.tests.readback import allowed_from_config


@pytest.fixture
def switch():
    state = model.SwitchState(model.switch_ports('1/1-2', fex=(101,), port_channels=(20,)))
    return types.SimpleNamespace(state=state, renderer=show.InterfaceRenderer(), name='lab1')


def test_a_port_allowing_all_has_no_allowed_line(switch):
    text = show.run(switch, 'show running-config interface ethernet1/1')
    assert 'interface Ethernet1/1\n  switchport mode trunk\n' in text
    assert 'allowed' not in text


def test_none_and_compressed_ranges(switch):
    switch.state.apply([model.Change('set', 'ethernet1/1', frozenset()),
                        model.Change('set', 'port-channel20', frozenset({10, 11, 12, 40}))])
    text = show.run(switch, 'show running-config interface e1/1,po20')
    assert '  switchport trunk allowed vlan none\n' in text
    assert 'interface port-channel20\n' in text
    assert '  switchport trunk allowed vlan 10-12,40\n' in text


def test_long_lists_wrap_into_add_lines_that_read_back(switch):
    wanted = frozenset(range(2, 1200, 3))
    switch.state.apply([model.Change('set', 'ethernet101/1/7', wanted)])
    text = show.run(switch, 'show running-config interface Ethernet101/1/7')
    lines = [line for line in text.splitlines() if 'allowed vlan' in line]
    assert len(lines) > 10
    assert all(line.startswith('  switchport trunk allowed vlan add ') for line in lines[1:])
    assert all(len(line) <= 82 for line in lines)
    assert allowed_from_config(text) == wanted


def test_interface_ranges_and_the_whole_running_config(switch):
    assert show.run(switch, 'show running-config interface ethernet101/1/1-48').count(
        'interface Ethernet101/1/') == 48
    whole = show.run(switch, 'show running-config')
    assert whole.count('\ninterface ') == 2 + 48 + 1
    assert 'hostname lab1' in whole
    assert '\nvlan 1\n' in whole


def test_rendering_follows_changes(switch):
    show.run(switch, 'show running-config')
    switch.state.apply([model.Change('set', 'ethernet1/2', frozenset({7}))])
    assert 'allowed vlan 7\n' in show.run(switch, 'show running-config')


def test_vlan_brief_and_spanning_tree_usage(switch):
    switch.state.apply([model.Change('vlan-create', None, frozenset({10, 11})),
                        model.Change('set', 'ethernet1/1', frozenset({10}))])
    brief = show.run(switch, 'show vlan brief')
    assert '\n10   VLAN0010 ' in brief and '\n1    default ' in brief
    usage = show.run(switch, 'show  spanning-tree internal info global')
    assert f'Total ports*vlans : {switch.state.lif_usage()}\n' in usage
    assert switch.state.lif_usage() == 1 + 50 * 3


def test_inventory_lists_chassis_and_fex(switch):
    text = show.run(switch, 'show inventory')
    assert 'NAME: "Chassis"' in text and 'NAME: "FEX 101 CHASSIS"' in text


def test_copy_running_config_saves_it(switch):
    switch.state.apply([model.Change('set', 'ethernet1/1', frozenset({5}))])
    assert 'Copy complete' in show.run(switch, 'copy running-config startup-config')
    switch.state.apply([model.Change('set', 'ethernet1/1', frozenset({6}))])
    switch.state.reboot()
    assert switch.state.allowed('ethernet1/1') == {5}


@pytest.mark.parametrize('command, message', [
    ('show clock', 'unknown command'),
    ('show running-config interface ethernet9/9', 'no such port'),
    ('show running-config interface bogus', 'Invalid interface'),
])
def test_bad_commands_are_refused(switch, command, message):
    with pytest.raises(show.CommandError, match=message):
        show.run(switch, command)


def test_vlan_state_shows_in_vlan_brief_and_running_config(switch):
    switch.state.apply([model.Change('vlan-create', None, frozenset({10, 11, 12, 13})),
                        model.Change('vlan-suspend', None, frozenset({11, 13})),
                        model.Change('vlan-shutdown', None, frozenset({12, 13}))])
    brief = show.run(switch, 'show vlan brief')
    assert '\n10   VLAN0010                         active    ' in brief
    assert '\n11   VLAN0011                         suspended ' in brief
    assert '\n12   VLAN0012                         act/lshut ' in brief
    assert '\n13   VLAN0013                         sus/lshut ' in brief
    config = show.run(switch, 'show running-config')
    assert ('vlan 1,10-13\nvlan 11\n  state suspend\nvlan 12\n  shutdown\n'
            'vlan 13\n  state suspend\n  shutdown\n') in config
