"""psvm-manage explain: why each VLAN of a port is there, will come, or will go.

For each VLAN a port should allow, the cases of nova's rule that make one of
its hosts need it (an instance and its uuid, the network's host association,
a multi-host DHCP address, a move in flight); for each VLAN the sync would
remove, that nothing needs it; for each it leaves alone, why.  The switch is
read once per port (a dry-run sync: nothing changes) and nova is asked per
case, so the answer is the sync's own verdict, with its reasons.
"""

from psvm_listener import conf
from psvm_listener import errors
from psvm_listener import inventory as nova_inventory
from psvm_listener import plugins
from psvm_listener import ports as port_names
from psvm_listener import vlans
from psvm_listener.db import api
from psvm_listener.manage import output
from psvm_listener.manage import sync as manage_sync

COLUMNS = ('switch_id', 'port', 'vlan', 'action', 'why')
ALLOWED, ADD, REMOVE, HELD_BACK, LEFT_ALONE = (
    'allowed', 'add', 'remove', 'held back', 'left alone')


def add_parsers(subparsers):
    parser = subparsers.add_parser(
        'explain', help='for each VLAN of a port: which network needs it and why, or '
                        'why it will be removed or left alone')
    parser.add_argument('--switch', type=int, metavar='ID', help='the switch (with --port)')
    parser.add_argument('--port', metavar='P', help='the port: ethernet1/19, e101/1/7, po20')
    parser.add_argument('--host', metavar='HOST', dest='compute_host',
                        help='every port bound to this compute host')
    output.add_format_argument(parser)
    parser.set_defaults(func=explain)


def explain(args):
    if bool(args.port) == bool(args.compute_host) or (args.port and args.switch is None):
        raise errors.Permanent('give --switch ID --port P, or --host H')
    database = api.Database.from_config()
    inventory = nova_inventory.Inventory.from_config(conf.CONF)
    plugin = plugins.load(conf.CONF, database, inventory)
    try:
        entries = [entry for switch_id, ports in _scope(database, inventory, args).items()
                   for port in ports
                   for entry in _explain_port(database, inventory, plugin, switch_id, port)]
    finally:
        plugin.close()
        inventory.close()
        database.close()
    if args.format == 'json':
        output.print_json(entries)
    else:
        output.print_table(COLUMNS, [
            (e['switch_id'], e['port'], e['vlan'], e['action'], _why(e)) for e in entries])
    return 0


def _scope(database, inventory, args):
    if args.compute_host:
        return manage_sync._scope(database, inventory, args.switch, args.compute_host)
    port = port_names.normalise(args.port)
    if not database.list_bindings(switch_id=args.switch) or port not in {
            b['switch_port'] for b in database.list_bindings(switch_id=args.switch)}:
        database.get_switch(args.switch)
        raise errors.Permanent(f'port {port} of switch {args.switch} is not bound to any '
                               f'compute node')
    return {args.switch: [port]}


def _explain_port(database, inventory, plugin, switch_id, port):
    """One entry per VLAN the port allows or should allow."""
    nodes = [b['compute_node_id'] for b in database.list_bindings(switch_id=switch_id)
             if b['switch_port'] == port]
    hosts = sorted(set(inventory.hosts_of_compute_nodes(nodes).values()))
    needs = {}
    for host, reasons in inventory.reasons(hosts).items():
        for vlan, why in reasons:
            needs.setdefault(vlan, []).append(dict(why, host=host))
    result = plugin.sync(switch_id, [port], dry_run=True)
    actual = result.before.get(port, frozenset())
    change = _change_of(result, port)
    forced = _change_of(plugin.sync(switch_id, [port], dry_run=True, force=True), port)
    held = '; '.join(r.message for r in result.refusals)
    listed = set(needs) | (set() if actual is vlans.ALL else set(actual))
    if change is not None:
        listed |= change.add | change.remove | (change.replace or frozenset())
    entries = []
    for vlan in sorted(listed):
        action = _action(vlan, actual, change, forced, vlan in needs, held)
        entries.append({'switch_id': switch_id, 'port': port, 'hosts': hosts, 'vlan': vlan,
                        'action': action, 'reasons': needs.get(vlan, []),
                        'held_back_by': held if action == HELD_BACK else None})
    return entries


def _change_of(result, port):
    return next((c for c in result.changes if c.port == port), None)


def _action(vlan, actual, change, forced, needed, held):
    """What the sync does with ``vlan``; ``forced``: the change a forced sync makes."""
    if change is not None and vlan in change.remove:
        return REMOVE
    if change is not None and vlan in change.add:
        return ADD
    if change is not None and change.replace is not None:
        after = change.replace
    else:
        after = actual
    if needed:
        if after is vlans.ALL or vlan in after:
            return ALLOWED
        return HELD_BACK if held else LEFT_ALONE
    if forced is not None and vlan in forced.remove:
        return HELD_BACK
    return LEFT_ALONE


def _why(entry):
    """The reasons in words, for the table."""
    if entry['reasons']:
        return '; '.join(_reason_text(why) for why in entry['reasons'])
    if entry['action'] == REMOVE:
        return f'nothing on {", ".join(entry["hosts"]) or "the port"} needs it'
    if entry['action'] == HELD_BACK:
        return f'nothing needs it; {entry["held_back_by"]}'
    return 'not psvm\'s to change: psvm_ignore_vlans, outside the managed VLANs, or reserved'


def _reason_text(why):
    network = f'network {why["network"]} (id {why["network_id"]})'
    reason = why['reason']
    if reason == nova_inventory.NETWORK_HOST:
        return f'{network} is associated with host {why["host"]}'
    if reason == nova_inventory.DHCP_ADDRESS:
        return f'{network} is multi_host: host {why["host"]} holds its DHCP address ' \
               f'{why["address"]}'
    if reason == nova_inventory.INSTANCE:
        return f'instance {why["instance_uuid"]} on host {why["host"]} has fixed IP ' \
               f'{why["address"]} in {network}'
    return (f'instance {why["instance_uuid"]} is moving from {why["source"]} to '
            f'{why["destination"]} (migration {why["status"]}) with fixed IP '
            f'{why["address"]} in {network}')
