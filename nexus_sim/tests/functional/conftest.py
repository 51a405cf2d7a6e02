import pytest
from ncclient import manager

NXOS_NS = 'http://www.cisco.com/nxos:1.0'


def connect(address, username='admin', password='secret', **device_params):
    """An ncclient session with the nexus device handler, as the driver opens one."""
    host, port = address
    return manager.connect(host=host, port=port, username=username, password=password,
                           device_params=dict({'name': 'nexus'}, **device_params),
                           hostkey_verify=False, look_for_keys=False, allow_agent=False,
                           timeout=10)


def configure(body):
    return ('<config><configure><__XML__MODE__exec_configure>'
            f'{body}</__XML__MODE__exec_configure></configure></config>')


def trunk(port_number, step, kind='ethernet', mode='__XML__MODE_if-ethernet-switch'):
    return configure(
        f'<interface><{kind}><interface>{port_number}</interface><{mode}><switchport><trunk>'
        f'<allowed><vlan>{step}</vlan></allowed></trunk></switchport></{mode}></{kind}>'
        '</interface>')


def add(port_number, vlan_list):
    return trunk(port_number, f'<add><add-vlans>{vlan_list}</add-vlans></add>')


def create_vlans(vlan_list):
    return configure('<vlan><vlan-id-create-delete><__XML__PARAM_value>'
                     f'{vlan_list}</__XML__PARAM_value><__XML__MODE_vlan/>'
                     '</vlan-id-create-delete></vlan>')


def running_config_filter(port):
    """The subtree filter the 2014 driver read one interface with (DESIGN.md §6)."""
    return ('subtree', '<show xmlns="http://www.cisco.com/nxos:1.0:vlan_mgr_cli">'
                       f'<running-config><interface/><interface>{port}</interface>'
                       '</running-config></show>')


@pytest.fixture
def nexus(lab_switch):
    """An ncclient session on the lab switch; closed after the test unless it was."""
    session = connect(lab_switch.address)
    yield session
    if session.connected:
        session.close_session()
