"""The listener on the real RabbitMQ: nova-shaped messages in, changes out."""

import json
import threading

import kombu
import oslo_messaging as messaging
import pytest

from psvm_listener import handlers
from psvm_listener import listener
from psvm_listener import metrics
from psvm_listener.lab import publisher as lab_publisher
from psvm_listener.lab.scenario import wait_until
from tests import messaging as fixtures

UUID = '6f9c2d43-8a7e-4c1b-9d2f-0e5a7b3c1d20'
# What nova publishes with: a request context, token and all.
CONTEXT = lab_publisher.CONTEXT


class RecordingReconciler:
    def __init__(self):
        self.changes = []
        self.cond = threading.Condition()
        self.fail_next = 0

    def apply(self, change, at=None):
        with self.cond:
            if self.fail_next:
                self.fail_next -= 1
                raise RuntimeError('database down')
            self.changes.append(change)
            self.cond.notify_all()

    def wait_for(self, count, timeout=20):
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.changes) >= count, timeout), \
                self.changes
            return list(self.changes)


@pytest.fixture
def exchange():
    return fixtures.unique('nova')


@pytest.fixture
def reconciler():
    return RecordingReconciler()


@pytest.fixture
def pool():
    return fixtures.unique('psvm-listener')


class SpyEndpoint(listener.NotificationEndpoint):
    """The real endpoint, remembering every event type it was handed."""

    def __init__(self, *args):
        super().__init__(*args)
        self.seen = []

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.seen.append(event_type)
        return super().info(ctxt, publisher_id, event_type, payload, metadata)

    error = info


class Listening:
    """A started listener on the real RabbitMQ; ``stop`` waits for every
    message it took to be dispatched."""

    def __init__(self, exchange, pool, reconciler, by_event):
        self.transport = fixtures.notification_transport()
        self.endpoint = SpyEndpoint(by_event, reconciler, metrics.Metrics())
        self.server = listener.get_listener(self.transport, self.endpoint, exchange,
                                            ['notifications', 'versioned_notifications'],
                                            pool=pool)
        self.server.start()
        self._stopped = False

    def stop(self):
        if not self._stopped:
            self._stopped = True
            self.server.stop()
            self.server.wait()
            self.transport.cleanup()


@pytest.fixture
def listen(exchange, pool, reconciler):
    """Starts a listener with the given handlers (default: the installed ones)."""
    started = []

    def start(by_event=None):
        started.append(Listening(exchange, pool, reconciler, by_event or handlers.load()))
        return started[-1]
    yield start
    for listening in started:
        listening.stop()


@pytest.fixture
def running(listen):
    return listen().endpoint


class BrokenHandler:
    """A handler with a programming error in its first ``failures`` calls."""

    def __init__(self, failures):
        self.failures = failures
        self.calls = 0
        self.real = handlers.load()['compute.instance.create.end']

    def handle(self, notification):
        self.calls += 1
        if self.calls <= self.failures:
            return notification.payload['no such key']
        return self.real.handle(notification)


def queue_length(name):
    with kombu.Connection(fixtures.AMQP) as conn:
        return conn.default_channel.queue_declare(name, passive=True).message_count


def notifier(exchange, driver, publisher='compute.c1', topic='notifications'):
    transport = fixtures.notification_transport(exchange=exchange)
    return messaging.Notifier(transport, publisher_id=publisher, driver=driver,
                              topics=[topic])


@pytest.mark.parametrize('driver', ['messaging', 'messagingv2'])
def test_legacy_create_marks_payload_and_publisher_hosts(running, exchange, reconciler,
                                                         driver):
    notifier(exchange, driver, publisher='compute.c2').info(
        {'auth_token': 'secret'}, 'compute.instance.create.end',
        {'host': 'c1', 'instance_id': UUID, 'fixed_ips': []})
    [change] = reconciler.wait_for(1)
    assert change.hosts == {'c1', 'c2'}


def test_versioned_live_migration_pre_start_holds_destination(running, exchange, reconciler):
    notifier(exchange, 'messagingv2', publisher='nova-compute:dst',
             topic='versioned_notifications').info(
        CONTEXT, 'instance.live_migration_pre.start',
        {'nova_object.data': {'host': 'src', 'uuid': UUID}})
    [change] = reconciler.wait_for(1)
    assert change.moves_started == ((UUID, 'src', 'dst'),)


def test_error_priority_is_handled_and_unknown_events_never_reach_the_endpoint(
        listen, exchange, pool, reconciler):
    listening = listen()
    publisher = notifier(exchange, 'messaging')
    publisher.info(CONTEXT, 'compute.instance.power_off.end', {'host': 'c9'})
    publisher.error(CONTEXT, 'compute.instance.create.error', {'host': 'c3', 'instance_id': UUID})
    [change] = reconciler.wait_for(1)
    assert change.hosts == {'c1', 'c3'}
    wait_until(lambda: queue_length(pool) == 0, 20, 'the pool queue drained')
    listening.stop()
    assert listening.endpoint.seen == ['compute.instance.create.error']


def test_malformed_messages_are_acknowledged_and_later_ones_handled(
        running, exchange, pool, reconciler, caplog):
    fixtures.publish_raw(exchange, '{not json')
    fixtures.publish_raw(exchange, json.dumps(['not', 'a', 'dict']))
    fixtures.publish_raw(exchange, json.dumps({'oslo.version': '2.0', 'oslo.message': '{broken'}))
    fixtures.publish_raw(exchange, json.dumps({
        'event_type': 'compute.instance.create.end', 'priority': 'INFO',
        'publisher_id': 'compute.c1', 'payload': 'no object',
        '_context_auth_token': 'secret-token'}))
    notifier(exchange, 'messaging').info(CONTEXT, 'compute.instance.delete.end',
                                         {'host': 'c4', 'instance_id': UUID})
    [change] = reconciler.wait_for(1)
    assert change.hosts == {'c1', 'c4'}
    dropped = running.metrics.dropped.labels('compute.instance.create.end', 'malformed')
    wait_until(lambda: dropped._value.get() == 1, 20, 'the malformed message counted')
    wait_until(lambda: queue_length(pool) == 0, 20, 'the pool queue drained')
    assert 'secret-token' not in caplog.text
    [warning] = [r.getMessage() for r in caplog.records if r.getMessage().startswith('Dropped')]
    assert warning.endswith('from compute.c1: payload is not an object')
    assert warning.count('alformed') == 0


def test_failure_before_marking_requeues(running, exchange, reconciler):
    reconciler.fail_next = 1
    notifier(exchange, 'messaging').info(CONTEXT, 'compute.instance.create.end',
                                         {'host': 'c5', 'instance_id': UUID})
    [change] = reconciler.wait_for(1)
    assert change.hosts == {'c1', 'c5'}


def test_handler_bug_requeues_until_it_is_handled(listen, exchange, reconciler):
    broken = BrokenHandler(failures=3)
    endpoint = listen({'compute.instance.create.end': broken}).endpoint
    notifier(exchange, 'messaging').info(CONTEXT, 'compute.instance.create.end',
                                         {'host': 'c6', 'instance_id': UUID})
    [change] = reconciler.wait_for(1)
    assert change.hosts == {'c1', 'c6'}
    assert broken.calls == 4
    assert endpoint.metrics.requeued.labels('compute.instance.create.end')._value.get() == 3
    assert endpoint.metrics.dropped.labels(
        'compute.instance.create.end', 'poison')._value.get() == 0


def test_poison_message_is_dropped_after_five_deliveries(
        listen, exchange, pool, reconciler, caplog):
    broken = BrokenHandler(failures=1000)
    endpoint = listen({'compute.instance.create.end': broken,
                       'compute.instance.delete.end': handlers.load()[
                           'compute.instance.delete.end']}).endpoint
    publisher = notifier(exchange, 'messaging')
    publisher.info(CONTEXT, 'compute.instance.create.end', {'host': 'c7', 'instance_id': UUID})
    poison = endpoint.metrics.dropped.labels('compute.instance.create.end', 'poison')
    wait_until(lambda: poison._value.get() == 1, 20, 'the poison message dropped')
    publisher.info(CONTEXT, 'compute.instance.delete.end', {'host': 'c8', 'instance_id': UUID})
    [change] = reconciler.wait_for(1)
    assert change.hosts == {'c1', 'c8'}
    assert broken.calls == listener.POISON_DELIVERIES
    wait_until(lambda: queue_length(pool) == 0, 20, 'the pool queue drained')
    [dropped] = [r for r in caplog.records if r.getMessage().startswith('Dropped')]
    assert dropped.levelname == 'ERROR'
    assert dropped.getMessage().startswith('Dropped compute.instance.create.end notification ')
    assert 'failed 5 deliveries in a row' in dropped.getMessage()
    message_id = dropped.args[1]
    assert message_id and message_id in dropped.getMessage()


def test_second_consumer_on_notifications_info_keeps_every_message(
        running, exchange, reconciler):
    with kombu.Connection(fixtures.AMQP) as conn:
        queue = kombu.Queue(fixtures.unique('ceilometer'),
                            kombu.Exchange(exchange, type='topic', durable=False),
                            routing_key='notifications.info', auto_delete=True)
        queue(conn).declare()
        publisher = notifier(exchange, 'messaging')
        for index in range(20):
            publisher.info(CONTEXT, 'compute.instance.create.end',
                           {'host': f'c{index}', 'instance_id': UUID})
        reconciler.wait_for(20)
        seen = []
        with conn.SimpleQueue(queue) as simple:
            for _ in range(20):
                message = simple.get(timeout=10)
                seen.append(json.loads(message.body)['payload']['host'])
                message.ack()
    assert sorted(seen) == sorted(f'c{index}' for index in range(20))
