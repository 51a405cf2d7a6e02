"""Several psvm-listeners sharing the switches, through tooz.

No backend (``[coordination] backend_url`` empty): ``Solo``.  This process
owns every switch and a sync takes no lock: one listener, as before, with
nothing on its hot path but two calls that return at once.

With a backend, each listener is a ``Member`` of one tooz group, its member
id ``[DEFAULT] host``:

- ownership: the live members form a consistent hash ring (tooz.hashring);
  a switch belongs to the member the ring gives it, so a member joining or
  leaving moves only its own share.  Every heartbeat re-reads the group, and
  a change calls ``on_change`` (the reconciler takes over what it gained
  with a full sync and closes the sessions of what it lost);
- locks: every sync of a switch holds a tooz lock of that switch (one of
  ``[switches] max_sessions`` slots), taken by members and by
  ``psvm-manage sync --local`` alike, so two processes never edit one
  switch at once, even while ownership moves between two heartbeats;
- fencing: a lock is a lease that the heartbeat renews.  A member whose
  last successful heartbeat is half a lease old is *fenced*: it takes no
  lock, and ``on_fence`` closes the sessions of the switches it is syncing,
  so it has stopped talking to them well before its leases can expire and
  another member take their locks.  Marks keep being made; once heartbeats
  succeed again the member re-reads the group and fully syncs what it owns
  (``on_change(everything=True)``), since others may have synced its
  switches meanwhile.

The lease is what the backend's heartbeat says it is (tooz's ``timeout``
URL parameter, 30 s unless set).
"""

import contextlib
import random
import threading
import time

import tenacity
import tooz
from etcd3gw import exceptions as etcd3gw_exceptions
from oslo_log import log as logging
from tooz import coordination as tooz_coordination
from tooz import hashring

from psvm_listener import errors

LOG = logging.getLogger(__name__)
LOCK_PREFIX = 'psvm-switch'
FENCE_SHARE = 0.5
WATCH_INTERVAL = 0.1
LOCK_LINGER = 1.0
START_WAIT = 10.0
# tooz translates most backend errors into ToozError; its etcd3 heartbeat
# lets the client's own through.
BACKEND_ERRORS = (tooz.ToozError, etcd3gw_exceptions.Etcd3Exception)


class Fenced(errors.RetryLater):
    """No heartbeat for half a lease: this member syncs nothing until it is back."""


class LockBusy(errors.RetryLater):
    """Every session slot of the switch stayed taken by other processes."""


class BackendUnavailable(errors.RetryLater):
    """The coordination backend does not answer."""


def enabled(conf):
    return bool(conf.coordination.backend_url)


def from_config(conf, metrics=None):
    """The coordination of a psvm-listener: a ``Member`` or ``Solo``."""
    if not enabled(conf):
        return Solo(conf.host)
    return Member(conf.coordination.backend_url, conf.coordination.group, conf.host,
                  metrics, interval=conf.coordination.heartbeat_interval,
                  max_sessions=conf.switches.max_sessions)


def owner(members, switch_id):
    """The member of ``members`` (bytes ids) that owns ``switch_id``."""
    if not members:
        return None
    return next(iter(hashring.HashRing(members).get_nodes(_key(switch_id))))


def _key(switch_id):
    return str(switch_id).encode()


class Solo:
    """The only psvm-listener: owns every switch, needs no lock."""

    def __init__(self, host):
        self.member = host

    def start(self, on_change, on_fence):
        """Nothing to join; ``on_change`` and ``on_fence`` are never called."""

    def stop(self):
        pass

    def owns(self, switch_id):
        return True

    def sync_lock(self, switch_id):
        return contextlib.nullcontext()


def reason(exc):
    """What a backend error says, or its type: etcd3gw's ConnectionFailedError
    says nothing at all."""
    return str(exc) or type(exc).__name__


class Locks:
    """The session slots of each switch, as tooz locks on one coordinator.

    ``max_sessions`` slots per switch: a sync takes any free one, or waits
    up to ``wait`` seconds for one at random among those this process does
    not hold itself.  A slot this process holds is never tried again:
    tooz's etcd3 lock takes a new lease on every try, so a try on a held
    lock would leave its key on a lease nobody renews, and it would expire
    under its holder.

    The locks are named after the ``group`` too: switch ids are per cloud,
    and two clouds (or two test runs) sharing one backend under groups of
    their own must never lock each other's switches.
    """

    def __init__(self, coordinator, group, max_sessions, metrics=None):
        self._coordinator = coordinator
        self._group = group
        self._slots = max_sessions
        self._metrics = metrics
        self._locks = {}
        self._guard = threading.Lock()

    def _slot_locks(self, switch_id):
        with self._guard:
            if switch_id not in self._locks:
                self._locks[switch_id] = [
                    self._coordinator.get_lock(
                        f'{LOCK_PREFIX}-{self._group}-{switch_id}-{slot}'.encode())
                    for slot in range(self._slots)]
            return self._locks[switch_id]

    def acquire(self, switch_id, wait):
        """A held lock of one slot of ``switch_id``; LockBusy after ``wait`` s."""
        started = time.monotonic()
        locks = self._slot_locks(switch_id)
        others = [lock for lock in locks if not lock.acquired]
        try:
            held = next((lock for lock in others if lock.acquire(blocking=False)), None)
            if held is None and others:
                held = self._wait_for(random.choice(others), wait)
        except BACKEND_ERRORS as exc:
            raise BackendUnavailable(f'switch {switch_id}: lock not taken: {reason(exc)}') from exc
        if self._metrics is not None:
            self._metrics.lock_wait.observe(time.monotonic() - started)
        if held is None and not others:
            raise LockBusy(f'switch {switch_id}: this process holds its {self._slots} '
                           f'session slot(s) already')
        if held is None:
            raise LockBusy(f'switch {switch_id}: its {self._slots} session slot(s) stayed '
                           f'taken by other psvm processes for {wait:.1f} s')
        return held

    @staticmethod
    def _wait_for(lock, wait):
        """The lock once free, or None after ``wait`` s.  tooz's etcd3 lock
        says so with tenacity's RetryError rather than False."""
        try:
            return lock if lock.acquire(blocking=wait) else None
        except tenacity.RetryError:
            return None

    @staticmethod
    def release(switch_id, lock):
        """Give the slot back; one that cannot be released expires with its lease."""
        try:
            lock.release()
        except BACKEND_ERRORS as exc:
            LOG.warning('switch %s: lock not released (its lease will expire): %s',
                        switch_id, exc)

    @contextlib.contextmanager
    def hold(self, switch_id, wait):
        lock = self.acquire(switch_id, wait)
        try:
            yield
        finally:
            self.release(switch_id, lock)


@contextlib.contextmanager
def sync_locks(conf, member_id):
    """Locks for a process that syncs without being a member (``psvm-manage
    sync --local``): ``hold(switch_id)``, or no-ops without a backend.  Each
    waits up to one lease for a listener's sync (and its linger) to end, then
    fails with LockBusy; ``renewing`` keeps the leases of a long sync."""
    if not enabled(conf):
        yield lambda switch_id: contextlib.nullcontext()
        return
    coordinator = tooz_coordination.get_coordinator(conf.coordination.backend_url,
                                                    member_id.encode())
    try:
        coordinator.start()
        lease = float(coordinator.heartbeat())
    except BACKEND_ERRORS as exc:
        raise BackendUnavailable(f'coordination backend: {reason(exc)}') from exc
    locks = Locks(coordinator, conf.coordination.group, conf.switches.max_sessions)
    try:
        with renewing(coordinator, lease):
            yield lambda switch_id: locks.hold(switch_id, wait=lease)
    finally:
        coordinator.stop()


@contextlib.contextmanager
def renewing(coordinator, lease):
    """Renew ``coordinator``'s held locks every third of a lease, on a thread
    of its own.  tooz's own heart waits a whole lease between two beats,
    which lets a lock expire just before it is renewed."""
    stop = threading.Event()

    def renew():
        while not stop.wait(lease / 3):
            try:
                coordinator.heartbeat()
            except BACKEND_ERRORS as exc:
                LOG.warning('Could not renew the switch locks: %s', exc)
    thread = threading.Thread(target=renew, name='coordination-renew', daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def group_members(conf, member_id):
    """The live members of the group, as text, or None without a backend."""
    if not enabled(conf):
        return None
    return probe(conf, member_id)[0]


def probe(conf, member_id):
    """(live members as text, lease in seconds) of the configured group, as
    a process that joins nothing sees them; BackendUnavailable if it does
    not answer."""
    coordinator = tooz_coordination.get_coordinator(conf.coordination.backend_url,
                                                    member_id.encode())
    try:
        coordinator.start()
        try:
            lease = float(coordinator.heartbeat())
            try:
                members = coordinator.get_members(conf.coordination.group.encode()).get()
            except tooz_coordination.GroupNotCreated:
                members = set()
            return {m.decode() for m in members}, lease
        finally:
            coordinator.stop()
    except BACKEND_ERRORS as exc:
        raise BackendUnavailable(f'coordination backend: {reason(exc)}') from exc


def owners(members, switch_ids):
    """switch id → owning member (text), over ``members`` (text)."""
    encoded = {m.encode() for m in members}
    return {switch_id: (owner(encoded, switch_id) or b'').decode() or None
            for switch_id in switch_ids}


class Member:
    """One psvm-listener in the tooz group: heartbeats, ownership, locks, fencing."""

    def __init__(self, url, group, host, metrics, *, interval=1.0, max_sessions=1):
        self.member = host
        self._id = host.encode()
        self._group = group.encode()
        self._metrics = metrics
        self._interval = interval
        self._coordinator = tooz_coordination.get_coordinator(url, self._id)
        self._locks = Locks(self._coordinator, group, max_sessions, metrics)
        self._started = False
        self._members = frozenset()
        self._last_beat = None
        self._lease = None
        self._fence_reported = False
        self._trusted = False
        self._unreachable = False
        self._held = {}
        self._lingering = {}
        self._state = threading.Lock()
        self._stopping = threading.Event()
        self._first_beat = threading.Event()
        self._threads = []
        self._on_change = self._on_fence = None

    # -- lifecycle ---------------------------------------------------------

    def start(self, on_change, on_fence):
        """Heartbeat and watch on threads of their own, waiting up to
        ``START_WAIT`` s for the first heartbeat and group read, so ownership
        is known before the start-up full sync.  A backend down at start
        (tooz's Redis driver retries for a minute) leaves the member fenced
        until it is back: marks are made, nothing is synced, and the first
        good heartbeat syncs every switch it owns."""
        self._on_change, self._on_fence = on_change, on_fence
        for name, loop in (('coordination-heartbeat', self._heartbeat_loop),
                           ('coordination-fence', self._fence_loop)):
            thread = threading.Thread(target=loop, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        if not self._first_beat.wait(START_WAIT):
            LOG.warning('Coordination backend not answering yet (member %s): syncing '
                        'nothing until it does', self.member)

    def stop(self):
        """Leave the group at once (the others take over now, not after a
        lease) and release every lock; run after the syncs have stopped.
        Safe to call twice."""
        self._stopping.set()
        for thread in self._threads:
            thread.join()
        if not self._started:
            return
        self._started = False
        self._release_lingering(lambda switch_id, until: True)
        try:
            self._coordinator.leave_group(self._group).get()
        except BACKEND_ERRORS as exc:
            LOG.warning('Could not leave coordination group %s: %s',
                        self._group.decode(), exc)
        try:
            self._coordinator.stop()
        except BACKEND_ERRORS as exc:
            LOG.warning('Could not stop the coordinator cleanly: %s', exc)

    # -- ownership and locks -------------------------------------------------

    def owns(self, switch_id):
        with self._state:
            members = self._members
        return owner(members, switch_id) == self._id

    def fenced(self):
        with self._state:
            return self._fenced_at(time.monotonic())

    def _fenced_at(self, now):
        return self._last_beat is None or now - self._last_beat > self._lease * FENCE_SHARE

    @contextlib.contextmanager
    def sync_lock(self, switch_id):
        """Hold a session slot of ``switch_id`` for one sync; Fenced if this
        member may no longer be trusted with it.

        The lock is kept ``LOCK_LINGER`` s after the sync (the heartbeat
        renews it meanwhile), so the syncs of a burst pay for it once, not
        once each (an etcd lock is a lease grant and two transactions, each
        a quorum write).  Others wait that much longer for it; a member
        hands the lock of a switch it no longer owns back at its next
        heartbeat.
        """
        if self.fenced():
            raise Fenced(f'switch {switch_id}: not synced, no heartbeat of member '
                         f'{self.member} for half a lease')
        with self._state:
            kept = self._lingering.pop(switch_id, None)
        lock = kept[0] if kept else self._locks.acquire(switch_id, wait=self._lease)
        with self._state:
            self._held[switch_id] = self._held.get(switch_id, 0) + 1
        try:
            if self.fenced():
                raise Fenced(f'switch {switch_id}: fenced while waiting for its lock')
            yield
        finally:
            with self._state:
                self._held[switch_id] -= 1
                if not self._held[switch_id]:
                    del self._held[switch_id]
                self._lingering[switch_id] = (lock, time.monotonic() + LOCK_LINGER)

    def _release_lingering(self, which):
        """Release the kept locks that ``which(switch_id, kept_until)`` picks."""
        with self._state:
            chosen = [(i, lock) for i, (lock, until) in self._lingering.items()
                      if which(i, until)]
            for switch_id, _lock in chosen:
                del self._lingering[switch_id]
        for switch_id, lock in chosen:
            self._locks.release(switch_id, lock)

    # -- heartbeat and fencing ---------------------------------------------

    def _heartbeat_loop(self):
        self._beat()
        self._first_beat.set()
        while not self._stopping.wait(self._interval):
            self._beat()

    def _beat(self):
        """Heartbeat (renews membership and held locks), read the group, and
        tell the reconciler when its share may have changed."""
        started = time.monotonic()
        try:
            lease = self._heartbeat()
            members = self._read_group()
        except BACKEND_ERRORS as exc:
            if not self._unreachable:
                LOG.warning('Coordination backend unreachable (member %s): %s',
                            self.member, exc)
            self._unreachable = True
            return
        if self._unreachable:
            LOG.info('Coordination backend answers again (member %s)', self.member)
        self._unreachable = False
        with self._state:
            self._last_beat, self._lease = started, lease
            now = time.monotonic()
            if self._fenced_at(now):
                return
            regained = not self._trusted
            stale = list(self._lingering.items()) if regained else []
            if regained:
                self._lingering.clear()
            changed = regained or members != self._members
            self._members, self._trusted, self._fence_reported = members, True, False
        for switch_id, (lock, _until) in stale:
            self._locks.release(switch_id, lock)
        self._release_lingering(
            lambda switch_id, until: until < now or owner(members, switch_id) != self._id)
        if self._metrics is not None:
            self._metrics.members.set(len(members))
        if changed:
            LOG.info('Coordination group %s: members %s%s', self._group.decode(),
                     ', '.join(sorted(m.decode() for m in members)),
                     '; back after a fence, every owned switch is synced' if regained else '')
            self._on_change(everything=regained)

    def _heartbeat(self):
        if not self._started:
            self._coordinator.start(start_heart=False)
            self._started = True
        return float(self._coordinator.heartbeat())

    def _read_group(self):
        """The live members, after (re)joining if this one is not among them:
        a member whose lease expired was dropped by the others."""
        try:
            members = set(self._coordinator.get_members(self._group).get())
        except tooz_coordination.GroupNotCreated:
            self._create_group()
            members = set()
        if self._id not in members:
            self._join()
            members.add(self._id)
        return frozenset(members)

    def _create_group(self):
        try:
            self._coordinator.create_group(self._group).get()
        except tooz_coordination.GroupAlreadyExist:
            pass

    def _join(self):
        try:
            self._coordinator.join_group(self._group).get()
        except tooz_coordination.MemberAlreadyJoined:
            pass
        except tooz_coordination.GroupNotCreated:
            self._create_group()
            self._coordinator.join_group(self._group).get()

    def _fence_loop(self):
        """While fenced, keep closing the sessions of the switches being
        synced, so a sync that opened one after the fence stops too."""
        while not self._stopping.wait(WATCH_INTERVAL):
            with self._state:
                if not self._fenced_at(time.monotonic()):
                    continue
                held = sorted(self._held)
                first = not self._fence_reported
                self._fence_reported, self._trusted = True, False
            if first:
                LOG.error('Member %s fenced: no heartbeat for half a lease; syncing '
                          'nothing until the coordination backend answers', self.member)
            if held:
                self._on_fence(held)
