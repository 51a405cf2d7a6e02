"""What ``psvm-lab`` plays against the running stack, and what it measures.

1. The initial full sync: every trunk port allows ALL; afterwards each
   allows exactly what its host needs (LIF usage before → after).
2. A stream of instance creates, deletes and live migrations, each written
   to nova's DB first and then notified as nova-compute notifies it; the
   latency of each from publish to the lab switch's journal entry.
3. An operator's manual change on a port (drift), repaired by the timer.
4. Another drift, repaired at once by ``psvm-manage sync`` (an RPC cast).
5. The final check: every bound port allows exactly what nova needs.
"""

import collections
import dataclasses
import random
import statistics
import time
import uuid

import sqlalchemy as sa

from psvm_listener import transport
from psvm_listener.cmd import manage
from psvm_listener.lab import stack as stack_
from psvm_listener.lab.publisher import NovaPublisher


class ScenarioFailed(Exception):
    """A step did not reach its goal before its deadline."""


@dataclasses.dataclass
class Change:
    """A port that an event must change: its VLANs added and removed."""

    switch: str
    port: str
    add: frozenset
    remove: frozenset
    published: float = 0.0


@dataclasses.dataclass
class Figures:
    lif_before: dict = dataclasses.field(default_factory=dict)
    lif_after: dict = dataclasses.field(default_factory=dict)
    initial_sync_seconds: float = 0.0
    events: dict = dataclasses.field(default_factory=dict)
    latencies: list = dataclasses.field(default_factory=list)
    drift_repaired_by_timer_seconds: float = 0.0
    drift_repaired_by_resync_seconds: float = 0.0
    vlans_added: int = 0
    vlans_removed: int = 0
    edit_configs: int = 0
    drivers: dict = dataclasses.field(default_factory=dict)
    bound_ports: dict = dataclasses.field(default_factory=dict)  # switch -> count
    wrong_ports: list = dataclasses.field(default_factory=list)

    def latency_ms(self, quantile):
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return round(1000 * ordered[min(len(ordered) - 1, int(quantile * len(ordered)))], 1)

    def ports_right(self, switch):
        """'R of N': the switch's bound ports allowing what nova needs."""
        bound = self.bound_ports.get(switch, 0)
        wrong = sum(1 for name, _ in self.wrong_ports if name == switch)
        return f'{bound - wrong:,} of {bound:,}'

    def rows(self):
        """(figure, value) pairs for the summary table."""
        rows = [('initial full sync (s)', round(self.initial_sync_seconds, 2))]
        rows += [(f'LIF {name} before → after', f'{self.lif_before[name]:,} → '
                  f'{self.lif_after.get(name, 0):,}') for name in sorted(self.lif_before)]
        rows += [(f'{name} ({driver}) ports right', self.ports_right(name))
                 for name, driver in sorted(self.drivers.items())]
        rows += [(f'events: {kind}', count) for kind, count in sorted(self.events.items())]
        rows += [('event→switch latency p50 (ms)', self.latency_ms(0.50)),
                 ('event→switch latency p99 (ms)', self.latency_ms(0.99)),
                 ('event→switch latency mean (ms)',
                  round(1000 * statistics.fmean(self.latencies), 1) if self.latencies else None),
                 ('drift repaired by timer (s)', round(self.drift_repaired_by_timer_seconds, 2)),
                 ('drift repaired by resync cast (s)',
                  round(self.drift_repaired_by_resync_seconds, 2)),
                 ('VLANs added / removed', f'{self.vlans_added} / {self.vlans_removed}'),
                 ('edits (edit-config + cli_conf)', self.edit_configs),
                 ('ports wrong at the end', len(self.wrong_ports))]
        return rows


def wait_until(condition, timeout, what, interval=0.02):
    """Poll ``condition`` until it is true; ScenarioFailed after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise ScenarioFailed(f'{what}: not reached within {timeout:.0f} s')
        time.sleep(interval)


class Scenario:
    def __init__(self, stack, progress, events=300, rate=50.0, seed=1):
        self.stack = stack
        self.progress = progress
        self.event_count = events
        self.rate = rate
        self.rng = random.Random(seed)
        self.figures = Figures()
        self.changes = []

    def run(self):
        for step in (self.initial_sync, self.event_stream, self.drift_repaired_by_timer,
                     self.drift_repaired_by_resync):
            step()
        self.final_check()
        return self.figures

    def initial_sync(self):
        self.progress.phase('initial full sync')
        self.figures.lif_before = self.stack.lif_usage()
        self.figures.drivers = dict(self.stack.drivers)
        started = time.monotonic()
        self.stack.start_listener()
        self.stack.start_api()
        wait_until(lambda: not self.stack.wrong_ports(), 120, 'initial full sync', 0.05)
        self.figures.initial_sync_seconds = time.monotonic() - started

    def event_stream(self):
        self.progress.phase('nova events')
        messaging = transport.notification_transport(self.stack.conf)
        try:
            self._publish_events(NovaPublisher(messaging))
        finally:
            transport.release(messaging)
        wait_until(lambda: not self.stack.wrong_ports(), 30, 'ports after the events', 0.05)
        self._measure_latencies()

    def _publish_events(self, publisher):
        """Creates, deletes and live migrations at ``rate`` events per second."""
        instances = self._live_instances()
        hosts = sorted(self.stack.port_of_host)
        vlans = sorted(self.stack.cloud.networks)
        started = time.monotonic()
        for index in range(self.event_count):
            kind = self.rng.choices(('create', 'delete', 'live-migrate'), (6, 2.5, 1.5))[0]
            if kind == 'create':
                self._create(publisher, instances, self.rng.choice(hosts),
                             self.rng.choice(vlans))
            elif kind == 'delete':
                self._delete(publisher, instances)
            else:
                self._live_migrate(publisher, instances, hosts)
            self.figures.events[kind] = self.figures.events.get(kind, 0) + 1
            self.progress.events_sent = index + 1
            pause = started + (index + 1) / self.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)

    def _live_instances(self):
        instances = self.stack.nova.tables['instances']
        with self.stack.nova.engine.connect() as conn:
            rows = conn.execute(sa.select(instances.c.uuid, instances.c.host).where(
                instances.c.deleted == 0, instances.c.host.is_not(None))).all()
        return {row.uuid: row.host for row in rows if row.host in self.stack.port_of_host}

    def _watch(self, hosts, write):
        """Run nova's DB ``write``; remember which ports it changes."""
        before = self.stack.expected(hosts)
        write()
        after = self.stack.expected(hosts)
        changes = [Change(switch, port, after[key] - before[key], before[key] - after[key])
                   for key in before for switch, port in [key] if before[key] != after[key]]
        self.changes.extend(changes)
        return changes

    def _published(self, changes):
        """Stamp ``changes`` just before their event is published: a switch
        entry made before the publish call returns still counts."""
        now = time.time()
        for change in changes:
            change.published = now

    def _create(self, publisher, instances, host, vlan):
        instance = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        network_id = self.stack.cloud.networks[vlan]
        addresses = []
        changes = self._watch([host], lambda: addresses.append(
            self.stack.nova.boot(instance, host, network_id)))
        self._published(changes)
        publisher.create(instance, host, fixed_ips=[(f'vlan{vlan}', addresses[0])])
        instances[instance] = host

    def _delete(self, publisher, instances):
        instance = self.rng.choice(sorted(instances))
        host = instances.pop(instance)
        changes = self._watch([host], lambda: self.stack.nova.delete(instance))
        self._published(changes)
        publisher.delete(instance, host)

    def _live_migrate(self, publisher, instances, hosts):
        """pre.start puts the VLANs on the destination before traffic moves;
        post.dest.end takes them off the source if nothing else needs them."""
        instance = self.rng.choice(sorted(instances))
        source = instances[instance]
        dest = self.rng.choice([host for host in hosts if host != source])
        changes = self._watch([source, dest],
                              lambda: self.stack.nova.start_migration(instance, dest))
        self._published(changes)
        publisher.live_migration_pre(instance, source, dest)
        changes = self._watch([source, dest],
                              lambda: self.stack.nova.finish_migration(instance))
        self._published(changes)
        publisher.live_migration_post_dest(instance, dest)
        instances[instance] = dest

    def _measure_latencies(self):
        """Publish → first journal entry on that port that carries the change."""
        journals = {name: switch.journal() for name, switch in self.stack.switches.items()}
        for change in self.changes:
            wanted = change.add | change.remove
            applied = [entry['time'] for entry in journals[change.switch]
                       if entry['port'] == change.port and entry['time'] >= change.published
                       and entry['source'] in stack_.PSVM_SOURCES and entry['vlans'] & wanted]
            if applied:
                self.figures.latencies.append(min(applied) - change.published)

    def _drift(self, key):
        """An operator adds a VLAN the host does not need and removes one it needs."""
        switch_name, port = key
        switch = self.stack.switches[switch_name]
        expected = self.stack.expected([self._host_of(key)])[key]
        needed = sorted(expected - set(self.stack.conf.psvm_ignore_vlans))
        extra = next(vlan for vlan in sorted(self.stack.cloud.networks) if vlan not in expected)
        switch.set_allowed(port, (expected - {needed[0]}) | {extra})
        return time.monotonic()

    def _host_of(self, key):
        return next(host for host, bound in self.stack.port_of_host.items() if bound == key)

    def _repaired(self, key):
        return not self.stack.wrong_ports([self._host_of(key)])

    def drift_repaired_by_timer(self):
        self.progress.phase('drift, repaired by the timer')
        key = self.stack.port_of_host[sorted(self.stack.port_of_host)[0]]
        drifted = self._drift(key)
        wait_until(lambda: self._repaired(key), 3 * self.stack.spec.sync_interval + 10,
                   f'drift on {key[0]} {key[1]} repaired by the full-sync timer', 0.02)
        self.figures.drift_repaired_by_timer_seconds = time.monotonic() - drifted

    def drift_repaired_by_resync(self):
        self.progress.phase('drift, repaired by psvm-manage sync')
        key = self.stack.port_of_host[sorted(self.stack.port_of_host)[-1]]
        drifted = self._drift(key)
        if manage.main(['--config-file', self.stack.config_file, 'sync',
                        '--switch', str(self.stack.switch_ids[key[0]])]):
            raise ScenarioFailed('psvm-manage sync could not send the resync cast')
        wait_until(lambda: self._repaired(key), 10,
                   f'drift on {key[0]} {key[1]} repaired by the resync cast', 0.005)
        self.figures.drift_repaired_by_resync_seconds = time.monotonic() - drifted

    def final_check(self):
        self.progress.phase('final check')
        figures = self.figures
        figures.lif_after = self.stack.lif_usage()
        figures.wrong_ports = self.stack.wrong_ports()
        figures.bound_ports = collections.Counter(
            switch for switch, _ in self.stack.port_of_host.values())
        for switch in self.stack.switches.values():
            for entry in switch.journal():
                if entry['source'] not in stack_.PSVM_SOURCES:
                    continue
                if entry['op'] == 'add':
                    figures.vlans_added += len(entry['vlans'])
                elif entry['op'] == 'remove':
                    figures.vlans_removed += len(entry['vlans'])
            figures.edit_configs += stack_.edits(switch)
