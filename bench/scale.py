"""psvm-listener at cloud scale: cost per change, not per switch.

Lab switches of 48 ports plus 20 FEX of 48 host ports (1,008 ports; a
Nexus 5K takes at most 24 FEX) run in nexus-sim processes of their own, four
switches each (bench/lab_processes.py), so the lab's CPU, reported beside
the listener's, is never in the listener's figures.  nova (MariaDB, as
deployed; PSVM's own database too) holds HOSTS compute hosts of ~20 VLANs
each; the bound ports are dealt round-robin over them (a bound port costs
the sync what it costs whatever host it faces; 40,000 hosts of 20 VLANs
would take an hour to write here).

- sync, at each size of SIZES bound ports (100,000 over 100 switches):
  the start-up full sync from ALL on every port, then a full sync with no
  drift, through the reconciler (one worker thread per switch) in this
  process: wall and CPU seconds, reads (exec-command RPCs) per switch and
  nova queries per full sync;
- events, at EVENT_PORTS bound ports, with the real psvm-listener process
  over RabbitMQ: EVENT_HOSTS extra hosts each bound to one port of its own;
  for each notification nova gets an instance on a VLAN new to its host
  just before the publish; at each rate of RATES for RATE_SECONDS: p50 and
  p99 from the publish to the lab's journal entry adding the VLAN, the rate
  the publisher reached, seconds from the last publish until every port is
  right, notifications per edit-config, listener CPU per notification (and
  the lab's beside it), and the listener's RSS and threads.

``PSVM_BENCH_SCALE_SIZES`` (e.g. "1000,10000"), ``..._EVENT_PORTS``,
``..._HOSTS``, ``..._RATES`` (e.g. "50") and ``..._RATE_SECONDS`` pick other
sizes; ``..._SYNC_INTERVAL`` (the listener's ``psvm_sync_interval``, 60)
keeps the periodic full sync out of the rates' windows when long.
"""

import contextlib
import math
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import sqlalchemy as sa

from bench import lab_processes
from psvm_listener import memory
from psvm_listener import metrics
from psvm_listener import reconciler
from psvm_listener import vlans
from psvm_listener.lab import publisher
from tests import databases
from tests import listener_rig
from tests import messaging
from tests import sync_rig

FEX = tuple(range(101, 121))
PORTS_PER_SWITCH = 48 + 48 * len(FEX)
SIZES = tuple(int(n) for n in os.environ.get(
    'PSVM_BENCH_SCALE_SIZES', '1000,10000,40000,100000').split(','))
EVENT_PORTS = int(os.environ.get('PSVM_BENCH_SCALE_EVENT_PORTS', '40000'))
HOSTS = int(os.environ.get('PSVM_BENCH_SCALE_HOSTS', '2000'))
NETWORKS = 400
VLANS_PER_HOST = 20
EVENT_HOSTS = 300
RATES = tuple(int(n) for n in os.environ.get('PSVM_BENCH_SCALE_RATES', '50,200,1000').split(','))
# The listener's full-sync interval (psvm_sync_interval): a full sync of
# 40,000 ports falling inside a rate's window weighs on its latency and CPU
# per notification; a long interval keeps it out, to measure the events alone.
SYNC_INTERVAL = int(os.environ.get('PSVM_BENCH_SCALE_SYNC_INTERVAL', '60'))
RATE_SECONDS = float(os.environ.get('PSVM_BENCH_SCALE_RATE_SECONDS', '10'))
NEW_VLAN = 3000
# The publisher writes nova in slices of this many seconds of notifications.
BATCH_SECONDS = 0.01
# The few ports of a size left unbound allow ALL (every VLAN nova defines):
# no LIF guard here, as the lab's switches have room for them.
LIF_LIMIT = 1000000
DB = os.environ.get('PSVM_BENCH_NOVA_DB', 'mysql')


def run():
    with tempfile.TemporaryDirectory(prefix='psvm-bench-scale-') as tmp:
        figures = {'ports_per_switch': PORTS_PER_SWITCH, 'nova_hosts': HOSTS,
                   'nova_db': DB, 'listener_sync_interval_s': SYNC_INTERVAL}
        for part in (_sync_sizes, _events):
            try:
                figures.update(part(pathlib.Path(tmp) / part.__name__.strip('_')))
            except Exception as exc:  # the other part's figures still count
                figures[f'{part.__name__.strip("_")}_failed'] = f'{type(exc).__name__}: {exc}'
        return figures


@contextlib.contextmanager
def _world(path, ports):
    """Lab switches for ``ports`` bound ports, PSVM and nova databases, the
    rig; yields (rig, lab, switch ids, cloud)."""
    path.mkdir()
    switches = math.ceil(ports / PORTS_PER_SWITCH)
    with contextlib.ExitStack() as stack:
        lab = stack.enter_context(lab_processes.LabProcesses(switches, fex=FEX))
        psvm_url = stack.enter_context(databases.fresh_database(DB, path))
        nova_url = stack.enter_context(databases.fresh_database(DB, path))
        rig = stack.enter_context(sync_rig.Rig(path, lab.switches[0], psvm_url=psvm_url,
                                               nova_url=nova_url, psvm_lif_limit=LIF_LIMIT))
        switch_ids = [rig.switch_id] + [rig.add_switch(s) for s in lab.switches[1:]]
        cloud = rig.nova.populate(hosts=HOSTS, networks=NETWORKS,
                                  instances=HOSTS * VLANS_PER_HOST,
                                  vlans_per_host=VLANS_PER_HOST)
        yield rig, lab, switch_ids, cloud


def _bind(rig, lab, switch_ids, cloud, count, skip=()):
    """Bind ``count`` ports, dealt over the switches, round-robin over the hosts."""
    nodes = [cloud.compute_nodes[host] for host in sorted(cloud.compute_nodes)]
    ports = [(switch_id, port) for ports in zip(*(
        [(switch_id, port) for port in switch.ports()]
        for switch, switch_id in zip(lab.switches, switch_ids, strict=False)), strict=True)
        for switch_id, port in ports if (switch_id, port) not in skip]
    bound = ports[:count]
    rows = [{'switch_id': switch_id, 'compute_node_id': nodes[index % len(nodes)],
             'switch_port': port} for index, (switch_id, port) in enumerate(bound)]
    insert_bindings(rig.database, rows)
    return bound


def insert_bindings(database, rows):
    """Bindings in bulk: the API's one-by-one checks would take minutes here."""
    table = sa.table('psvm_switchport_binding', sa.column('switch_id'),
                     sa.column('compute_node_id'), sa.column('switch_port'),
                     sa.column('created_at'), sa.column('deleted'))
    now = sa.func.now()
    with database.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(table.insert().values(created_at=now, deleted=0),
                         rows[start:start + 5000])


def _sync_sizes(path):
    path.mkdir()
    memory.space_collections()  # as psvm-listener does at start
    figures = {}
    largest = max(SIZES)
    with _world(path / 'world', largest) as (rig, lab, switch_ids, cloud):
        bound = 0
        for size in sorted(SIZES):
            switches = math.ceil(size / PORTS_PER_SWITCH)
            _bind(rig, lab, switch_ids[:switches], cloud, size - bound,
                  skip=set(_bound_pairs(rig)))
            bound = size
            for switch in lab.switches[:switches]:
                switch.client.reboot(switch.name)
            figures.update(_full_syncs(rig, lab, switch_ids[:switches], size))
    return figures


def _bound_pairs(rig):
    return [(b['switch_id'], b['switch_port']) for b in rig.database.list_bindings()]


def _full_syncs(rig, lab, switch_ids, size):
    """Start-up full sync from ALL, then one with no drift, through the reconciler."""
    statements = []

    def count(_conn, _cursor, statement, *_):
        statements.append(statement)
    sa.event.listen(rig.inventory.engine, 'before_cursor_execute', count)
    database = _SwitchesOf(rig.database, switch_ids)
    rec = reconciler.Reconciler(database, rig.inventory, rig.plugin, metrics.Metrics())
    labs = lab.switches[:len(switch_ids)]
    try:
        figures = {}
        for name, start in (('from_all', rec.refresh),
                            ('no_drift', lambda: rec.mark_all(reason='bench'))):
            reads = _reads(labs)
            lab_cpu = lab.cpu_seconds()
            del statements[:]
            cpu, wall = time.process_time(), time.perf_counter()
            start()
            assert rec.wait_idle(1800), 'full sync did not finish'
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            per_switch = sorted({after - before for before, after in
                                 zip(reads, _reads(labs), strict=True)})
            nova = [s for s in statements if 'vlan' in s.lower()]
            prefix = f'sync_{size}_ports_{name}'
            figures.update({f'{prefix}_s': round(wall, 2),
                            f'{prefix}_listener_cpu_s': round(cpu, 2),
                            f'{prefix}_lab_cpu_s': round(lab.cpu_seconds() - lab_cpu, 2),
                            f'{prefix}_reads_per_switch': per_switch,
                            f'{prefix}_nova_queries': len(nova)})
        figures[f'sync_{size}_ports_switches'] = len(switch_ids)
        return figures
    finally:
        rec.stop(60)
        sa.event.remove(rig.inventory.engine, 'before_cursor_execute', count)


def _reads(labs):
    return [switch.rpc_counts().get('exec-command', 0) for switch in labs]


class _SwitchesOf:
    """PSVM's database seen with only some switches (the size being measured)."""

    def __init__(self, database, switch_ids):
        self._database = database
        self._ids = set(switch_ids)

    def list_switches(self):
        return [s for s in self._database.list_switches() if s['id'] in self._ids]

    def __getattr__(self, name):
        return getattr(self._database, name)


def _events(path):
    path.mkdir()
    with _world(path / 'world', EVENT_PORTS + EVENT_HOSTS) as (rig, lab, switch_ids, cloud):
        placement = _event_hosts(rig, lab, switch_ids)
        _bind(rig, lab, switch_ids, cloud, EVENT_PORTS,
              skip={(switch_ids[lab.switches.index(s)], p) for s, p in placement.values()})
        with _listener(rig, dict(zip(switch_ids, lab.switches, strict=True)),
                       path) as (process, nova):
            figures = {'events_bound_ports': EVENT_PORTS + EVENT_HOSTS,
                       'events_switches': len(switch_ids),
                       'events_listener_rss_after_start_mb': _rss_mb(process.pid),
                       'events_listener_idle_cpu_ms_per_s': _idle_cpu(process.pid)}
            hosts = list(placement)
            first_vlan = NEW_VLAN
            for rate in RATES:
                rate_figures, first_vlan = _rate(rig, lab, process, nova, placement, hosts,
                                                 rate, first_vlan)
                figures.update(rate_figures)
            figures['events_listener_rss_mb'] = _rss_mb(process.pid)
            figures['events_listener_threads'] = lab_processes.process_threads(process.pid)
        return figures


def _idle_cpu(pid, seconds=5.0):
    """The listener's CPU with no notification: its polls, timers and sessions."""
    before = lab_processes.process_cpu_seconds(pid)
    time.sleep(seconds)
    return round((lab_processes.process_cpu_seconds(pid) - before) * 1000 / seconds, 1)


def _event_hosts(rig, lab, switch_ids):
    """EVENT_HOSTS hosts, each bound to one port of its own (the last ports
    of each switch), with a few VLANs of their own: host → (switch, port)."""
    placement = {}
    for index in range(EVENT_HOSTS):
        switch = lab.switches[index % len(lab.switches)]
        port = switch.ports()[-1 - index // len(lab.switches)]
        name = f'event-{index:04d}'
        rig.host(name, port, vlans=(NEW_VLAN - 100 + index % 50,),
                 switch_id=switch_ids[index % len(lab.switches)])
        placement[name] = (switch, port)
    return placement


def _rate(rig, lab, process, nova, placement, hosts, rate, first_vlan):
    """``rate`` creates per second for RATE_SECONDS, each bringing a VLAN new
    to its host (from ``first_vlan``; returns the figures and the VLAN after
    the last one used); the VLANs' networks are made first, as an operator does.
    Each instance is written to nova at most BATCH_SECONDS before its
    notification, the instances of that slice in one transaction."""
    count = int(rate * RATE_SECONDS)
    boots = [(hosts[index % len(hosts)], _new_vlan(first_vlan, index, len(hosts)))
             for index in range(count)]
    for vlan in sorted({vlan for _, vlan in boots}):
        rig.network(vlan)
    journals = {switch.name: len(switch.journal()) for switch, _ in placement.values()}
    edits_before = _edits(lab)
    cpu_before, lab_before = lab_processes.process_cpu_seconds(process.pid), lab.cpu_seconds()
    per_batch = max(1, round(rate * BATCH_SECONDS))
    sent = []
    started = time.monotonic()
    for first in range(0, count, per_batch):
        batch = boots[first:first + per_batch]
        _pace(started + first / rate)
        for index, (instance, (host, vlan)) in enumerate(
                zip(rig.boot_many(batch), batch, strict=True), start=first):
            _pace(started + index / rate)
            sent.append((time.time(), host, vlan))
            nova.create(instance, host)
    publish_seconds = time.monotonic() - started
    last_publish = time.monotonic()
    wanted = {}
    for _, host, vlan in sent:
        wanted.setdefault(host, set()).add(vlan)
    switches = {switch.name: switch for switch, _ in placement.values()}
    first_switch = next(iter(switches.values()))
    first_switch.wait_for(lambda: _all_right(switches, placement, wanted), timeout=300,
                          interval=0.2)
    converged = time.monotonic() - last_publish
    cpu = lab_processes.process_cpu_seconds(process.pid) - cpu_before
    entries = {name: switch.journal(journals[name]) for name, switch in switches.items()}
    latencies = _latencies(sent, placement, entries)
    edits = _edits(lab) - edits_before
    prefix = f'events_{rate}_per_s'
    return {f'{prefix}_notifications': count,
            f'{prefix}_publisher_reached_per_s': round(count / publish_seconds, 1),
            f'{prefix}_p50_ms': round(statistics.median(latencies), 1),
            f'{prefix}_p99_ms': round(statistics.quantiles(latencies, n=100)[-1], 1),
            f'{prefix}_right_after_last_publish_s': round(converged, 2),
            f'{prefix}_edit_configs': edits,
            f'{prefix}_notifications_per_edit': round(count / max(edits, 1), 1),
            f'{prefix}_listener_cpu_ms_per_notification': round(cpu * 1000 / count, 2),
            f'{prefix}_lab_cpu_ms_per_notification': round(
                (lab.cpu_seconds() - lab_before) * 1000 / count, 2)}, max(v for _, v in boots) + 1


def _new_vlan(first_vlan, index, hosts):
    """A VLAN new to the host for every notification of a rate: each round
    over the hosts takes VLANs past the last round's, 20 hosts sharing each
    (a network's /24 holds 253 fixed IPs)."""
    rank, round_ = index % hosts, index // hosts
    return first_vlan + round_ * _vlans_per_round(hosts) + rank % _vlans_per_round(hosts)


def _vlans_per_round(hosts):
    return math.ceil(hosts / 20)


def _all_right(switches, placement, wanted):
    maps = {name: switch.allowed_map() for name, switch in switches.items()}
    return all(vlans_ <= maps[placement[host][0].name][placement[host][1]]
               for host, vlans_ in wanted.items())


def _latencies(sent, placement, entries):
    """Publish → first journal entry adding the VLAN on the host's port."""
    added = {}
    for name, journal in entries.items():
        for entry in journal:
            if entry['op'] in ('add', 'set'):
                for vlan in entry['vlans']:
                    added.setdefault((name, entry['port'], vlan), entry['time'])
    latencies = []
    for published, host, vlan in sent:
        switch, port = placement[host]
        latencies.append((added[switch.name, port, vlan] - published) * 1000)
    return latencies


def _edits(lab):
    return sum(switch.rpc_counts().get('edit-config', 0) for switch in lab.switches)


def _pace(at):
    delay = at - time.monotonic()
    if delay > 0:
        time.sleep(delay)


@contextlib.contextmanager
def _listener(rig, by_id, path):
    """The real psvm-listener process; yields once its start-up full sync
    has narrowed every bound port, with a nova-like publisher."""
    exchange = messaging.unique('nova')
    config = listener_rig.write_config(path, rig, exchange, default_lines=(
        f'psvm_lif_limit = {LIF_LIMIT}\npsvm_sync_interval = {SYNC_INTERVAL}\n'))
    command = os.path.join(os.path.dirname(sys.executable), 'psvm-listener')
    process = subprocess.Popen([command, '--config-file', str(config)])
    transport = messaging.notification_transport(exchange=exchange)
    bound = {}
    for binding in rig.database.list_bindings():
        bound.setdefault(binding['switch_id'], []).append(binding['switch_port'])
    try:
        next(iter(by_id.values())).wait_for(lambda: all(
            all(allowed[port] is not vlans.ALL for port in bound.get(switch_id, ()))
            for switch_id, allowed in ((i, s.allowed_map()) for i, s in by_id.items())),
            timeout=1800, interval=1.0)
        yield process, publisher.NovaPublisher(transport)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)
    finally:
        transport.cleanup()
        if process.poll() is None:
            process.kill()
            process.wait()


def _rss_mb(pid):
    with open(f'/proc/{pid}/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return round(int(line.split()[1]) / 1024, 1)
    return None
