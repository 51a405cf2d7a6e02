"""Moves in flight: instance VLANs a destination needs before nova says so.

Live migration and resize start on the destination (``pre.start``, resize
prep) while nova's DB still puts the instance on its source.  An intent
``instance -> destination`` is handed to the inventory with every sync, which
adds the instance's VLANs to the destination's expected set.  An intent ends
when nova's DB shows the move finished or reverted (the handler says so), or
after a time to live, so a lost end event cannot pin VLANs on a port forever.
"""

import threading
import time


class Intents:
    def __init__(self, ttl, clock=time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._moves = {}

    def start(self, instance, host, involved=()):
        """``host`` needs the VLANs of ``instance`` from now on; ``involved``
        are the other hosts of the move (its source), to look at again when
        it ends, as the end event may name only the destination."""
        with self._lock:
            self._moves[instance] = (host, frozenset(involved) | {host},
                                     self._clock() + self.ttl)

    def end(self, instance):
        """Forget the move of ``instance``; returns every host it involved."""
        with self._lock:
            _host, involved, _expiry = self._moves.pop(instance, (None, frozenset(), None))
            return involved

    def by_host(self):
        """``{host: frozenset(instance uuids)}`` of moves not yet expired."""
        now = self._clock()
        with self._lock:
            expired = [i for i, (_h, _i, expiry) in self._moves.items() if expiry <= now]
            for instance in expired:
                del self._moves[instance]
            hosts = {}
            for instance, (host, _involved, _expiry) in self._moves.items():
                hosts.setdefault(host, set()).add(instance)
        return {host: frozenset(instances) for host, instances in hosts.items()}
