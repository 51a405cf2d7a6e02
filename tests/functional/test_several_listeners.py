"""Three psvm-listener processes over six lab switches, coordinated through tooz.

Real RabbitMQ, MariaDB, lab switches over SSH/NETCONF, and a real backend
(the shared Redis, or a private etcd).  One scenario per backend, as the
processes are heavy on a small machine: ``psvm-manage sync`` cast to every
owner, a burst with every member alive, a ``kill -9`` of one member in the
middle of a burst (its switches taken over and fully synced within the lease
plus 2 s, nothing lost), and the killed member restarted (its share back, one
full sync of it, none of the others').
"""

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time

import pytest

from nexus_sim import LabSwitch
from psvm_listener.lab import publisher
from psvm_listener.lab.scenario import wait_until
from tests import coordination_backends as backends
from tests import databases
from tests import members_rig
from tests import messaging
from tests import sync_rig

SWITCHES = 6
MEMBERS = ('m1', 'm2', 'm3')
BURST_PORTS = ('ethernet1/1', 'ethernet1/2')
QUIET_PORT = 'ethernet1/3'
DRIFT = frozenset({1, 200, 999})
HANDED_BACK = re.compile(r'handed over \[\d')


@pytest.fixture(params=['redis', 'etcd3'])
def backend_url(request, tmp_path):
    if request.param == 'redis':
        yield f'{backends.SHARED_REDIS}?timeout={backends.LEASE}'
        return
    with backends.private(tmp_path, 'etcd3') as server:
        yield server.url


class Cluster:
    """Six lab switches, three bound hosts each (two for bursts, one quiet),
    nova and PSVM on MariaDB, and the members over them."""

    def __init__(self, tmp_path, stack, backend_url):
        self.labs = [stack.enter_context(LabSwitch(users={'admin': 'secret'}, ports='1/1-3',
                                                   name=f'lab{i}')) for i in range(SWITCHES)]
        psvm_url = stack.enter_context(databases.fresh_database('mysql', tmp_path))
        nova_url = stack.enter_context(databases.fresh_database('mysql', tmp_path))
        self.rig = stack.enter_context(sync_rig.Rig(tmp_path, self.labs[0], psvm_url=psvm_url,
                                                    nova_url=nova_url))
        self.switch_ids = [self.rig.switch_id] + [self.rig.add_switch(lab)
                                                  for lab in self.labs[1:]]
        self.lab_of = dict(zip(self.switch_ids, self.labs, strict=True))
        self.ports = {}
        for index, switch_id in enumerate(self.switch_ids):
            for port in BURST_PORTS:
                host = f'h{index}-{port[-1]}'
                self.rig.host(host, port, vlans=(100,), switch_id=switch_id)
                self.ports[host] = (self.lab_of[switch_id], port)
            quiet = f'q{index}'
            self.rig.host(quiet, QUIET_PORT, vlans=(200,), switch_id=switch_id)
            self.ports[quiet] = (self.lab_of[switch_id], QUIET_PORT)
        exchange = messaging.unique('nova')
        self.members = stack.enter_context(members_rig.Members(
            tmp_path, self.rig, backend_url, exchange,
            default_lines='psvm_sync_interval = 3600\n'))
        transport = messaging.notification_transport(exchange=exchange)
        stack.callback(transport.cleanup)
        self.nova = publisher.NovaPublisher(transport)

    def owners(self):
        return self.members.owners(self.switch_ids)

    def wrong_ports(self):
        needed = self.rig.inventory.vlans_by_host(list(self.ports))
        return sorted(host for host, (lab, port) in self.ports.items()
                      if lab.allowed(port) != needed.get(host, frozenset()) | {1})

    def create(self, host, vlan):
        """nova's order: the instance in the DB, then the notification."""
        self.nova.create(self.rig.boot(host, vlan), host)


@pytest.fixture
def cluster(tmp_path, backend_url):
    with contextlib.ExitStack() as stack:
        yield Cluster(tmp_path, stack, backend_url)


def _editors_since(lab, since):
    return {r.session for r in lab.state.rpc_log()
            if r.kind == 'edit-config' and r.started > since}


def _manage(members, *args):
    """psvm-manage's output, as an operator runs it with the members' config."""
    manage = os.path.join(os.path.dirname(sys.executable), 'psvm-manage')
    result = subprocess.run([manage, '--config-file', str(members.config), *args],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _full_reads_since(lab, since):
    """Reads of every interface and the VLAN database of a lab switch: full syncs
    (a targeted sync reads its own ports only)."""
    return [r for r in lab.state.rpc_log() if r.started > since
            and 'show vlan brief' in r.commands]


def test_three_listeners_share_six_switches_and_survive_a_kill(cluster):
    members = cluster.members
    for member in MEMBERS:
        members.start(member)
    wait_until(lambda: members.live() == set(MEMBERS), 60, 'three members')
    wait_until(lambda: not cluster.wrong_ports(), 60, 'start-up full syncs')
    owners = cluster.owners()
    assert set(owners.values()) <= set(MEMBERS) and None not in owners.values()
    report = json.loads(_manage(members, 'report', '--format', 'json'))
    assert {row['switch_id']: row['owner'] for row in report} == owners

    for lab in cluster.labs:
        lab.set_allowed(QUIET_PORT, DRIFT)
    cast = time.monotonic()
    _manage(members, 'sync')
    wait_until(lambda: not cluster.wrong_ports(), 30, 'psvm-manage sync reaching every owner')
    assert all(len(_editors_since(lab, cast)) == 1 for lab in cluster.labs), \
        'each switch resynced by its owner alone'

    burst_hosts = [h for h in cluster.ports if h.startswith('h')]
    burst_started = time.monotonic()
    for vlan in (101, 102):
        for host in burst_hosts:
            cluster.create(host, vlan)
    wait_until(lambda: not cluster.wrong_ports(), 30, 'burst with every member alive')
    assert all(len(_editors_since(lab, burst_started)) == 1 for lab in cluster.labs), \
        'each switch edited by its owner alone'

    victim = owners[cluster.switch_ids[0]]
    taken = [s for s, m in owners.items() if m == victim]
    for switch_id in taken:
        cluster.lab_of[switch_id].set_allowed(QUIET_PORT, DRIFT)

    killed = threading.Event()
    killed_at = []

    def burst():
        started = time.monotonic()
        for index, (vlan, host) in enumerate((v, h) for v in range(110, 116)
                                             for h in burst_hosts):
            # Paces the burst at 50 notifications a second, so that the kill
            # lands mid-burst: the rate is what is under test, not a wait.
            delay = started + index / 50 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if index == 24:
                members.kill(victim)
                killed_at.append(time.monotonic())
                killed.set()
            cluster.create(host, vlan)
    publishing = threading.Thread(target=burst)
    publishing.start()
    assert killed.wait(30)
    wait_until(lambda: all(cluster.lab_of[s].allowed(QUIET_PORT) != DRIFT for s in taken),
               backends.LEASE + 10, f'switches {taken} of {victim} taken over')
    takeover = time.monotonic() - killed_at[0]
    publishing.join()
    assert takeover <= backends.LEASE + 2, f'takeover and full sync took {takeover:.1f} s'
    wait_until(lambda: not cluster.wrong_ports(), 30, 'every port right after the kill')
    survivors = set(MEMBERS) - {victim}
    assert set(cluster.owners().values()) == survivors

    for switch_id in taken:
        cluster.lab_of[switch_id].set_allowed(QUIET_PORT, DRIFT)
    restarted = time.monotonic()
    members.start(victim)
    wait_until(lambda: cluster.owners() == owners, 60, f'{victim} back with its share')
    wait_until(lambda: all(cluster.lab_of[s].allowed(QUIET_PORT) != DRIFT for s in taken),
               30, f'start-up full sync of {victim}')
    wait_until(lambda: sum(len(HANDED_BACK.findall(members.log(m))) for m in survivors)
               >= 1, 30, 'the survivors handed the share back')
    assert {s: len(_full_reads_since(cluster.lab_of[s], restarted)) for s in cluster.switch_ids} \
        == {s: int(s in taken) for s in cluster.switch_ids}, \
        'one full sync of each switch given back, none of the others'
    assert not cluster.wrong_ports()
    assert {s: cluster.lab_of[s].concurrent_edits() for s in cluster.switch_ids} == \
        dict.fromkeys(cluster.switch_ids, [])
