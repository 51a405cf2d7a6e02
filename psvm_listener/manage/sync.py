"""psvm-manage plan / sync: the intelligent sync, one shot, without the service.

``plan`` reads nova and the switches and prints what a sync would change;
``sync --local`` applies it in this process, each switch under its
coordination lock when several listeners share the switches, so it never
edits a switch while a listener does; with ``[switches] save_config`` it
saves each changed switch's configuration at once (a one-shot run is one
burst).  Without ``--local``, ``sync`` asks the running listeners to do it
(an RPC cast) and returns at once.
"""

import contextlib
import os
import sys

from psvm_listener import conf
from psvm_listener import coordination
from psvm_listener import errors
from psvm_listener import inventory as nova_inventory
from psvm_listener import pending_plans
from psvm_listener import plan as plans_module
from psvm_listener import plugins
from psvm_listener import rpc
from psvm_listener import transport
from psvm_listener import vlans
from psvm_listener.db import api
from psvm_listener.manage import output

PENDING_VERBS = ('list', 'approve', 'discard')
PENDING_COLUMNS = ('id', 'switch_id', 'created_at', 'ports', 'changes', 'refused_because')
CHANGE_COLUMNS = ('switch_id', 'port', 'change')
SUMMARY_COLUMNS = ('switch_id', 'ports', 'changed', 'rpcs', 'seconds', 'lif_usage', 'refused',
                   'pending_plan')


def add_parsers(subparsers):
    plan = subparsers.add_parser(
        'plan', help='print what a sync would change on each port, touching nothing; '
                     'or list, approve or discard the plans a guard refused')
    _add_scope(plan)
    plan.add_argument('verb', nargs='?', choices=PENDING_VERBS,
                      help='list the pending plans, apply one once (approve), or discard it')
    plan.add_argument('id', nargs='?', type=int, help='pending plan id (approve, discard)')
    plan.set_defaults(func=print_plan)
    sync = subparsers.add_parser('sync', help='sync switch ports with nova now')
    _add_scope(sync)
    sync.add_argument('--local', action='store_true',
                      help='sync in this process instead of asking the listeners')
    sync.add_argument('--force', action='store_true',
                      help='apply removals beyond psvm_max_removal_ratio')
    sync.add_argument('--all', action='store_true',
                      help='every port of every switch (the default without '
                           '--host and --switch)')
    sync.set_defaults(func=run_sync)


def _add_scope(parser):
    parser.add_argument('--switch', type=int, metavar='ID',
                        help='only this switch (default: every switch)')
    parser.add_argument('--host', metavar='HOST', dest='compute_host',
                        help='only the ports bound to this compute host')
    output.add_format_argument(parser)


def print_plan(args):
    if args.verb is None:
        return _sync_each(args, dry_run=True, force=False)
    if args.verb == 'list':
        with api.Database.from_config() as database:
            plans = database.list_pending_plans(switch_id=args.switch)
        output.emit(args.format, PENDING_COLUMNS, [
            (p['id'], p['switch_id'], p['created_at'], ', '.join(p['ports']),
             '; '.join(f"{c['port']} {_described(c)}" for c in p['changes']),
             '; '.join(p['reasons'])) for p in plans], document=plans)
        return 0
    if args.id is None:
        raise errors.Permanent(f'plan {args.verb} needs the id of a pending plan')
    return _decide(args)


def _decide(args):
    """Approve (apply once) or discard one pending plan, as psvm-api does."""
    with api.Database.from_config() as database:
        if args.verb == 'discard':
            plan = pending_plans.discard(database, args.id)
            print(f'pending plan {plan["id"]} of switch {plan["switch_id"]} discarded')
            return 0
        result = pending_plans.approve(conf.CONF, database, args.id, _member_id())
    _print(args.format, [result])
    return 0


def _described(change):
    return describe(plans_module.PortChange(
        change['port'], vlans.parse(change['add']), vlans.parse(change['remove']),
        None if change['replace'] is None else vlans.parse(change['replace'])))


def run_sync(args):
    if args.all and (args.compute_host or args.switch is not None):
        raise errors.Permanent('--all cannot be combined with --host or --switch')
    if not args.local:
        return _cast(args)
    if not conf.CONF.psvm:
        raise errors.Permanent(
            'psvm is False: psvm-manage refuses to change switches; set [DEFAULT] '
            'psvm = True, or use "psvm-manage plan" to see the changes')
    return _sync_each(args, dry_run=False, force=args.force)


def _cast(args):
    """Ask every running listener to resync; the listeners do the work."""
    messaging = transport.rpc_transport(conf.CONF)
    try:
        rpc.client(conf.CONF, messaging, retry=2).resync(
            host=args.compute_host, switch_id=args.switch, full=args.all)
    finally:
        transport.release(messaging)
    scope = [f'host {args.compute_host}' if args.compute_host else '',
             f'switch {args.switch}' if args.switch is not None else '']
    print(f'resync of {" and ".join(filter(None, scope)) or "every switch"} sent to the '
          f'listeners (topic {conf.CONF.listener.rpc_topic})')
    return 0


def _sync_each(args, dry_run, force):
    database = api.Database.from_config()
    inventory = nova_inventory.Inventory.from_config(conf.CONF)
    plugin = plugins.load(conf.CONF, database, inventory)
    try:
        scope = _scope(database, inventory, args.switch, args.compute_host)
        results, failed = [], []
        with _locks(dry_run) as lock:
            for switch_id, ports in scope.items():
                try:
                    with lock(switch_id):
                        results.append(plugin.sync(switch_id, ports, force=force,
                                                   dry_run=dry_run))
                        if (results[-1].unsaved and not dry_run
                                and conf.CONF.switches.save_config):
                            plugin.save(switch_id)
                except errors.PsvmError as exc:
                    failed.append(f'switch {switch_id}: {type(exc).__name__}: {exc}')
    finally:
        plugin.close()
        inventory.close()
        database.close()
    _print(args.format, results)
    for failure in failed:
        print(f'psvm-manage: error: {failure}', file=sys.stderr)
    return 1 if failed else 0


def _locks(dry_run):
    """A plan touches nothing and takes no lock; a sync holds each switch's."""
    if dry_run:
        return contextlib.nullcontext(lambda switch_id: contextlib.nullcontext())
    return coordination.sync_locks(conf.CONF, _member_id())


def _member_id():
    return f'psvm-manage-{conf.CONF.host}-{os.getpid()}'


def _scope(database, inventory, switch_id, host):
    """switch id → ports to sync (None: every bound port)."""
    if switch_id is not None:
        database.get_switch(switch_id)
    if host is None:
        switches = [switch_id] if switch_id is not None else [
            s['id'] for s in database.list_switches()]
        return dict.fromkeys(switches)
    bindings = database.list_bindings(switch_id=switch_id)
    hosts = inventory.hosts_of_compute_nodes({b['compute_node_id'] for b in bindings})
    scope = {}
    for binding in bindings:
        if hosts.get(binding['compute_node_id']) == host:
            scope.setdefault(binding['switch_id'], []).append(binding['switch_port'])
    if not scope:
        raise errors.Permanent(f'no switch port is bound to a compute node of host {host!r}')
    return scope


def _print(fmt, results):
    if fmt == 'json':
        output.print_json([result.as_dict() for result in results])
        return
    output.print_table(CHANGE_COLUMNS, [
        (r.switch_id, change.port, describe(change)) for r in results for change in r.changes])
    output.print_table(SUMMARY_COLUMNS, [
        (r.switch_id, len(r.ports), len(r.changes), r.rpcs, f'{r.duration:.3f}', r.lif_usage,
         '; '.join(refusal.message for refusal in r.refusals), r.pending_plan)
        for r in results])


def describe(change):
    """'+10-12 -40', or 'all → 1,10-20' for a port that allowed ALL."""
    if change.replace is not None:
        return f'all → {vlans.format(change.replace)}'
    parts = [f'+{vlans.format(change.add)}' if change.add else '',
             f'-{vlans.format(change.remove)}' if change.remove else '']
    return ' '.join(part for part in parts if part)
