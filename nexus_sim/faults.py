"""Faults a test or benchmark turns on to see how a client copes with a bad switch."""

import time

STALL_POLL = 0.2


class Faults:
    """The misbehaviour of one lab switch, read by its NETCONF sessions.

    ``latency`` (seconds) delays every reply; ``refuse_auth`` fails every
    login; ``stall`` holds every reply (and the hello) until it is cleared;
    ``drop_after(n)`` answers n more RPCs (on any session), then drops the
    SSH connection of the one that sends the next, unanswered and not
    applied, and clears itself; ``fail_next_edits(k)`` answers the next k
    edit-configs with an rpc-error and changes nothing; ``refused_ports``
    (normalised names) makes every edit-config that touches one of them fail
    as NX-OS fails a port it cannot configure (a port-channel member), and
    change nothing; ``go_down(s)`` (a reboot) refuses every connection for s
    seconds.
    """

    def __init__(self, changed):
        self._changed = changed
        self.latency = 0.0
        self.refuse_auth = False
        self._stall = False
        self._drop_after = None
        self._failing_edits = 0
        self.refused_ports = frozenset()
        self._down_until = 0.0

    @property
    def stall(self):
        return self._stall

    @stall.setter
    def stall(self, value):
        with self._changed:
            self._stall = bool(value)
            self._changed.notify_all()

    def drop_after(self, count):
        """Drop the session of the RPC after the next ``count``; None clears."""
        with self._changed:
            self._drop_after = None if count is None else int(count)

    def fail_next_edits(self, count):
        with self._changed:
            self._failing_edits = int(count)

    def go_down(self, seconds):
        with self._changed:
            self._down_until = time.monotonic() + seconds
            self._changed.notify_all()

    def down(self):
        """Seconds the switch stays down (rebooting), 0 when it is up."""
        return max(0.0, self._down_until - time.monotonic())

    def clear(self):
        self.latency = 0.0
        self.refuse_auth = False
        self.stall = False
        self.drop_after(None)
        self.fail_next_edits(0)
        self.refused_ports = frozenset()
        self.go_down(0)

    def take_drop(self):
        """True when the RPC at hand is the one to drop the session on."""
        with self._changed:
            if self._drop_after is None:
                return False
            if self._drop_after == 0:
                self._drop_after = None
                return True
            self._drop_after -= 1
            return False

    def take_edit_failure(self):
        with self._changed:
            if self._failing_edits <= 0:
                return False
            self._failing_edits -= 1
            return True

    def refused_port(self, changes):
        """The first refused port ``changes`` touch, or None."""
        refused = self.refused_ports
        return next((c.port for c in changes if c.port in refused), None)

    def wait_while_stalled(self, stopped):
        """Block while stalled; ``stopped()`` ends the wait early: the switch
        stopped, or the client's connection is gone (the SSH server frees
        the session of a client that left even while the XML agent hangs)."""
        with self._changed:
            while not self._changed.wait_for(lambda: not self._stall or stopped(),
                                             STALL_POLL):
                pass

    def describe(self):
        with self._changed:
            return {'latency': self.latency, 'refuse_auth': self.refuse_auth,
                    'stall': self._stall, 'drop_after': self._drop_after,
                    'fail_next_edits': self._failing_edits,
                    'refused_ports': sorted(self.refused_ports),
                    'down_for': round(self.down(), 3)}
