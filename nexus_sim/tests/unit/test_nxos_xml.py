import pytest
from lxml import etree

from nexus_sim import model
from nexus_sim import nxos_xml
from nexus_sim.vlans import ALL

LIMITS = model.Limits(max_list_items=8, max_list_chars=40)


def edit(body, target='<running/>'):
    return nxos_xml.parse_rpc(
        f'<rpc message-id="7" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><edit-config>'
        f'<target>{target}</target><config><configure><__XML__MODE__exec_configure>{body}'
        '</__XML__MODE__exec_configure></configure></config></edit-config></rpc>'.encode())


def trunk(step, kind='ethernet', number='1/19', mode='__XML__MODE_if-ethernet-switch'):
    return (f'<interface><{kind}><interface>{number}</interface><{mode}><switchport><trunk>'
            f'<allowed><vlan>{step}</vlan></allowed></trunk></switchport></{mode}></{kind}>'
            '</interface>')


def changes(body):
    return nxos_xml.edit_changes(edit(body).operation, LIMITS)


@pytest.mark.parametrize('step, expected', [
    ('<add><add-vlans>10-12,40</add-vlans></add>', ('add', {10, 11, 12, 40})),
    ('<add><vlan_id>10</vlan_id></add>', ('add', {10})),
    ('<remove><remove-vlans>10</remove-vlans></remove>', ('remove', {10})),
    ('<remove><vlan>10,11</vlan></remove>', ('remove', {10, 11})),
    ('<vlan_id>20-21</vlan_id>', ('set', {20, 21})),
    ('<vlan_id>none</vlan_id>', ('set', frozenset())),
    ('<none/>', ('set', frozenset())),
    ('<all/>', ('set', ALL)),
])
def test_trunk_allowed_forms(step, expected):
    (change,) = changes(trunk(step))
    assert (change.op, change.vlans) == expected
    assert change.port == 'ethernet1/19'


def test_port_channel_and_fex_ports():
    body = (trunk('<add><add-vlans>10</add-vlans></add>', 'port-channel', '20',
                  '__XML__MODE_if-eth-port-channel-switch')
            + trunk('<add><add-vlans>11</add-vlans></add>', number='101/1/7'))
    assert [c.port for c in changes(body)] == ['port-channel20', 'ethernet101/1/7']


def test_vlan_create_and_no_vlan_delete():
    body = ('<vlan><vlan-id-create-delete><__XML__PARAM_value>10-12</__XML__PARAM_value>'
            '<__XML__MODE_vlan/></vlan-id-create-delete></vlan>'
            '<no><vlan><vlan-id-create-delete><__XML__PARAM_value>30</__XML__PARAM_value>'
            '</vlan-id-create-delete></vlan></no>')
    assert changes(body) == [model.Change('vlan-create', None, frozenset({10, 11, 12})),
                             model.Change('vlan-delete', None, frozenset({30}))]


def test_namespaces_are_ignored():
    body = trunk('<add><add-vlans>10</add-vlans></add>').replace(
        '<interface>', '<interface xmlns="http://www.cisco.com/nxos:1.0:if_manager">', 1)
    assert changes(body)[0].vlans == {10}


@pytest.mark.parametrize('body, message', [
    (trunk('<add><add-vlans>10</add-vlans></add>', mode='__XML__MODE_if-ethernet'),
     'lacks <__XML__MODE_if-ethernet-switch>'),
    (trunk('<except>10</except>'), 'unsupported allowed-vlan form'),
    (trunk('<add><add-vlans>1,3,5,7,9,11,13,15,17</add-vlans></add>'), 'items'),
    (trunk('<add><add-vlans>5000</add-vlans></add>'), 'VLAN ids run 1-4094'),
    (trunk('<add><add-vlans/></add>'), 'VLAN list is empty'),
    (trunk('<add><add-vlans>10</add-vlans></add>', kind='vlan-interface'),
     'unsupported interface type'),
    (trunk('<add><add-vlans>10</add-vlans></add>', number='x/y'), 'Invalid interface'),
    ('<hostname>x</hostname>', 'unsupported configuration <hostname>'),
])
def test_bad_edits_are_refused_with_a_reason(body, message):
    with pytest.raises(model.EditRejected, match=message):
        changes(body)


def test_only_running_can_be_edited():
    with pytest.raises(model.EditRejected, match='running'):
        nxos_xml.edit_changes(edit('', target='<candidate/>').operation, LIMITS)


@pytest.mark.parametrize('message', [b'<rpc><get', b'<hello/', b'<foo/>',
                                     b'<rpc message-id="1"><get/><get/></rpc>'])
def test_malformed_messages_are_refused(message):
    with pytest.raises(nxos_xml.MalformedRpc):
        nxos_xml.parse_rpc(message)


@pytest.mark.parametrize('operation, expected', [
    ('<get><filter type="subtree"><show xmlns="http://www.cisco.com/nxos:1.0:vlan_mgr_cli">'
     '<running-config><interface/><interface>ethernet1/19</interface></running-config>'
     '</show></filter></get>', ['show running-config interface ethernet1/19']),
    ('<get><filter type="subtree"><show><vlan><brief/></vlan></show></filter></get>',
     ['show vlan brief']),
    ('<get><filter type="subtree"><cmd>show inventory</cmd></filter></get>',
     ['show inventory']),
    ('<nxos:exec-command xmlns:nxos="http://www.cisco.com/nxos:1.0"><nxos:cmd>show vlan brief'
     '</nxos:cmd><nxos:cmd>show inventory</nxos:cmd></nxos:exec-command>',
     ['show vlan brief', 'show inventory']),
])
def test_read_forms_become_cli_commands(operation, expected):
    rpc = nxos_xml.parse_rpc(f'<rpc message-id="1">{operation}</rpc>'.encode())
    assert nxos_xml.commands(rpc) == expected


def test_get_without_filter_is_refused():
    rpc = nxos_xml.parse_rpc(b'<rpc message-id="1"><get/></rpc>')
    with pytest.raises(model.EditRejected, match='filter'):
        nxos_xml.commands(rpc)


def test_replies_carry_message_id_and_escaped_text():
    rpc = nxos_xml.parse_rpc(b'<rpc message-id="a&amp;b" x="1"><get/></rpc>')
    reply = etree.fromstring(nxos_xml.data_reply(rpc, 'x < y & ]]>'))
    assert reply.get('message-id') == 'a&b'
    assert reply.get('x') == '1'
    assert reply.findtext(f'{{{nxos_xml.BASE_NS}}}data') == 'x < y & ]]>'


def test_error_reply_is_an_rpc_error():
    rpc = nxos_xml.parse_rpc(b'<rpc message-id="3"><get/></rpc>')
    reply = etree.fromstring(nxos_xml.error_reply(rpc, 'no <such> thing'))
    ns = {'nc': nxos_xml.BASE_NS}
    assert reply.xpath('string(nc:rpc-error/nc:error-message)', namespaces=ns) == \
        'no <such> thing'
    assert reply.xpath('string(nc:rpc-error/nc:error-tag)', namespaces=ns) == \
        'operation-failed'


def vlan_mode(vlan_list, commands):
    return ('<vlan><vlan-id-create-delete><__XML__PARAM_value>'
            f'{vlan_list}</__XML__PARAM_value><__XML__MODE_vlan>{commands}</__XML__MODE_vlan>'
            '</vlan-id-create-delete></vlan>')


@pytest.mark.parametrize('commands, ops', [
    ('<state><vstate>suspend</vstate></state>', ['vlan-create', 'vlan-suspend']),
    ('<state><vstate>active</vstate></state><no><shutdown/></no>',
     ['vlan-create', 'vlan-activate', 'vlan-no-shutdown']),
    ('<shutdown/>', ['vlan-create', 'vlan-shutdown']),
    ('', ['vlan-create']),
])
def test_vlan_state_and_shutdown_forms(commands, ops):
    found = changes(vlan_mode('10-11', commands))
    assert [change.op for change in found] == ops
    assert all(change.vlans == {10, 11} for change in found)


@pytest.mark.parametrize('commands, message', [
    ('<state><vstate>dormant</vstate></state>', 'not active or suspend'),
    ('<state/>', 'lacks <vstate>'),
    ('<mtu>9000</mtu>', 'unsupported VLAN command <mtu>'),
])
def test_bad_vlan_commands_are_refused(commands, message):
    with pytest.raises(model.EditRejected, match=message):
        model.SwitchState(['ethernet1/1']).apply(changes(vlan_mode('10', commands)))
