"""Nova's notifications in, dirty hosts out.

The listener consumes ``notifications.info`` (and ``.error``) of exchange
``nova`` from its own pool queue, so ceilometer and other consumers keep
every message of theirs.  A message is acknowledged once its hosts are
marked dirty: a crash after that is repaired by the start-up full sync.

- malformed (a payload without what its event type promises): logged
  without its context, acknowledged; requeueing it would loop forever.
  A body that is no JSON object at all is rejected (dropped, not requeued)
  by oslo.messaging's driver itself;
- internal failure before the marks are made: requeued (``allow_requeue``),
  so the message is not lost.

Bare (v1) and enveloped (v2, ``oslo.message``) messages are both unwrapped
by oslo.messaging's driver before they get here.
"""

import time

import oslo_messaging as messaging
from oslo_log import log as logging

from psvm_listener.handlers import base

LOG = logging.getLogger(__name__)

HANDLED = messaging.NotificationResult.HANDLED
REQUEUE = messaging.NotificationResult.REQUEUE


class NotificationEndpoint:
    """Turns each handled notification into marks on the reconciler.

    Only ``publisher_id``, ``event_type`` and the payload are read; the
    context (which carries auth tokens) is never logged nor kept.
    """

    def __init__(self, handlers, reconciler, metrics):
        self.handlers = handlers
        self.reconciler = reconciler
        self.metrics = metrics
        pattern = '^(%s)$' % '|'.join(sorted(e.replace('.', r'\.') for e in handlers))
        self.filter_rule = messaging.NotificationFilter(event_type=pattern)

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        received = time.monotonic()
        self.metrics.received.labels(event_type).inc()
        try:
            change = self.handlers[event_type].handle(
                base.Notification(event_type, publisher_id, payload))
        except Exception as exc:
            # Handlers only read the payload: whatever they trip on is in it.
            self.metrics.dropped.labels(event_type, 'malformed').inc()
            LOG.warning('Dropped malformed %s notification from %s: %s: %s',
                        event_type, publisher_id, type(exc).__name__, exc)
            return HANDLED
        try:
            self.reconciler.apply(change, at=received)
        except Exception:
            self.metrics.requeued.labels(event_type).inc()
            LOG.exception('Could not mark the hosts of a %s notification from %s; '
                          'requeued', event_type, publisher_id)
            return REQUEUE
        self.metrics.handled.labels(event_type).inc()
        return HANDLED

    error = info


def targets(exchange, topics):
    return [messaging.Target(exchange=exchange, topic=topic) for topic in topics]


def get_listener(transport, endpoint, exchange, topics, pool):
    """Threading-executor listener of ``topics`` on ``exchange``, own pool."""
    return messaging.get_notification_listener(
        transport, targets(exchange, topics), [endpoint], executor='threading',
        allow_requeue=True, pool=pool)
