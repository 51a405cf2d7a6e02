"""psvm-manage report: each switch's ports, VLANs, LIF budget and last sync.

Read from PSVM's database (what the last sync recorded) and nova's (what the
bound ports must allow), never from the switches: a report must answer at
once even while a switch hangs.  ``lif_usage`` is what the switch reported
at the start of its last sync; the next full sync brings it up to date.
``owner`` is the psvm-listener that syncs the switch, from the coordination
group's live members (empty without a coordination backend: one listener
syncs every switch).
``pending_plans`` are the ids of the syncs a guard refused, waiting for
``psvm-manage plan approve ID`` or ``discard ID``.  ``unsaved_changes``
tells whether the running configuration holds changes a reload would lose
(not yet copied to startup); ``booted_at`` is when the switch last booted,
as its last full sync read it.
"""

import os

from psvm_listener import conf
from psvm_listener import coordination
from psvm_listener import inventory as nova_inventory
from psvm_listener import vlans
from psvm_listener.db import api
from psvm_listener.manage import output

COLUMNS = ('switch_id', 'address', 'owner', 'ports', 'vlans', 'lif_usage', 'lif_limit',
           'lif_used_percent', 'last_sync_at', 'last_sync_result', 'drift',
           'unsaved_changes', 'booted_at', 'pending_plans')


def add_parsers(subparsers):
    parser = subparsers.add_parser(
        'report', help='per switch: bound ports, VLANs they allow, LIF usage against '
                       'the limit, last sync and the drift it repaired')
    output.add_format_argument(parser)
    parser.set_defaults(func=print_report)


def print_report(args):
    with api.Database(conf.CONF.database.connection) as database:
        switches = database.list_switches()
        bindings = database.list_bindings()
        pending = database.list_pending_plans()
    inventory = nova_inventory.Inventory.from_config(conf.CONF)
    try:
        needs = inventory.vlans_by_compute_node({b['compute_node_id'] for b in bindings})
    finally:
        inventory.close()
    ignored = frozenset(conf.CONF.psvm_ignore_vlans)
    members = coordination.group_members(conf.CONF,
                                         f'psvm-manage-{conf.CONF.host}-{os.getpid()}')
    owners = coordination.owners(members or (), [s['id'] for s in switches])
    rows = [_row(switch, owners[switch['id']],
                 [b for b in bindings if b['switch_id'] == switch['id']], needs, ignored)
            + (', '.join(str(p['id']) for p in pending if p['switch_id'] == switch['id']),)
            for switch in switches]
    output.emit(args.format, COLUMNS, rows)
    return 0


def _row(switch, owner, bindings, needs, ignored):
    """One switch; ``vlans`` is what its bound ports allow once in step with nova."""
    allowed = frozenset(ignored).union(
        *(needs.get(b['compute_node_id'], frozenset()) for b in bindings))
    limit = conf.CONF.psvm_lif_limit
    usage = switch['lif_usage']
    percent = None if usage is None else round(100 * usage / limit, 1)
    unsaved = switch['unsaved_since']
    return (switch['id'], f"{switch['ip']}:{switch['port']}", owner, len(bindings),
            vlans.format(allowed) if bindings else '', usage, limit, percent,
            switch['last_sync_at'], switch['last_sync_result'], switch['drift'],
            f'since {unsaved}' if unsaved else 'no', switch['booted_at'])
