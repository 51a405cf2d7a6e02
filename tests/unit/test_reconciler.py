import contextlib
import threading
import time

import pytest

from psvm_listener import errors
from psvm_listener import intents
from psvm_listener import metrics
from psvm_listener import plan
from psvm_listener import reconciler
from psvm_listener.db import facts
from psvm_listener.handlers import base
from psvm_listener.lab.scenario import wait_until

BINDINGS = [
    {'id': 1, 'switch_id': 1, 'compute_node_id': 10, 'switch_port': 'ethernet1/1'},
    {'id': 2, 'switch_id': 1, 'compute_node_id': 11, 'switch_port': 'ethernet1/2'},
    {'id': 3, 'switch_id': 2, 'compute_node_id': 11, 'switch_port': 'ethernet1/9'},
    {'id': 4, 'switch_id': 2, 'compute_node_id': 12, 'switch_port': 'ethernet1/3'},
]
HOSTS = {10: 'c1', 11: 'c2', 12: 'c3'}


class FakeDatabase:
    """Switches, bindings and move intents held in memory."""

    def __init__(self):
        self.switches = [{'id': 1}, {'id': 2}]
        self.bindings = list(BINDINGS)
        self.listed = 0
        self.moves = {}

    def start_move(self, ttl, instance_uuid, dest_host, source_host=None):
        self.moves[instance_uuid] = {'instance_uuid': instance_uuid, 'dest_host': dest_host,
                                     'source_host': source_host}

    def end_move(self, instance_uuid):
        return self.moves.pop(instance_uuid, None)

    def list_moves(self):
        return list(self.moves.values())

    def list_switches(self):
        return self.switches

    def list_bindings(self, switch_id=None, compute_node_ids=None):
        self.listed += 1
        return [b for b in self.bindings if switch_id in (None, b['switch_id'])]

    def bindings_version(self):
        return tuple(sorted(tuple(sorted(b.items())) for b in self.bindings))

    def bindings_by_switch(self):
        self.listed += 1
        pairs = {}
        for b in self.bindings:
            pairs.setdefault(b['switch_id'], []).append((b['switch_port'], b['compute_node_id']))
        return {switch_id: facts.SwitchBindings(self.bindings_version(), tuple(rows))
                for switch_id, rows in pairs.items()}


class FakeInventory:
    def __init__(self):
        self.needs_read = []
        self.hosts = HOSTS

    def hosts_of_compute_nodes(self, ids):
        return {i: self.hosts[i] for i in ids}

    def needs_of_compute_nodes(self, ids, intents=None):
        self.needs_read.append(tuple(ids))
        return {i: frozenset({100 + i}) for i in ids}


class Result:
    lif_usage = 42
    lif_limit = 32000
    drift = 0
    changes = ()
    refusals = ()
    reloaded = False
    unsaved = False


class FakePlugin:
    """Records syncs; ``gates[switch]`` holds a sync until set, ``failures``
    makes the next syncs of a switch raise."""

    def __init__(self, database=None):
        self.database = database or FakeDatabase()
        self.syncs = []
        self.needs = []
        self.gates = {}
        self.failures = {}
        self.forgotten = []
        self.saves = []
        self.cond = threading.Condition()

    def sync(self, switch_id, ports=None, *, force=False, dry_run=False, needs=None,
             bindings=None):
        """Records the moves a real plugin reads with the bindings, too."""
        with self.cond:
            self.syncs.append((switch_id, ports,
                               intents.by_destination(self.database.list_moves())))
            self.needs.append((switch_id, needs))
            self.cond.notify_all()
        gate = self.gates.get(switch_id)
        if gate is not None:
            assert gate.wait(30)
        pending = self.failures.get(switch_id)
        if pending:
            outcome = pending.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome
        return Result()

    def forget(self, switch_id):
        self.forgotten.append(switch_id)

    def save(self, switch_id):
        with self.cond:
            self.saves.append(switch_id)
            self.cond.notify_all()

    def wait_syncs(self, predicate, timeout=10):
        with self.cond:
            assert self.cond.wait_for(lambda: predicate(self.syncs), timeout), self.syncs


@pytest.fixture
def plugin(database):
    return FakePlugin(database)


@pytest.fixture
def database():
    return FakeDatabase()


@pytest.fixture
def inventory():
    return FakeInventory()


@pytest.fixture
def rec(database, inventory, plugin):
    rec = reconciler.Reconciler(database, inventory, plugin, metrics.Metrics(),
                                recheck_delay=0.2, backoff_base=0.01, backoff_cap=0.05)
    rec.refresh()
    assert rec.wait_idle(10)
    plugin.syncs.clear()
    plugin.needs.clear()
    inventory.needs_read.clear()
    yield rec
    for gate in plugin.gates.values():
        gate.set()
    assert rec.stop(10) == []


def test_the_poll_reads_the_bindings_again_only_when_they_or_their_hosts_changed(database):
    index, inventory = reconciler.BindingIndex(), FakeInventory()
    index.refresh(database, inventory, if_changed=True)
    index.refresh(database, inventory, if_changed=True)
    assert database.listed == 1
    database.bindings.append(
        {'id': 5, 'switch_id': 1, 'compute_node_id': 12, 'switch_port': 'ethernet1/5'})
    index.refresh(database, inventory, if_changed=True)
    assert database.listed == 2
    assert index.ports_of(['c3']) == {1: {'ethernet1/5'}, 2: {'ethernet1/3'}}
    inventory.hosts = {**HOSTS, 12: 'c3-renamed'}
    index.refresh(database, inventory, if_changed=True)
    assert database.listed == 3
    assert index.ports_of(['c3']) == {}
    index.refresh(database, inventory, if_changed=True)
    index.refresh(database, inventory)
    assert database.listed == 4


def test_host_marks_only_its_ports_on_each_switch(rec, plugin):
    rec.mark_hosts({'c2'})
    assert rec.wait_idle(10)
    assert sorted(s[:2] for s in plugin.syncs) == [
        (1, ['ethernet1/2']), (2, ['ethernet1/9'])]


def test_unbound_host_syncs_nothing(rec, plugin):
    rec.mark_hosts({'elsewhere'})
    assert rec.wait_idle(10)
    assert plugin.syncs == []


def test_marks_during_a_sync_coalesce_into_one_next_sync(rec, plugin):
    plugin.gates[1] = threading.Event()
    rec.mark_hosts({'c1'})
    plugin.wait_syncs(lambda syncs: len(syncs) == 1)
    for _ in range(100):
        rec.mark_hosts({'c1'})
        rec.mark_hosts({'c2'})
    plugin.gates[1].set()
    assert rec.wait_idle(10)
    ones = [s[:2] for s in plugin.syncs if s[0] == 1]
    assert ones == [(1, ['ethernet1/1']), (1, ['ethernet1/1', 'ethernet1/2'])]


def test_hanging_switch_does_not_delay_the_others(rec, plugin):
    plugin.gates[1] = threading.Event()
    rec.mark_hosts({'c1'})
    plugin.wait_syncs(lambda syncs: syncs)
    rec.mark_hosts({'c3'})
    plugin.wait_syncs(lambda syncs: (2, ['ethernet1/3'], {}) in syncs)


def test_a_switch_waits_for_a_sync_slot_and_its_marks_meanwhile_make_one_batch(
        database, inventory, plugin):
    rec = reconciler.Reconciler(database, inventory, plugin, metrics.Metrics(),
                                concurrent_syncs=1)
    rec.refresh()
    assert rec.wait_idle(10)
    plugin.syncs.clear()
    plugin.gates[1] = threading.Event()
    rec.mark_hosts({'c1'})
    plugin.wait_syncs(lambda syncs: len(syncs) == 1)
    rec.mark_hosts({'c3'})
    rec.mark_hosts({'c2'})
    with plugin.cond:
        assert not plugin.cond.wait_for(
            lambda: any(s[0] == 2 for s in plugin.syncs), timeout=0.3)
    plugin.gates[1].set()
    assert rec.wait_idle(10)
    assert [s[:2] for s in plugin.syncs if s[0] == 2] == [(2, ['ethernet1/3', 'ethernet1/9'])]
    assert rec.stop(10) == []


def test_failed_ports_stay_dirty_and_are_retried_with_backoff(rec, plugin):
    plugin.failures[2] = [errors.RetryLater('unreachable'), errors.Permanent('rejected')]
    rec.mark_hosts({'c3'})
    plugin.wait_syncs(lambda syncs: len([s for s in syncs if s[0] == 2]) == 3)
    assert rec.wait_idle(10)
    assert [s[1] for s in plugin.syncs] == [['ethernet1/3']] * 3
    assert rec.metrics.failures.labels('2')._value.get() == 2
    assert rec.metrics.lif_usage.labels('2')._value.get() == 42


def test_a_refused_sync_is_counted_by_guard_and_is_not_a_success(rec, plugin):
    assert rec.wait_idle(10)
    last_success = rec.metrics.last_success.labels('1')
    before = last_success._value.get()
    refused = Result()
    refused.refusals = (plan.Refusal(plan.REMOVAL_RATIO, 'would remove 3 of 4'),)
    plugin.failures[1] = [refused]
    rec.mark_hosts({'c1'})
    assert rec.wait_idle(10)
    assert rec.metrics.refusals.labels('1', plan.REMOVAL_RATIO)._value.get() == 1
    assert last_success._value.get() == before
    rec.mark_hosts({'c1'})
    assert rec.wait_idle(10)
    assert last_success._value.get() > before


def test_a_full_sync_waiting_counts_every_bound_port_in_the_queue_depth(rec, plugin):
    plugin.gates[1] = threading.Event()
    rec.mark_hosts({'c1'})
    plugin.wait_syncs(lambda syncs: syncs)
    rec.mark_switch(1)
    assert rec.metrics.queue_depth.labels('1')._value.get() == 2
    plugin.gates[1].set()
    assert rec.wait_idle(10)


def test_changes_are_saved_once_per_save_delay_not_per_sync(database, plugin):
    rec = reconciler.Reconciler(database, FakeInventory(), plugin, metrics.Metrics(),
                                save_delay=0.2)
    rec.refresh()
    changed = Result()
    changed.unsaved = True
    plugin.failures[1] = [changed] * 5
    for _ in range(5):
        rec.mark_hosts({'c1'})
        assert rec.wait_idle(10)
    with plugin.cond:
        assert plugin.cond.wait_for(lambda: plugin.saves, 10)
    rec.mark_hosts({'c1'})
    assert rec.wait_idle(10)
    assert plugin.saves == [1]
    assert rec.metrics.unsaved.labels('1')._value.get() == 0
    rec.stop(5)


def test_a_switch_that_dropped_its_session_is_retried_soon_and_fully(database, plugin):
    rec = reconciler.Reconciler(database, FakeInventory(), plugin, metrics.Metrics(),
                                backoff_base=30, backoff_cap=60)
    rec.refresh()
    assert rec.wait_idle(10)
    plugin.syncs.clear()
    plugin.failures[1] = [errors.RetryLater('refused', retry_after=0.01)] * 3
    plugin.on_lost(1)
    assert rec.wait_idle(5)
    assert [s[:2] for s in plugin.syncs] == [(1, None)] * 4
    rec.stop(5)


def test_full_sync_marks_every_switch_with_all_ports(rec, plugin):
    rec.mark_all()
    assert rec.wait_idle(10)
    assert sorted(s[:2] for s in plugin.syncs) == [(1, None), (2, None)]


def test_move_intent_is_held_for_the_plugin_until_the_move_ends(rec, plugin):
    rec.apply(base.Change(frozenset({'c1'}), moves_started=(('vm-1', 'c1', 'c3'),)))
    assert rec.wait_idle(10)
    assert {s[0]: s[2] for s in plugin.syncs} == {1: {'c3': {'vm-1'}}, 2: {'c3': {'vm-1'}}}
    plugin.syncs.clear()
    rec.apply(base.Change(frozenset({'c3'}), moves_ended=('vm-1',)))
    plugin.wait_syncs(lambda syncs: len(syncs) == 4)
    assert sorted(s[:3] for s in plugin.syncs) == [
        (1, ['ethernet1/1'], {}), (1, ['ethernet1/1'], {}),
        (2, ['ethernet1/3'], {}), (2, ['ethernet1/3'], {})]


def test_end_of_a_move_marks_its_hosts_again_after_the_delay(rec, plugin):
    rec.apply(base.Change(frozenset({'c3'}), moves_ended=('vm-9',)))
    plugin.wait_syncs(lambda syncs: len(syncs) == 1)
    first = time.monotonic()
    plugin.wait_syncs(lambda syncs: len(syncs) == 2)
    assert time.monotonic() - first >= 0.15
    assert [s[:2] for s in plugin.syncs] == [(2, ['ethernet1/3'])] * 2


def test_stop_reports_a_sync_that_outlives_the_bound(database, plugin):
    rec = reconciler.Reconciler(database, FakeInventory(), plugin, metrics.Metrics())
    rec.refresh()
    assert rec.wait_idle(10)
    plugin.gates[1] = threading.Event()
    rec.mark_hosts({'c1'})
    plugin.wait_syncs(lambda syncs: syncs)
    assert rec.stop(0.05) == [1]
    plugin.gates[1].set()
    assert rec.stop(10) == []


def test_deleted_switch_loses_its_worker_and_new_one_gets_one(rec, database, plugin):
    database.switches = [{'id': 2}, {'id': 3}]
    rec.refresh()
    assert sorted(rec.queue_depths()) == [2, 3]
    assert plugin.forgotten == [1]
    rec.mark_all()
    assert rec.wait_idle(10)
    assert sorted(s[0] for s in plugin.syncs) == [2, 3]


class UnreadableInventory(FakeInventory):
    def __init__(self):
        super().__init__()
        self.readable = False

    def hosts_of_compute_nodes(self, ids):
        if not self.readable:
            raise errors.RetryLater('nova is down')
        return super().hosts_of_compute_nodes(ids)


def test_first_refresh_that_succeeds_is_the_start_up_full_sync(database, plugin):
    inventory = UnreadableInventory()
    rec = reconciler.Reconciler(database, inventory, plugin, metrics.Metrics(),
                                index_wait=0.01)
    with pytest.raises(errors.RetryLater):
        rec.refresh()
    assert rec.full_sync_owed
    with pytest.raises(reconciler.IndexNotBuilt):
        rec.apply(base.Change(frozenset({'c1'})))
    inventory.readable = True
    rec.refresh()
    assert not rec.full_sync_owed
    assert rec.wait_idle(10)
    rec.refresh()
    assert rec.wait_idle(10)
    assert sorted(s[:2] for s in plugin.syncs) == [(1, None), (2, None)]
    assert rec.stop(10) == []


def test_notification_waits_for_the_index_being_built(database, plugin):
    inventory = UnreadableInventory()
    rec = reconciler.Reconciler(database, inventory, plugin, metrics.Metrics(),
                                index_wait=30)
    applied = []
    applying = threading.Thread(target=lambda: applied.append(
        rec.apply(base.Change(frozenset({'c3'})))))
    applying.start()
    inventory.readable = True
    rec.refresh()
    applying.join(10)
    assert applied == [None]
    assert rec.wait_idle(10)
    assert [s[1] for s in plugin.syncs if s[0] == 2][-1] in (None, ['ethernet1/3'])
    assert rec.stop(10) == []


def test_stop_syncs_every_dirty_port_before_it_ends(rec, plugin):
    plugin.gates[1] = threading.Event()
    rec.mark_hosts({'c1'})
    plugin.wait_syncs(lambda syncs: syncs)
    rec.mark_hosts({'c2'})
    stopping = threading.Thread(target=rec.stop, args=(10,))
    stopping.start()
    plugin.gates[1].set()
    stopping.join(10)
    assert [s[:2] for s in plugin.syncs if s[0] == 1] == [
        (1, ['ethernet1/1']), (1, ['ethernet1/2'])]


def test_stop_logs_the_ports_left_dirty_at_the_deadline(rec, plugin, caplog):
    plugin.gates[1] = threading.Event()
    rec.mark_hosts({'c1'})
    plugin.wait_syncs(lambda syncs: syncs)
    rec.mark_hosts({'c2'})
    assert rec.stop(0.05) == [1]
    assert 'Stopped with switch 1 ports ethernet1/1,ethernet1/2 still dirty' in caplog.text


class RefusingPlugin(FakePlugin):
    """Refuses every batch that holds ``refused``."""

    def __init__(self, refused):
        super().__init__()
        self.refused = refused

    def sync(self, switch_id, ports=None, **kwargs):
        super().sync(switch_id, ports, **kwargs)
        if ports is None or self.refused in ports:
            raise errors.Refused(f'{self.refused} is a port-channel member')
        return Result()


def test_refused_port_is_found_and_backs_off_alone(database):
    database.get_switch = lambda switch_id: {'last_sync_result': 'ok', 'lif_usage': 1,
                                             'drift': 0}
    database.record_sync = lambda switch_id, **values: values
    plugin = RefusingPlugin('ethernet1/2')
    rec = reconciler.Reconciler(database, FakeInventory(), plugin, metrics.Metrics(),
                                backoff_base=30, backoff_cap=60)
    rec.refresh()
    assert rec.wait_idle(10)
    assert (1, ['ethernet1/1']) in [s[:2] for s in plugin.syncs]
    plugin.syncs.clear()
    rec.mark_hosts({'c1', 'c2'})
    assert rec.wait_idle(10)
    assert [s[:2] for s in plugin.syncs if s[0] == 1] == [(1, ['ethernet1/1'])]
    assert rec.metrics.refused_ports.labels('1')._value.get() == 1
    assert rec._workers[1].queue.pending() == {'ethernet1/2'}
    assert rec.stop(10) == []


class Share(reconciler.coordination_.Solo):
    """A member that owns ``owned``, counts the locks it is asked for and
    knows which it holds."""

    def __init__(self, owned):
        super().__init__('m1')
        self.owned = set(owned)
        self.locked = []
        self.held = set()

    def owns(self, switch_id):
        return switch_id in self.owned

    @contextlib.contextmanager
    def sync_lock(self, switch_id):
        self.locked.append(switch_id)
        self.held.add(switch_id)
        try:
            yield
        finally:
            self.held.discard(switch_id)


class WatchedSaves(FakePlugin):
    """Records, for each save, whether the member held the switch's lock."""

    def __init__(self, share):
        super().__init__()
        self.share = share
        self.saved_holding = []

    def save(self, switch_id):
        self.saved_holding.append((switch_id, switch_id in self.share.held))
        super().save(switch_id)


def test_a_member_marks_and_syncs_only_the_switches_it_owns(database, plugin):
    share = Share({2})
    rec = reconciler.Reconciler(database, FakeInventory(), plugin, metrics.Metrics(),
                                coordination=share)
    try:
        rec.mark_all(reason='start-up')
        rec.mark_hosts({'c1', 'c2', 'c3'})
        assert rec.wait_idle(10)
        assert {s[0] for s in plugin.syncs} == {2}
        assert share.locked == [2] * len(plugin.syncs)
    finally:
        rec.stop(10)


def test_a_member_saves_under_the_lock_and_leaves_a_switch_handed_over_to_its_owner(
        database):
    share = Share({1, 2})
    plugin = WatchedSaves(share)
    changed = Result()
    changed.unsaved = True
    plugin.failures = {1: [changed], 2: [changed]}
    rec = reconciler.Reconciler(database, FakeInventory(), plugin, metrics.Metrics(),
                                coordination=share, save_delay=1.0)
    try:
        rec.refresh()
        assert rec.wait_idle(10)
        share.owned = {1}
        rec.rebalance()
        with plugin.cond:
            assert plugin.cond.wait_for(lambda: plugin.saves, 10)
        wait_until(lambda: rec._workers[2].save_due is None, 10, 'the save of switch 2 due')
        assert plugin.saved_holding == [(1, True)]
        assert plugin.forgotten == [2]
    finally:
        rec.stop(10)


def test_a_takeover_fully_syncs_the_switches_gained_and_forgets_those_lost(
        database, plugin):
    share, counters = Share({2}), metrics.Metrics()
    rec = reconciler.Reconciler(database, FakeInventory(), plugin, counters,
                                coordination=share)
    try:
        rec.mark_all(reason='start-up')
        assert rec.wait_idle(10)
        del plugin.syncs[:]
        share.owned = {1}
        rec.rebalance()
        assert rec.wait_idle(10)
        assert [s[:2] for s in plugin.syncs] == [(1, None)]
        assert plugin.forgotten == [2]
        assert counters.registry.get_sample_value('psvm_switch_takeovers_total') == 1
        assert counters.registry.get_sample_value(
            'psvm_switches_owned', {'member': 'm1'}) == 1
        rec.rebalance()
        assert rec.wait_idle(10)
        assert len(plugin.syncs) == 1, 'no ownership change, no second full sync'
    finally:
        rec.stop(10)


def test_a_full_sync_of_every_switch_reads_nova_once_for_all(rec, inventory, plugin):
    rec.mark_all()
    assert rec.wait_idle(10)
    assert inventory.needs_read == [(10, 11, 12)]
    shared = {switch_id: needs for switch_id, needs in plugin.needs}
    assert shared.keys() == {1, 2} and shared[1] is shared[2] is not None


def test_a_switch_marked_after_the_shared_read_reads_nova_itself(rec, inventory, plugin):
    plugin.gates[2] = threading.Event()
    rec.mark_hosts({'c3'})
    plugin.wait_syncs(lambda syncs: len(syncs) == 1)
    rec.mark_all()
    plugin.wait_syncs(lambda syncs: (1, None, {}) in syncs)
    rec.mark_hosts({'c3'})
    plugin.gates[2].set()
    assert rec.wait_idle(10)
    assert inventory.needs_read == [(10, 11, 12)]
    assert [needs for switch_id, needs in plugin.needs if switch_id == 2] == [None, None]
    assert [ports for switch_id, ports, _ in plugin.syncs if switch_id == 2] == [
        ['ethernet1/3'], None]
