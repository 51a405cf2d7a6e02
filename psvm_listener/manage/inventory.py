"""psvm-manage inventory: the VLANs nova says each compute host needs."""

import sys

from psvm_listener import conf
from psvm_listener import inventory as nova_inventory
from psvm_listener import vlans
from psvm_listener.db import api
from psvm_listener.manage import output


def add_parsers(subparsers):
    parser = subparsers.add_parser(
        'inventory', help='print the VLANs each compute host needs, read from nova')
    parser.add_argument('--host', action='append', metavar='HOST', dest='compute_host',
                        help='only this compute host; repeat for more '
                             '(default: every host with a switchport binding)')
    output.add_format_argument(parser)
    parser.set_defaults(func=print_inventory)


def print_inventory(args):
    inventory = nova_inventory.Inventory.from_config(conf.CONF)
    try:
        hosts = args.compute_host if args.compute_host else _bound_hosts(inventory)
        needs = inventory.vlans_by_host(hosts)
    finally:
        inventory.close()
    output.emit(args.format, ('host', 'vlans'),
                [(host, vlans.format(needs[host])) for host in sorted(needs)],
                {host: sorted(needs[host]) for host in needs})
    return 0


def _bound_hosts(inventory):
    """The service hosts of every compute node a live binding names."""
    with api.Database(conf.CONF.database.connection) as database:
        node_ids = {binding['compute_node_id'] for binding in database.list_bindings()}
    hosts = inventory.hosts_of_compute_nodes(node_ids)
    for node_id in sorted(node_ids - set(hosts)):
        print(f'psvm-manage: warning: compute node {node_id} has bindings but is not '
              f'a live compute node in nova', file=sys.stderr)
    return sorted(set(hosts.values()))
