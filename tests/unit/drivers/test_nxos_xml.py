from lxml import etree

from psvm_listener import plan
from psvm_listener import vlans
from psvm_listener.drivers import nxos_xml

RUNNING = '''!Command: show running-config interface Ethernet1/1-2,port-channel20
version 7.3(0)N1(1)

interface Ethernet1/1
  switchport mode trunk
  switchport trunk allowed vlan 1,10-20
  switchport trunk allowed vlan add 597,600-610

interface Ethernet1/2
  switchport mode trunk

interface port-channel20
  switchport trunk allowed vlan none

------- STP Global Info -------
Total ports*vlans : 1234
Max ports*vlans   : 32000
'''


def test_every_interface_block_is_read_with_its_continuation_lines():
    configs = nxos_xml.interface_configs(RUNNING)
    assert sorted(configs) == ['ethernet1/1', 'ethernet1/2', 'port-channel20']
    assert vlans.allowed_from_config(configs['ethernet1/1']) == (
        {1, 597} | set(range(10, 21)) | set(range(600, 611)))
    assert vlans.allowed_from_config(configs['ethernet1/2']) is vlans.ALL
    assert vlans.allowed_from_config(configs['port-channel20']) == frozenset()


def test_lif_figures_are_read():
    assert nxos_xml.lif_figures(RUNNING) == (1234, 32000)


def test_show_command_names_many_ports_as_ranges():
    assert nxos_xml.show_interfaces_command(
        ['ethernet1/1', 'ethernet1/2', 'ethernet1/3', 'ethernet1/9', 'ethernet101/1/7',
         'ethernet101/1/8', 'port-channel20']) == (
        'show running-config interface '
        'ethernet1/1-3,ethernet1/9,ethernet101/1/7-8,port-channel20')


def test_edit_config_creates_then_replaces_then_adds_then_removes():
    the_plan = plan.Plan(
        changes=(plan.PortChange('port-channel20', replace=frozenset({1, 5})),
                 plan.PortChange('ethernet101/1/7', add=frozenset({7}),
                                 remove=frozenset({8}))),
        create=frozenset({5, 7}))
    config = nxos_xml.edit_config(the_plan, 64, 512)
    steps = [(e.getparent().tag, e.tag, e.text) for e in config.iter()
             if e.text and e.tag not in ('interface',)]
    assert steps == [('vlan-id-create-delete', '__XML__PARAM_value', '5,7'),
                     ('state', 'vstate', 'active'),
                     ('vlan', 'vlan_id', '1,5'),
                     ('add', 'add-vlans', '7'),
                     ('remove', 'remove-vlans', '8')]
    modes = [e.tag for e in config.iter() if e.tag.startswith('__XML__MODE_if')]
    assert modes == ['__XML__MODE_if-eth-port-channel-switch', '__XML__MODE_if-ethernet-switch',
                     '__XML__MODE_if-ethernet-switch']
    assert b'<interface>101/1/7</interface>' in etree.tostring(config)
    assert b'<no><shutdown/></no></__XML__MODE_vlan>' in etree.tostring(config)


def test_edit_config_splits_lists_to_the_device_limits():
    odd = frozenset(range(1, 200, 2))
    config = nxos_xml.edit_config(plan.Plan(changes=(plan.PortChange('ethernet1/1', add=odd),)),
                                  max_items=40, max_chars=1000)
    parts = [e.text for e in config.iter('add-vlans')]
    assert [len(p.split(',')) for p in parts] == [40, 40, 20]
    assert frozenset().union(*(vlans.parse(p) for p in parts)) == odd
