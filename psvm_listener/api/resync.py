"""Ask the listener to resync a switch after the API changed it.

The cast runs on a thread of its own: oslo.messaging retries a broker that
is down for as long as it takes, and an API request must not wait for that.
If the cast fails, the change still stands and the listener's full-sync
timer applies it within one interval.
"""

import queue
import threading

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class Resyncer:
    """``request(switch_id)`` queues a resync cast and returns at once."""

    def __init__(self, client):
        self.client = client
        self.pending = queue.Queue()
        self.thread = threading.Thread(target=self._cast_forever,
                                       name='psvm-api-resync', daemon=True)
        self.thread.start()

    def request(self, switch_id):
        self.pending.put(switch_id)

    def _cast_forever(self):
        while True:
            switch_id = self.pending.get()
            try:
                self.client.resync(switch_id=switch_id)
            except Exception:
                LOG.exception('cannot ask the listener to resync switch %s; '
                              'its full-sync timer will catch up', switch_id)
