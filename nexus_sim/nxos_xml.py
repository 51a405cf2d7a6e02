"""NX-OS NETCONF XML: requests into changes and commands, replies out of CLI text.

Element namespaces are ignored, as NX-OS does in practice: the forms are
recognised by local names (DESIGN.md §6).
"""

from typing import NamedTuple

from lxml import etree

from nexus_sim import interfaces as port_names
from nexus_sim import model

BASE_NS = 'urn:ietf:params:xml:ns:netconf:base:1.0'
NXOS_NS = 'http://www.cisco.com/nxos:1.0'

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          remove_blank_text=True)

_INTERFACE_MODES = {
    'ethernet': '__XML__MODE_if-ethernet-switch',
    'port-channel': '__XML__MODE_if-eth-port-channel-switch',
}


class MalformedRpc(model.EditRejected):
    """A message that is not well-formed XML or not an <rpc>."""


class Rpc(NamedTuple):
    """One request: its message-id, other <rpc> attributes, operation name and element."""

    message_id: str | None
    attributes: dict
    kind: str
    operation: object


def local(element):
    return etree.QName(element).localname


def children(element):
    """Element children, skipping comments and processing instructions."""
    return [child for child in element if isinstance(child.tag, str)]


def child(element, name):
    for node in children(element):
        if local(node) == name:
            return node
    return None


def parse_rpc(message):
    try:
        root = etree.fromstring(message, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedRpc(f'malformed XML: {exc}')
    if local(root) == 'hello':
        return Rpc(None, {}, 'hello', root)
    if local(root) != 'rpc':
        raise MalformedRpc(f'expected <rpc>, got <{local(root)}>')
    operations = children(root)
    if len(operations) != 1:
        raise MalformedRpc(f'<rpc> holds {len(operations)} operations, expected one')
    attributes = {k: v for k, v in root.attrib.items() if k != 'message-id'}
    return Rpc(root.get('message-id'), attributes, local(operations[0]), operations[0])


def edit_changes(operation, limits):
    """The changes an <edit-config> asks for, in document order."""
    target = child(operation, 'target')
    if target is None or child(target, 'running') is None:
        raise model.EditRejected('edit-config: only the running datastore can be edited')
    changes = []
    for item in children(_exec_configure(child(operation, 'config'))):
        changes.extend(_config_item(item, limits))
    return changes


def _exec_configure(config):
    configure = child(config, 'configure') if config is not None else None
    mode = child(configure, '__XML__MODE__exec_configure') if configure is not None else None
    if mode is None:
        raise model.EditRejected(
            'edit-config: expected <config><configure><__XML__MODE__exec_configure>')
    return mode


def _config_item(item, limits):
    name = local(item)
    if name == 'interface':
        return [change for kind in children(item) for change in _interface(kind, limits)]
    if name == 'vlan':
        ids = _vlan_ids(item, limits)
        mode = child(child(item, 'vlan-id-create-delete'), '__XML__MODE_vlan')
        settings = [] if mode is None else [_vlan_setting(node) for node in children(mode)]
        return [model.Change('vlan-create', None, ids)] + [
            setting(ids) for setting in settings]
    if name == 'no' and [local(c) for c in children(item)] == ['vlan']:
        return [model.Change('vlan-delete', None, _vlan_ids(child(item, 'vlan'), limits))]
    raise model.EditRejected(f'edit-config: unsupported configuration <{name}>')


def _vlan_setting(node):
    """One command in VLAN mode, as a function of the VLAN ids: ``state
    active|suspend``, ``shutdown``, ``no shutdown`` (the 2014 driver's forms:
    <state><vstate>, <shutdown/>, <no><shutdown/>)."""
    name = local(node)
    if name == 'state':
        state = (_path(node, 'vstate').text or '').strip().lower()
        return lambda ids: model.vlan_state_change(state, ids)
    if name == 'shutdown' and not children(node):
        return lambda ids: model.Change('vlan-shutdown', None, ids)
    if name == 'no' and [local(c) for c in children(node)] == ['shutdown']:
        return lambda ids: model.Change('vlan-no-shutdown', None, ids)
    raise model.EditRejected(f'edit-config: unsupported VLAN command <{name}>')


def _vlan_ids(vlan, limits):
    value = _path(vlan, 'vlan-id-create-delete', '__XML__PARAM_value')
    return model.parse_list(value.text, limits)


def _path(element, *names):
    """The descendant along ``names``, or EditRejected naming the missing step."""
    for name in names:
        found = child(element, name)
        if found is None:
            raise model.EditRejected(f'edit-config: <{local(element)}> lacks <{name}>')
        element = found
    return element


def _interface(kind_element, limits):
    kind = local(kind_element)
    if kind not in _INTERFACE_MODES:
        raise model.EditRejected(f'edit-config: unsupported interface type <{kind}>')
    number = _path(kind_element, 'interface').text or ''
    try:
        port = port_names.normalise(number if number.strip()[:1].isalpha()
                                    else kind + number.strip())
    except port_names.InvalidPortName as exc:
        raise model.EditRejected(f'Invalid interface: {exc}')
    mode = _path(kind_element, _INTERFACE_MODES[kind])
    return [_allowed_change(port, _path(switchport, 'trunk', 'allowed', 'vlan'), limits)
            for switchport in _only(mode, 'switchport')]


def _only(element, name):
    found = children(element)
    strangers = [local(node) for node in found if local(node) != name]
    if strangers:
        raise model.EditRejected(f'edit-config: unsupported interface command <{strangers[0]}>')
    return found


def _allowed_change(port, vlan, limits):
    """switchport trunk allowed vlan [add|remove] LIST | none | all."""
    steps = children(vlan)
    if len(steps) != 1:
        raise model.EditRejected('edit-config: <allowed><vlan> needs exactly one of '
                                 'add, remove, vlan_id, none, all')
    step = steps[0]
    name = local(step)
    if name in ('add', 'remove'):
        lists = children(step)
        if len(lists) != 1 or local(lists[0]) not in (f'{name}-vlans', 'vlan_id', 'vlan'):
            raise model.EditRejected(f'edit-config: <{name}> needs one <{name}-vlans>')
        return model.Change(name, port, model.parse_list(lists[0].text, limits))
    if name in ('vlan_id', 'allow-vlans'):
        return model.Change('set', port, model.parse_list(step.text, limits))
    if name in ('none', 'all'):
        return model.Change('set', port, model.parse_list(name, limits))
    raise model.EditRejected(f'edit-config: unsupported allowed-vlan form <{name}>')


def commands(rpc):
    """The CLI commands a read asks for: <get> with a <show> or <cmd> filter,
    or <exec-command> with one or more <cmd>s."""
    if rpc.kind == 'exec-command':
        cmds = [node.text or '' for node in children(rpc.operation) if local(node) == 'cmd']
    else:
        cmds = _filter_commands(child(rpc.operation, 'filter'))
    if not cmds:
        raise model.EditRejected(f'{rpc.kind}: no command found in the request')
    return cmds


def _filter_commands(filter_element):
    if filter_element is None:
        raise model.EditRejected('get: a <filter> with <show> or <cmd> is required')
    cmds = []
    for node in children(filter_element):
        if local(node) == 'cmd':
            cmds.append(node.text or '')
        elif local(node) == 'show':
            cmds.append(' '.join(_words(node)))
        else:
            raise model.EditRejected(f'get: unsupported filter <{local(node)}>')
    return cmds


def _words(element):
    """<show><running-config><interface/><interface>e1/19</interface>... as CLI words:
    an empty element says its name, an element with text says the text."""
    text = (element.text or '').strip()
    words = [text] if text else ([] if local(element).startswith('__XML__')
                                 else [local(element)])
    for node in children(element):
        words.extend(_words(node))
    return words


def _reply(rpc, body):
    attributes = ''.join(f' {k}="{_escape(v)}"' for k, v in rpc.attributes.items()
                         if not k.startswith('{'))
    message_id = '' if rpc.message_id is None else f' message-id="{_escape(rpc.message_id)}"'
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rpc-reply xmlns="{BASE_NS}" '
            f'xmlns:nxos="{NXOS_NS}"{message_id}{attributes}>{body}</rpc-reply>').encode()


def _escape(text):
    return (text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            .replace('"', '&quot;'))


def ok_reply(rpc):
    return _reply(rpc, '<ok/>')


def data_reply(rpc, text):
    return _reply(rpc, f'<data>{_escape(text)}</data>')


def error_reply(rpc, message, tag='operation-failed', error_type='application'):
    return _reply(rpc, f'<rpc-error><error-type>{error_type}</error-type>'
                       f'<error-tag>{tag}</error-tag><error-severity>error</error-severity>'
                       f'<error-message xml:lang="en">{_escape(message)}</error-message>'
                       '</rpc-error>')


def hello(session_id):
    """The server's hello: NETCONF base 1.0 only, so clients keep ]]>]]> framing."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<hello xmlns="{BASE_NS}"><capabilities>'
            '<capability>urn:ietf:params:netconf:base:1.0</capability>'
            '<capability>urn:ietf:params:netconf:capability:writable-running:1.0</capability>'
            '<capability>urn:ietf:params:netconf:capability:rollback-on-error:1.0</capability>'
            f'</capabilities><session-id>{session_id}</session-id></hello>').encode()
