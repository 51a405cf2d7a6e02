"""Plain threads that run an action every interval, or until it succeeds."""

import random
import threading

from oslo_log import log as logging

from psvm_listener import errors
from psvm_listener import workqueue

LOG = logging.getLogger(__name__)


class _Loop:
    """A named daemon thread running the subclass's ``_run`` until stopped."""

    def __init__(self, name, action):
        self.name = name
        self.action = action
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self):
        self._thread.start()

    def stop(self, timeout=None):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)


class Periodic(_Loop):
    """Run ``action()`` every ``interval`` seconds, delayed by up to ``jitter``
    times the interval so that many listeners do not act at the same instant.

    An exception in the action is logged and the next run happens on time.
    """

    def __init__(self, name, interval, action, jitter=0.0):
        super().__init__(name, action)
        self.interval = interval
        self.jitter = jitter

    def _delay(self):
        return self.interval * (1 + random.uniform(0, self.jitter))

    def _run(self):
        while not self._stop.wait(self._delay()):
            try:
                self.action()
            except Exception:
                LOG.exception('%s failed; next run in %s s', self.name, self.interval)


class UntilDone(_Loop):
    """Run ``action()`` until ``done()`` is true, with exponential back-off
    (``base`` doubling to ``cap`` seconds) after each RetryLater, until stopped."""

    def __init__(self, name, action, done, base, cap):
        super().__init__(name, action)
        self.done = done
        self.backoff = workqueue.Backoff(base, cap)

    def _run(self):
        while not self._stop.is_set() and not self.done():
            try:
                self.action()
            except errors.RetryLater as exc:
                delay = self.backoff.failed()
                LOG.warning('%s failed (%s); retrying in %.1f s', self.name, exc, delay)
                self._stop.wait(delay)
            except Exception:
                delay = self.backoff.failed()
                LOG.exception('%s failed; retrying in %.1f s', self.name, delay)
                self._stop.wait(delay)
