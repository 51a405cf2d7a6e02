"""Several psvm-listeners coordinated through tooz (a private etcd, the
production choice), each its own process, over six lab switches (in
nexus-sim processes of their own, as in bench/events.py) and the real
RabbitMQ, PSVM and nova on MariaDB:

- latency: 50 create notifications per second for 10 s over 120 hosts, as
  in bench/events.py (publish → the lab switch's journal entry that adds the
  VLAN), with 1 member and with 3 members sharing the switches: p50, p99;
- takeover: one of 3 members killed with SIGKILL; seconds until every
  switch it owned was fully synced by the survivors (a drift on one port of
  each, which only a full sync repairs), against the lease.
"""

import contextlib
import pathlib
import statistics
import tempfile
import time

from bench import events
from psvm_listener import vlans
from psvm_listener.lab import publisher
from tests import coordination_backends as backends
from tests import members_rig
from tests import messaging

SWITCHES = 6
HOSTS = 120
RATE = 50
SECONDS = 10
NEW_VLAN = 3000
DRIFT_VLAN = 3900


def run():
    figures = {'lease_s': backends.LEASE, 'rate_per_s': RATE, 'switches': SWITCHES}
    with tempfile.TemporaryDirectory(prefix='psvm-bench-members-') as tmp:
        tmp = pathlib.Path(tmp)
        for count in (1, 3):
            with _members(tmp / f'members-{count}', count) as (rig, placement, members, nova):
                figures.update({f'members_{count}_{name}': value for name, value in
                                _latency(rig, placement, nova).items()})
                if count == 3:
                    figures['takeover_after_kill_s'] = _takeover(rig, placement, members)
    return figures


@contextlib.contextmanager
def _members(path, count):
    with events._world(path, SWITCHES, 0, hosts=HOSTS, kind='mysql') as (rig, _lab, placement), \
            backends.private(path, 'etcd3') as etcd:
        exchange = messaging.unique('nova')
        transport = messaging.notification_transport(exchange=exchange)
        names = [f'member-{index}' for index in range(1, count + 1)]
        try:
            with members_rig.Members(path, rig, etcd.url, exchange,
                                     default_lines='psvm_sync_interval = 3600\n') as members:
                for name in names:
                    members.start(name)
                rig.switch.wait_for(lambda: members.live() == set(names), timeout=120,
                                    interval=0.2)
                rig.switch.wait_for(lambda: _all_synced(placement), timeout=300, interval=0.5)
                yield rig, placement, members, publisher.NovaPublisher(transport)
        finally:
            transport.cleanup()


def _all_synced(placement):
    """No bound port allows ALL any more (one read per lab switch)."""
    maps = {}
    for lab, port in placement.values():
        if lab.name not in maps:
            maps[lab.name] = lab.allowed_map()
        if maps[lab.name][port] is vlans.ALL:
            return False
    return True


def _latency(rig, placement, nova):
    hosts = list(placement)
    sent = []
    started = time.monotonic()
    for index in range(RATE * SECONDS):
        events._pace(started + index / RATE)
        host = hosts[index % len(hosts)]
        vlan = NEW_VLAN + index // len(hosts)
        instance = rig.boot(host, vlan)
        sent.append((time.time(), placement[host], vlan))
        nova.create(instance, host)
    latencies = rig.switch.wait_for(lambda: events._latencies(sent), timeout=60,
                                    interval=0.5)
    return {'notifications': len(sent),
            'p50_ms': round(statistics.median(latencies), 2),
            'p99_ms': round(statistics.quantiles(latencies, n=100)[-1], 2),
            'max_ms': round(max(latencies), 2)}


def _takeover(rig, placement, members):
    """Drift one port of each switch the victim owns, kill it, time the repair."""
    switch_of = {(row['ip'], row['port']): row['id'] for row in rig.database.list_switches()}
    owners = members.owners(sorted(switch_of.values()))
    victim = owners[min(owners)]
    drifted = {}
    for lab, port in placement.values():
        switch_id = switch_of[lab.address]
        if owners[switch_id] == victim and switch_id not in drifted:
            lab.set_allowed(port, lab.allowed(port) | {DRIFT_VLAN})
            drifted[switch_id] = (lab, port)
    killed = time.monotonic()
    members.kill(victim)
    rig.switch.wait_for(lambda: all(DRIFT_VLAN not in lab.allowed(port)
                                    for lab, port in drifted.values()), timeout=120,
                        interval=0.05)
    return round(time.monotonic() - killed, 2)
