"""Event-driven sync: from nova's notification to the lab switch's journal.

Lab switches of 48 ports plus FEX of 48 host ports, in nexus-sim processes
of their own (bench/lab_processes.py: their CPU is reported beside the
listener's, never in it), one compute host per port, ~20 VLANs per host in
nova on SQLite, with the real psvm-listener process (its own interpreter,
as deployed) over the real RabbitMQ:

- latency: 50 create notifications per second for 20 s over 200 hosts; for
  each, nova's DB gets the instance (on a VLAN new to that host) just
  before the publish, and the latency runs from the publish to the journal
  entry that adds the VLAN on the host's port: p50, p99, max.  Run with
  PSVM's and nova's databases on SQLite (the lab's default) and on MariaDB
  (as deployed: on SQLite the sync record written after every sync waits on
  SQLite's file lock, which makes most of the p99); the one-host nova query
  time is reported beside each;
- burst: 5,000 creates over 1,000 hosts as fast as one publisher can,
  each instance written to nova just before its notification and each
  bringing its host a VLAN new to it: seconds from the last publish until
  every port is correct, and notifications per edit-config;
- memory: RSS of the listener with 10,080 ports bound (10 switches of 20
  FEX: a Nexus 5K takes at most 24), 20 VLANs per host (RSS_HOSTS hosts,
  the ports dealt round-robin over them: 10,000 hosts of 20 VLANs would
  take most of an hour to write), after its start-up full sync and 2,000
  creates.
"""

import contextlib
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from bench import lab_processes
from psvm_listener import vlans
from psvm_listener.lab import publisher
from tests import databases
from tests import listener_rig
from tests import messaging
from tests import sync_rig

FEX_IDS = tuple(range(101, 200))
NETWORKS = 400
VLANS_PER_HOST = 20
RATE = 50
SECONDS = 20
LATENCY_HOSTS = 200
BURST_HOSTS = 1000
BURST_CREATES = 5000
RSS_SWITCHES = 10
RSS_FEX = 20
RSS_HOSTS = 2000
NEW_VLAN = 3000


def run():
    with tempfile.TemporaryDirectory(prefix='psvm-bench-events-') as tmp:
        figures = {}
        for kind in ('sqlite', 'mysql'):
            figures.update(_latency(pathlib.Path(tmp) / f'latency-{kind}', kind))
        figures.update(_burst(pathlib.Path(tmp) / 'burst'))
        figures.update(_rss(pathlib.Path(tmp) / 'rss'))
        return figures


@contextlib.contextmanager
def _world(path, switches, fex_per_switch, hosts=None, kind='sqlite'):
    """PSVM and nova databases for ``switches`` lab switches and every port
    bound, to a compute host of its own, or round-robin to ``hosts`` hosts;
    yields the rig, the lab and host → (lab switch, port) of each host's
    first port, hosts in the order they were dealt.

    Every port is bound: an unbound port allows ALL VLANs and burns the
    switch's logical-interface budget on its own."""
    path.mkdir()
    with contextlib.ExitStack() as stack:
        psvm_url = stack.enter_context(databases.fresh_database(kind, path))
        nova_url = stack.enter_context(databases.fresh_database(kind, path))
        lab = stack.enter_context(lab_processes.LabProcesses(
            switches, fex=FEX_IDS[:fex_per_switch], per_process=2))
        labs = lab.switches
        rig = stack.enter_context(sync_rig.Rig(path, labs[0], psvm_url=psvm_url,
                                               nova_url=nova_url))
        switch_ids = [rig.switch_id] + [rig.add_switch(sw) for sw in labs[1:]]
        per_switch = [[(sw, switch_id, port) for port in sw.ports()]
                      for sw, switch_id in zip(labs, switch_ids, strict=True)]
        ports = [port for ports in zip(*per_switch, strict=True) for port in ports]
        count = hosts or len(ports)
        cloud = rig.nova.populate(hosts=count, networks=NETWORKS,
                                  instances=count * VLANS_PER_HOST,
                                  vlans_per_host=VLANS_PER_HOST)
        names = sorted(cloud.compute_nodes)
        placement = {}
        for index, (sw, switch_id, port) in enumerate(ports):
            host = names[index % count]
            rig.database.create_binding(switch_id=switch_id,
                                        compute_node_id=cloud.compute_nodes[host],
                                        switch_port=port)
            placement.setdefault(host, (sw, port))
        yield rig, lab, placement


def _latency(path, kind):
    with _world(path, 4, 4, kind=kind) as (rig, lab, placement), \
            _listener(rig, lab, path) as (process, nova):
        hosts = list(placement)[:LATENCY_HOSTS]
        sent = []
        cpu = _cpu(process, lab)
        started = time.monotonic()
        for index in range(RATE * SECONDS):
            _pace(started + index / RATE)
            host = hosts[index % len(hosts)]
            vlan = NEW_VLAN + index // len(hosts)
            instance = rig.boot(host, vlan)
            sent.append((time.time(), placement[host], vlan))
            nova.create(instance, host)
        latencies = placement[hosts[0]][0].wait_for(lambda: _latencies(sent), timeout=60,
                                                     interval=0.5)
        listener_cpu, lab_cpu = _cpu_since(cpu, process, lab)
        node = rig.database.list_bindings()[0]['compute_node_id']
        query = []
        for _ in range(50):
            begun = time.perf_counter()
            rig.inventory.vlans_by_compute_node([node])
            query.append((time.perf_counter() - begun) * 1000)
        figures = {'notifications': len(sent), 'rate_per_s': RATE,
                   'p50_ms': _ms(statistics.median(latencies)),
                   'p99_ms': _ms(statistics.quantiles(latencies, n=100)[-1]),
                   'max_ms': _ms(max(latencies)),
                   'listener_cpu_ms_per_notification': _ms(listener_cpu * 1000 / len(sent)),
                   'lab_cpu_ms_per_notification': _ms(lab_cpu * 1000 / len(sent)),
                   'nova_query_one_host_p50_ms': _ms(statistics.median(query))}
        return {f'latency_{kind}_{name}': value for name, value in figures.items()}


def _pace(at):
    delay = at - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def _latencies(sent):
    """Publish → journal entry adding the VLAN on the port, for every send;
    None while some are not on the switch yet."""
    journals = {}
    latencies = []
    for published, (lab, port), vlan in sent:
        if lab.name not in journals:
            journals[lab.name] = lab.journal()
        applied = [entry['time'] for entry in journals[lab.name]
                   if entry['port'] == port and entry['op'] in ('add', 'set')
                   and vlan in entry['vlans'] and entry['time'] >= published - 0.001]
        if not applied:
            return None
        latencies.append((min(applied) - published) * 1000)
    return latencies


def _burst(path):
    with _world(path, 4, 5) as (rig, lab, placement), \
            _listener(rig, lab, path) as (process, nova):
        hosts = list(placement)[:BURST_HOSTS]
        wanted = {}
        edits_before = _edits(lab)
        cpu = _cpu(process, lab)
        started = time.monotonic()
        for index in range(BURST_CREATES):
            slot, rank = divmod(index, len(hosts))
            vlan = _burst_vlan(rank, slot)
            nova.create(rig.boot(hosts[rank], vlan), hosts[rank])
            wanted.setdefault(hosts[rank], set()).add(vlan)
        last_publish = time.monotonic()
        lab.switches[0].wait_for(lambda: _all_have(lab, placement, wanted), timeout=300,
                                 interval=0.2)
        correct = time.monotonic()
        listener_cpu, lab_cpu = _cpu_since(cpu, process, lab)
        edits = _edits(lab) - edits_before
        return {'burst_notifications': BURST_CREATES,
                'burst_hosts': len(hosts),
                'burst_publish_s': round(last_publish - started, 3),
                'burst_correct_after_last_publish_s': round(correct - last_publish, 3),
                'burst_edit_configs': edits,
                'burst_notifications_per_edit_config': round(BURST_CREATES / max(edits, 1), 1),
                'burst_listener_cpu_ms_per_notification': _ms(
                    listener_cpu * 1000 / BURST_CREATES),
                'burst_lab_cpu_ms_per_notification': _ms(lab_cpu * 1000 / BURST_CREATES)}


def _all_have(lab, placement, wanted):
    """Does every host's port allow the VLANs wanted for it (one read per switch)?"""
    maps = {switch.name: switch.allowed_map() for switch in lab.switches}
    return all(vlans_ <= maps[placement[host][0].name][placement[host][1]]
               for host, vlans_ in wanted.items())


def _edits(lab):
    return sum(switch.rpc_counts().get('edit-config', 0) for switch in lab.switches)


def _cpu(process, lab):
    return lab_processes.process_cpu_seconds(process.pid), lab.cpu_seconds()


def _cpu_since(before, process, lab):
    """CPU seconds of the listener and of the lab since ``before`` (_cpu)."""
    listener, lab_ = _cpu(process, lab)
    return listener - before[0], lab_ - before[1]


def _burst_vlan(rank, slot):
    """Five new VLANs per host, out of 25 networks of 200 instances each
    (a lab network has a /24 of fixed IPs)."""
    return NEW_VLAN + (rank % 5) * 5 + slot


def _rss(path):
    """The listener's RSS once 10,080 ports are synced and 2,000 creates applied."""
    with _world(path, RSS_SWITCHES, RSS_FEX, hosts=RSS_HOSTS) as (rig, lab, placement):
        with _listener(rig, lab, path) as (process, nova):
            moved = sorted(placement)
            wanted = {}
            for rank, host in enumerate(moved):
                nova.create(rig.boot(host, NEW_VLAN + rank % 20), host)
                wanted[host] = {NEW_VLAN + rank % 20}
            lab.switches[0].wait_for(lambda: _all_have(lab, placement, wanted), timeout=300,
                                     interval=0.5)
            status = _proc_status(process.pid)
        return {'rss_ports_bound': len(rig.database.list_bindings()),
                'rss_hosts': len(placement),
                'rss_vlans_per_host': VLANS_PER_HOST,
                'rss_switches': RSS_SWITCHES,
                'rss_fex_per_switch': RSS_FEX,
                'rss_listener_mb': round(status['VmRSS'] / 1024, 1),
                'rss_listener_peak_mb': round(status['VmHWM'] / 1024, 1),
                'rss_sigterm_exit_code': process.returncode}


@contextlib.contextmanager
def _listener(rig, lab, path):
    """The real psvm-listener process over the rig's databases, its own
    exchange, pool and RPC topic; yields once its start-up full sync has
    narrowed every bound port, with a nova-like publisher; SIGTERM at exit."""
    exchange = messaging.unique('nova')
    config = listener_rig.write_config(path, rig, exchange)
    command = os.path.join(os.path.dirname(sys.executable), 'psvm-listener')
    process = subprocess.Popen([command, '--config-file', str(config)])
    transport = messaging.notification_transport(exchange=exchange)
    try:
        lab.switches[0].wait_for(lambda: all(
            allowed is not vlans.ALL for switch in lab.switches
            for allowed in switch.allowed_map().values()), timeout=600, interval=0.5)
        yield process, publisher.NovaPublisher(transport)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        transport.cleanup()
        if process.poll() is None:
            process.kill()
            process.wait()


def _proc_status(pid):
    """VmRSS and VmHWM of a process, in kB."""
    fields = {}
    with open(f'/proc/{pid}/status') as status:
        for line in status:
            name, _, value = line.partition(':')
            if name in ('VmRSS', 'VmHWM'):
                fields[name] = int(value.split()[0])
    return fields


def _ms(value):
    return round(value, 2)
