"""Each switch's last-sync record, written to PSVM's database.

A listener under a burst of notifications syncs a switch tens of times a
second; writing each sync's record in a transaction of its own would put
PSVM's database (SQLite's file lock, a row lock elsewhere) on the event
path.  Only the newest record of a switch matters, so ``SyncRecords`` with
an interval keeps the newest per switch and one thread writes them all in
one transaction at most every interval.  With no interval (psvm-manage, a
one-shot sync) each record is written at once.
"""

import logging
import threading

from psvm_listener import errors

LOG = logging.getLogger(__name__)


class SyncRecords:
    """Last-sync records of switches, written at once or coalesced."""

    def __init__(self, database, interval=0.0):
        self.database = database
        self.interval = interval
        self._pending = {}
        self._cond = threading.Condition()
        self._closed = False
        self._thread = None

    def record(self, switch_id, at, result, lif_usage=None, drift=None):
        record = {'at': at, 'result': result, 'lif_usage': lif_usage, 'drift': drift}
        if not self.interval:
            self._write({switch_id: record})
            return
        with self._cond:
            if self._closed:
                return
            self._pending[switch_id] = record
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name='sync-records',
                                                daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def close(self, timeout=10.0):
        """Write what is pending and stop; later records are dropped."""
        with self._cond:
            self._closed = True
            thread = self._thread
            self._cond.notify_all()
        if thread is not None:
            thread.join(timeout)

    def _run(self):
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._closed)
                if not self._closed:
                    self._cond.wait_for(lambda: self._closed, self.interval)
                pending, self._pending = self._pending, {}
                closed = self._closed
            if pending:
                self._write(pending)
            if closed:
                return

    def _write(self, records):
        try:
            self.database.record_syncs(records)
        except errors.PsvmError as exc:
            LOG.warning('could not record the syncs of switches %s: %s',
                        ', '.join(map(str, sorted(records))), exc)
