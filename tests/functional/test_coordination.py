"""Members of one tooz group on real backends: ownership, locks, fencing."""

import contextlib
import threading
import time

import pytest
from tooz import coordination as tooz_coordination

from psvm_listener import coordination
from psvm_listener import metrics
from psvm_listener.lab.scenario import wait_until
from tests import coordination_backends as backends

SWITCHES = range(1, 13)


@pytest.fixture(params=['redis', 'etcd3'])
def backend_url(request, tmp_path):
    """The shared Redis (own group per test) or a private etcd."""
    if request.param == 'redis':
        yield f'{backends.SHARED_REDIS}?timeout={backends.LEASE}'
        return
    with backends.private(tmp_path, 'etcd3') as server:
        yield server.url


class Recorder:
    """What a member tells its reconciler."""

    def __init__(self):
        self.changes = []
        self.fenced = []
        self.cond = threading.Condition()

    def on_change(self, everything=False):
        with self.cond:
            self.changes.append(everything)
            self.cond.notify_all()

    def on_fence(self, switch_ids):
        with self.cond:
            self.fenced.append(tuple(switch_ids))
            self.cond.notify_all()


@pytest.fixture
def members():
    started = []

    def start(url, group, host, **kwargs):
        member = coordination.Member(url, group, host, metrics.Metrics(),
                                     interval=0.2, **kwargs)
        recorder = Recorder()
        member.start(recorder.on_change, recorder.on_fence)
        started.append(member)
        return member, recorder
    yield start
    for member in started:
        with contextlib.suppress(Exception):
            member.stop()


def owners_seen(members_):
    return {s: [m.member for m in members_ if m.owns(s)] for s in SWITCHES}


def test_each_switch_has_one_owner_and_a_leaving_member_moves_only_its_share(
        backend_url, members):
    group = backends.unique_group()
    trio = [members(backend_url, group, host)[0] for host in ('m1', 'm2', 'm3')]
    wait_until(lambda: all(len(o) == 1 for o in owners_seen(trio).values()), 10,
               'every switch owned once')
    before = {s: o[0] for s, o in owners_seen(trio).items()}
    assert set(before.values()) == {'m1', 'm2', 'm3'}
    trio[2].stop()
    pair = trio[:2]
    wait_until(lambda: all(len(o) == 1 for o in owners_seen(pair).values()), 10,
               'the share of the member that left taken over')
    after = {s: o[0] for s, o in owners_seen(pair).items()}
    assert {s: m for s, m in after.items() if before[s] != 'm3'} == \
        {s: m for s, m in before.items() if m != 'm3'}
    assert coordination.owners(coordination.group_members(_conf(backend_url, group), 'cli'),
                               SWITCHES) == after


def test_a_member_that_stops_heartbeating_loses_its_share_after_its_lease(
        backend_url, members):
    group = backends.unique_group()
    member, recorder = members(backend_url, group, 'alive')
    silent = tooz_coordination.get_coordinator(backend_url, b'silent')
    silent.start(start_heart=False)
    silent.join_group(group.encode()).get()
    wait_until(lambda: not all(member.owns(s) for s in SWITCHES), 10,
               'the silent member counted')
    wait_until(lambda: all(member.owns(s) for s in SWITCHES), backends.LEASE + 3,
               'the silent member dropped after its lease')
    assert recorder.changes[-1] is False
    silent.stop()


def test_a_switch_lock_keeps_other_processes_out(backend_url, members):
    # Exclusion, not expiry, is under test: a lease long enough that a worker
    # starved by a loaded machine never lets a held lock lapse mid-test.
    backend_url = backend_url.replace(f'timeout={backends.LEASE}', 'timeout=10')
    group = backends.unique_group()
    member, _ = members(backend_url, group, 'holder', max_sessions=2)
    other = tooz_coordination.get_coordinator(backend_url, b'psvm-manage-test')
    other.start()
    locks = coordination.Locks(other, group, max_sessions=2)
    with coordination.renewing(other, float(other.heartbeat())):
        _both_slots_exclude_the_other(member, locks)
    other.stop()


def _both_slots_exclude_the_other(member, locks):
    with member.sync_lock(7):
        second = locks.acquire(7, wait=0.2)
        with pytest.raises(coordination.LockBusy):
            locks.acquire(7, wait=0.5)
        locks.release(7, second)
    with locks.hold(7, wait=5), locks.hold(7, wait=5):
        with pytest.raises(coordination.LockBusy):
            with member.sync_lock(7):
                pass


@pytest.mark.parametrize('kind', ['redis', 'etcd3'])
def test_backend_unreachable_fences_the_member_until_it_is_back(tmp_path, members, kind):
    with backends.private(tmp_path, kind) as server:
        member, recorder = members(server.url, backends.unique_group(), 'fenced')
        holding, release = threading.Event(), threading.Event()

        def sync():
            with member.sync_lock(3):
                holding.set()
                release.wait(30)
        syncing = threading.Thread(target=sync)
        syncing.start()
        assert holding.wait(10)
        server.freeze()
        with recorder.cond:
            assert recorder.cond.wait_for(lambda: (3,) in recorder.fenced,
                                          backends.LEASE * coordination.FENCE_SHARE + 2)
        assert member.fenced()
        with pytest.raises(coordination.Fenced):
            with member.sync_lock(4):
                pass
        assert all(member.owns(s) for s in SWITCHES), 'ownership kept while fenced'
        release.set()
        syncing.join()
        server.thaw()
        with recorder.cond:
            assert recorder.cond.wait_for(lambda: True in recorder.changes[1:], 15)
        assert not member.fenced()
        with member.sync_lock(4):
            pass


def _conf(url, group):
    from tests import sync_rig
    return sync_rig.make_conf(**{'coordination.backend_url': url,
                                 'coordination.group': group})


def test_a_member_started_before_its_backend_joins_once_it_answers(tmp_path, members):
    server = backends.Server(tmp_path, 'redis')
    started = time.monotonic()
    member, recorder = members(server.url, backends.unique_group(), 'early')
    assert time.monotonic() - started < coordination.START_WAIT + 5, 'start waits, bounded'
    assert member.fenced() and not any(member.owns(s) for s in SWITCHES)
    server.start()
    try:
        with recorder.cond:
            assert recorder.cond.wait_for(lambda: recorder.changes == [True], 90)
        assert all(member.owns(s) for s in SWITCHES) and not member.fenced()
        member.stop()
    finally:
        server.stop()


def test_two_clouds_on_one_backend_never_lock_each_others_switches(backend_url, members):
    # Switch ids are per cloud: switch 7 of one group is not switch 7 of another.
    first, _ = members(backend_url, backends.unique_group(), 'cloud-a')
    second, _ = members(backend_url, backends.unique_group(), 'cloud-b')
    with first.sync_lock(7), second.sync_lock(7):
        pass
