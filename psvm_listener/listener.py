"""Nova's notifications in, dirty hosts out.

The listener consumes ``notifications.info`` (and ``.error``) of exchange
``nova`` from its own pool queue, so ceilometer and other consumers keep
every message of theirs.  A message is acknowledged once its hosts are
marked dirty: a crash after that is repaired by the start-up full sync.

What happens to a message that cannot be handled depends on why:

- malformed (``MalformedNotification``: a payload without what its event
  type promises, or of the wrong shape): logged once, without its context,
  counted (``reason="malformed"``) and acknowledged; requeueing it would
  loop forever.  A body that is no JSON object at all is rejected (dropped,
  not requeued) by oslo.messaging's driver itself;
- anything else (a bug in a handler, PSVM's database down while a move is
  recorded...): requeued (``allow_requeue``) and logged with its traceback,
  so the message is not lost to a bug.  ``RetryLater`` is logged without
  the traceback (it says what is down) and requeued after a pause of
  ``RETRY_LATER_PAUSE``, so an outage is not a loop of redeliveries;
- a message that failed ``POISON_DELIVERIES`` deliveries in a row, for a
  reason other than ``RetryLater``, is poison: dropped with an error line
  naming its event type and message id, and counted (``reason="poison"``).
  Deliveries are counted per message id in this process (RabbitMQ's
  classic queues keep no delivery count); a message redelivered to another
  listener starts its count again there.

Bare (v1) and enveloped (v2, ``oslo.message``) messages are both unwrapped
by oslo.messaging's driver before they get here.
"""

import collections
import threading
import time

import oslo_messaging as messaging
from oslo_log import log as logging

from psvm_listener import errors
from psvm_listener.handlers import base

LOG = logging.getLogger(__name__)

HANDLED = messaging.NotificationResult.HANDLED
REQUEUE = messaging.NotificationResult.REQUEUE

POISON_DELIVERIES = 5
# Failing messages remembered at once: a bound, so a flood of distinct
# failing messages cannot grow the process.
TRACKED_FAILURES = 10000
RETRY_LATER_PAUSE = 1.0


class FailedDeliveries:
    """Failed deliveries per message (its id, or its content when it has
    none), the oldest forgotten first."""

    def __init__(self, limit=TRACKED_FAILURES):
        self._limit = limit
        self._counts = collections.OrderedDict()
        self._lock = threading.Lock()

    def failed(self, delivery):
        """Count one more failed delivery; returns how many in a row."""
        with self._lock:
            count = self._counts.pop(delivery, 0) + 1
            self._counts[delivery] = count
            while len(self._counts) > self._limit:
                self._counts.popitem(last=False)
            return count

    def succeeded(self, delivery):
        with self._lock:
            self._counts.pop(delivery, None)


class NotificationEndpoint:
    """Turns each handled notification into marks on the reconciler.

    Only ``publisher_id``, ``event_type``, the payload and the message id
    are read; the context (which carries auth tokens) is never logged nor
    kept.
    """

    def __init__(self, handlers, reconciler, metrics):
        self.handlers = handlers
        self.reconciler = reconciler
        self.metrics = metrics
        self.failures = FailedDeliveries()
        pattern = '^(%s)$' % '|'.join(sorted(e.replace('.', r'\.') for e in handlers))
        self.filter_rule = messaging.NotificationFilter(event_type=pattern)

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        received = time.monotonic()
        message_id = (metadata or {}).get('message_id')
        delivery = message_id or (event_type, publisher_id, repr(payload))
        self.metrics.received.labels(event_type).inc()
        try:
            change = self.handlers[event_type].handle(
                base.Notification(event_type, publisher_id, payload))
            self.reconciler.apply(change, at=received)
        except base.MalformedNotification as exc:
            self.failures.succeeded(delivery)
            self.metrics.dropped.labels(event_type, 'malformed').inc()
            LOG.warning('Dropped %s notification %s from %s: %s',
                        event_type, message_id, publisher_id, exc)
            return HANDLED
        except errors.RetryLater as exc:
            self.metrics.requeued.labels(event_type).inc()
            LOG.warning('Requeued %s notification %s from %s: %s',
                        event_type, message_id, publisher_id, exc)
            time.sleep(RETRY_LATER_PAUSE)
            return REQUEUE
        except Exception:
            return self._failed(delivery, event_type, message_id, publisher_id)
        self.failures.succeeded(delivery)
        self.metrics.handled.labels(event_type).inc()
        LOG.debug('Handled %s notification %s from %s about instance %s', event_type,
                  message_id, publisher_id, base.instance_data(payload).get('uuid')
                  or payload.get('instance_id'))
        return HANDLED

    error = info

    def _failed(self, delivery, event_type, message_id, publisher_id):
        """Requeue a message whose handling raised, or drop it as poison."""
        deliveries = self.failures.failed(delivery)
        if deliveries >= POISON_DELIVERIES:
            self.failures.succeeded(delivery)
            self.metrics.dropped.labels(event_type, 'poison').inc()
            LOG.exception('Dropped %s notification %s from %s: it failed %d deliveries '
                          'in a row', event_type, message_id, publisher_id, deliveries)
            return HANDLED
        self.metrics.requeued.labels(event_type).inc()
        LOG.exception('Could not handle %s notification %s from %s (delivery %d of %d); '
                      'requeued', event_type, message_id, publisher_id, deliveries,
                      POISON_DELIVERIES)
        return REQUEUE


def targets(exchange, topics):
    return [messaging.Target(exchange=exchange, topic=topic) for topic in topics]


def get_listener(transport, endpoint, exchange, topics, pool):
    """Threading-executor listener of ``topics`` on ``exchange``, own pool."""
    return messaging.get_notification_listener(
        transport, targets(exchange, topics), [endpoint], executor='threading',
        allow_requeue=True, pool=pool)
