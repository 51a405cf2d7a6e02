"""The reconciler's sources of marks, end to end through the running service."""

import pytest

from nexus_sim import LabSwitch
from nexus_sim import vlans as sim_vlans
from tests import listener_rig


@pytest.fixture
def make_rig(tmp_path, lab_switch):
    """Builds the one running service of a test, with its option overrides."""
    made = []

    def make(**overrides):
        made.append(listener_rig.ListenerRig(tmp_path, lab_switch, **overrides))
        return made[-1]
    yield make
    for rig in made:
        rig.close()


def allowed_becomes(rig, port, vlans, timeout=15):
    rig.switch.wait_for(lambda: rig.switch.allowed(port) == vlans, timeout=timeout)


def test_burst_of_creates_coalesces_into_few_edits(make_rig):
    """Each instance, on a VLAN of its own, is written to nova just before
    its notification, so every notification needs an edit and a sync can
    only find what was notified so far; the switch answers each RPC a
    second late while nova publishes, as a busy one does.  Without
    coalescing every notification costs a read of its own (200, measured);
    its edits stay fewer (29), as each sync reads nova afresh and a late one
    finds nothing left to do, so the reads are what tells."""
    rig = make_rig()
    hosts = [f'c{index}' for index in range(20)]
    for index, host in enumerate(hosts):
        rig.host(host, f'ethernet1/{index + 1}')
    rig.start()
    rig.switch.faults.latency = 1.0
    before = rig.switch.rpc_counts()
    nova = rig.publisher()
    notifications = 200
    for index in range(notifications):
        host = hosts[index % 20]
        nova.create(rig.boot(host, 100 + index), host)
    rig.switch.faults.latency = 0.0
    for index in range(20):
        vlans = {1} | {100 + v for v in range(notifications) if v % 20 == index}
        allowed_becomes(rig, f'ethernet1/{index + 1}', vlans)
    assert rig.service.reconciler.wait_idle(15)
    after = rig.switch.rpc_counts()
    edits = after['edit-config'] - before.get('edit-config', 0)
    reads = sum(after.values()) - sum(before.values()) - edits
    assert notifications / edits >= 5, f'{edits} edit-configs for {notifications} notifications'
    assert notifications / reads >= 5, f'{reads} reads for {notifications} notifications'


def test_dropped_notification_is_repaired_by_the_full_sync_timer(make_rig):
    rig = make_rig(psvm_sync_interval=1, psvm_sync_jitter=0.0)
    rig.host('c1', 'ethernet1/1')
    rig.start()
    rig.boot('c1', 120)
    allowed_becomes(rig, 'ethernet1/1', {1, 120})
    rig.switch.set_allowed('ethernet1/1', {1, 120, 666})
    allowed_becomes(rig, 'ethernet1/1', {1, 120})


def test_network_associated_in_nova_db_is_picked_up_by_the_poller(make_rig):
    rig = make_rig(psvm_network_poll_interval=1)
    rig.host('c1', 'ethernet1/1')
    rig.host('c2', 'ethernet1/2')
    network = rig.network(400)
    rig.start()
    rig.nova.associate_network(network, 'c1')
    allowed_becomes(rig, 'ethernet1/1', {1, 400})
    rig.nova.associate_network(network, 'c2')
    allowed_becomes(rig, 'ethernet1/1', {1})
    allowed_becomes(rig, 'ethernet1/2', {1, 400})


@pytest.mark.parametrize('target', [{'host': 'c1'}, 'switch', {'full': True}, {}],
                         ids=['host', 'switch', 'full', 'no-argument'])
def test_rpc_cast_resyncs(make_rig, target):
    rig = make_rig()
    rig.host('c1', 'ethernet1/1', vlans=(130,))
    rig.start()
    rig.switch.set_allowed('ethernet1/1', {1, 130, 666})
    if target == 'switch':
        target = {'switch_id': rig.switch_id}
    rig.resync_client().resync(**target)
    allowed_becomes(rig, 'ethernet1/1', {1, 130})


def test_hanging_switch_does_not_delay_the_others(make_rig):
    rig = make_rig(**{'switches.rpc_timeout': 2.0, 'switches.connect_timeout': 2.0})
    with LabSwitch(users={'admin': 'secret'}, ports='1/1-4', name='lab2') as other:
        rig.host('c1', 'ethernet1/1')
        rig.host('c9', 'ethernet1/1', switch_id=rig.add_switch(other))
        rig.start()
        other.faults.stall = True
        nova = rig.publisher()
        stuck = rig.boot('c9', 140)
        nova.create(stuck, 'c9')
        nova.create(rig.boot('c1', 141), 'c1')
        allowed_becomes(rig, 'ethernet1/1', {1, 141}, timeout=5)
        assert other.allowed('ethernet1/1') == {1}
        other.faults.stall = False
        other.wait_for(lambda: other.allowed('ethernet1/1') == {1, 140}, timeout=30)


def test_refused_port_backs_off_alone_while_the_others_sync(make_rig):
    rig = make_rig(**{'listener.retry_base': 1.0})
    for index in range(1, 9):
        rig.host(f'c{index}', f'ethernet1/{index}', vlans=(100 + index,))
    rig.switch.faults.refused_ports = frozenset({'ethernet1/3'})
    rig.start()
    for index in (1, 2, 4, 5, 6, 7, 8):
        assert rig.switch.allowed(f'ethernet1/{index}') == {1, 100 + index}
    assert rig.switch.allowed('ethernet1/3') is sim_vlans.ALL
    assert rig.service.metrics.refused_ports.labels(str(rig.switch_id))._value.get() == 1

    def refusal_recorded():
        """Last-sync records are written together every [listener] record_interval."""
        record = rig.database.get_switch(rig.switch_id)['last_sync_result'] or ''
        return record if 'refused port' in record else None
    record = rig.switch.wait_for(refusal_recorded, timeout=10)
    assert 'refused port ethernet1/3: ' in record and 'port-channel' in record
    nova = rig.publisher()
    nova.create(rig.boot('c1', 200), 'c1')
    allowed_becomes(rig, 'ethernet1/1', {1, 101, 200}, timeout=0.9)
    rig.switch.faults.refused_ports = frozenset()
    allowed_becomes(rig, 'ethernet1/3', {1, 103})
