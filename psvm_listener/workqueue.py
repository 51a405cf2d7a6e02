"""The dirty ports of one switch, with client-go workqueue guarantees.

Reconciliation is level-based: a mark only says *look at this port again*,
and a sync always recomputes what the port should carry.  So marks can be
merged freely, and the queue's job is to merge as many as it safely can
while never letting a mark be lost.  The guarantees, after client-go's
workqueue (a *dirty* set and a *processing* set):

- A port marked twice before a sync takes it is synced once.
- A port marked while a sync of it runs is synced again after that sync,
  never by a second sync at the same time.
- ``take`` hands out everything dirty at once, so a burst of marks
  coalesces into as few syncs as the switch's speed allows; with a
  ``debounce``, batches are taken at least that long apart: the first mark
  on an idle switch is synced at once (a change on a quiet cloud waits for
  nothing), and the marks of a burst that follow gather into one batch for
  the next sync, however fast that sync is.
- A batch whose sync failed goes back to dirty (``done(batch, ok=False)``):
  dirty ports stay dirty until a sync of them succeeds.
- One consumer per queue: the reconciler runs exactly one worker thread per
  switch, so a switch never sees two syncs at once, and a switch that hangs
  holds up only its own thread.
- A port the switch refuses to change is *held* (``hold``): it stays dirty
  but is not handed out before its own back-off delay has passed, so it
  never holds up the other ports of the switch.

``ALL`` stands for every port of the switch (a full sync); it absorbs any
set of single ports marked with it.
"""

import threading
import time


class _EveryPort:
    """The mark of a full sync: a value of its own, never a count or None."""

    def __repr__(self):
        return 'ALL'


ALL = _EveryPort()


def _merge(dirty, ports):
    if dirty is ALL or ports is ALL:
        return ALL
    return dirty | ports


class PortQueue:
    """Dirty and in-flight ports of one switch.

    Each mark carries the monotonic time it was made; ``take`` returns the
    oldest such time of the batch, so the reconciler can measure how long a
    change waited before it reached the switch.
    """

    def __init__(self, debounce=0.0):
        self.debounce = debounce
        self._cond = threading.Condition()
        self._dirty = frozenset()
        self._dirty_since = None
        self._last_take = None
        self._processing = False
        self._in_flight = frozenset()
        self._held = {}
        self._closed = False

    def add(self, ports, at=None):
        """Mark ``ports`` (a set of port names, or ``ALL``) dirty."""
        at = time.monotonic() if at is None else at
        with self._cond:
            if self._closed:
                return
            if ports is not ALL:
                ports = frozenset(ports).difference(self._held)
                if not ports:
                    return
            self._dirty = _merge(self._dirty, ports)
            self._dirty_since = at if self._dirty_since is None else min(self._dirty_since, at)
            self._cond.notify_all()

    def take(self, timeout=None):
        """Wait for dirty ports (``ready``); move them all to processing and
        return them.

        Returns ``(ports, marked_at)``, or ``None`` when the timeout passes
        or the queue is closed with nothing dirty.  Raises ``RuntimeError``
        if a batch is already in processing: one consumer per queue.
        """
        with self._cond:
            if self._processing:
                raise RuntimeError('a batch is already being synced')
        if not self.ready(timeout):
            return None
        with self._cond:
            if not self._is_dirty():
                return None
            batch = (self._dirty, self._dirty_since)
            self._dirty, self._dirty_since = frozenset(), None
            self._last_take = time.monotonic()
            self._processing = True
            self._in_flight = batch[0]
            return batch

    def ready(self, timeout=None):
        """Wait until a batch can be taken: some port dirty (a held one
        whose delay passed counts) and the debounce waited out; whether one
        can.  The consumer may wait for something else between this and
        ``take``: the marks made meanwhile join the batch."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                self._release_held()
                if self._has_work() or (deadline is not None and time.monotonic() >= deadline):
                    break
                self._cond.wait(self._until_next_release(deadline))
            if not self._is_dirty():
                return False
            self._settle()
            return True

    def _settle(self):
        """Wait out the debounce after the last batch was taken (the lock is
        released meanwhile, so marks keep coming); closing cuts it short."""
        if self._last_take is None:
            return
        settled = self._last_take + self.debounce
        while not self._closed:
            remaining = settled - time.monotonic()
            if remaining <= 0:
                return
            self._cond.wait(remaining)

    def done(self, batch, ok):
        """End the sync of ``batch``; on failure its ports are dirty again."""
        ports, marked_at = batch
        with self._cond:
            self._processing = False
            self._in_flight = frozenset()
            if not ok:
                self._dirty = _merge(self._dirty, ports)
                self._dirty_since = (marked_at if self._dirty_since is None
                                     else min(self._dirty_since, marked_at))
            self._cond.notify_all()

    def hold(self, ports, until, marked_at=None):
        """Keep ``ports`` dirty but out of every batch until ``until``
        (monotonic time): a port the switch refused backs off on its own."""
        with self._cond:
            for port in ports:
                self._held[port] = (until, marked_at or time.monotonic())
            self._cond.notify_all()

    def held(self):
        """The ports held back, as a frozenset."""
        with self._cond:
            return frozenset(self._held)

    def pending(self):
        """Every port dirty, held or in flight (``ALL`` if a full sync is)."""
        with self._cond:
            if self._dirty is ALL or self._in_flight is ALL:
                return ALL
            return frozenset(self._dirty | self._in_flight | self._held.keys())

    def close(self):
        """Refuse new marks and wake the consumer; what is dirty stays takeable."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def depth(self, every=0):
        """Ports waiting; a full sync waiting counts as ``every`` (the
        switch's bound ports)."""
        with self._cond:
            return every if self._dirty is ALL else len(self._dirty)

    def full_sync_waiting(self):
        with self._cond:
            return self._dirty is ALL

    def idle(self):
        with self._cond:
            return not self._processing and not self._is_dirty()

    def wait_idle(self, timeout):
        """Block until nothing is dirty or in flight; True if it happened."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._processing and not self._is_dirty(), timeout)

    def _is_dirty(self):
        return self._dirty is ALL or bool(self._dirty)

    def _has_work(self):
        return self._is_dirty() or self._closed

    def _release_held(self):
        """Move the held ports whose delay has passed back to dirty."""
        now = time.monotonic()
        for port, (until, marked_at) in list(self._held.items()):
            if until <= now:
                del self._held[port]
                self._dirty = _merge(self._dirty, frozenset((port,)))
                self._dirty_since = (marked_at if self._dirty_since is None
                                     else min(self._dirty_since, marked_at))

    def _until_next_release(self, deadline):
        """Seconds to wait for a mark or the next held port; None: forever."""
        waits = [until - time.monotonic() for until, _ in self._held.values()]
        if deadline is not None:
            waits.append(deadline - time.monotonic())
        return max(0.0, min(waits)) if waits else None


class Backoff:
    """Exponential delay after consecutive failures: base, 2×base, ... cap.

    Reset by a success.  ``Permanent`` errors jump straight to the cap: the
    same sync would fail the same way, so it is only retried slowly (new
    marks and full syncs still merge into the waiting batch).
    """

    def __init__(self, base=0.5, cap=60.0):
        self.base = base
        self.cap = cap
        self.failures = 0

    def failed(self, permanent=False):
        self.failures += 1
        if permanent:
            return self.cap
        doublings = min(self.failures - 1, 64)  # a switch down for days must not overflow
        return min(self.cap, self.base * 2 ** doublings)

    def succeeded(self):
        self.failures = 0
