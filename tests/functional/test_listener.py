"""The listener on the real RabbitMQ: nova-shaped messages in, changes out."""

import json
import threading

import kombu
import oslo_messaging as messaging
import pytest

from psvm_listener import handlers
from psvm_listener import listener
from psvm_listener import metrics
from psvm_listener.lab.scenario import wait_until
from tests import messaging as fixtures

UUID = '6f9c2d43-8a7e-4c1b-9d2f-0e5a7b3c1d20'


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


@pytest.fixture
def running(exchange, pool, reconciler):
    transport = fixtures.notification_transport()
    endpoint = listener.NotificationEndpoint(handlers.load(), reconciler, metrics.Metrics())
    server = listener.get_listener(transport, endpoint, exchange,
                                   ['notifications', 'versioned_notifications'],
                                   pool=pool)
    server.start()
    yield endpoint
    server.stop()
    server.wait()
    transport.cleanup()


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
        {}, 'instance.live_migration_pre.start',
        {'nova_object.data': {'host': 'src', 'uuid': UUID}})
    [change] = reconciler.wait_for(1)
    assert change.moves_started == ((UUID, 'dst'),)


def test_error_priority_is_handled_and_unknown_events_filtered(running, exchange, reconciler):
    publisher = notifier(exchange, 'messaging')
    publisher.info({}, 'compute.instance.power_off.end', {'host': 'c9'})
    publisher.error({}, 'compute.instance.create.error', {'host': 'c3', 'instance_id': UUID})
    [change] = reconciler.wait_for(1)
    assert change.hosts == {'c1', 'c3'}


def test_malformed_messages_are_acknowledged_and_later_ones_handled(
        running, exchange, pool, reconciler, caplog):
    fixtures.publish_raw(exchange, '{not json')
    fixtures.publish_raw(exchange, json.dumps(['not', 'a', 'dict']))
    fixtures.publish_raw(exchange, json.dumps({'oslo.version': '2.0', 'oslo.message': '{broken'}))
    fixtures.publish_raw(exchange, json.dumps({
        'event_type': 'compute.instance.create.end', 'priority': 'INFO',
        'publisher_id': 'compute.c1', 'payload': 'no object',
        '_context_auth_token': 'secret-token'}))
    notifier(exchange, 'messaging').info({}, 'compute.instance.delete.end',
                                         {'host': 'c4', 'instance_id': UUID})
    [change] = reconciler.wait_for(1)
    assert change.hosts == {'c1', 'c4'}
    dropped = running.metrics.dropped.labels('compute.instance.create.end', 'malformed')
    wait_until(lambda: dropped._value.get() == 1, 20, 'the malformed message counted')
    wait_until(lambda: queue_length(pool) == 0, 20, 'the pool queue drained')
    assert 'secret-token' not in caplog.text


def test_failure_before_marking_requeues(running, exchange, reconciler):
    reconciler.fail_next = 1
    notifier(exchange, 'messaging').info({}, 'compute.instance.create.end',
                                         {'host': 'c5', 'instance_id': UUID})
    [change] = reconciler.wait_for(1)
    assert change.hosts == {'c1', 'c5'}


def test_second_consumer_on_notifications_info_keeps_every_message(
        running, exchange, reconciler):
    with kombu.Connection(fixtures.AMQP) as conn:
        queue = kombu.Queue(fixtures.unique('ceilometer'),
                            kombu.Exchange(exchange, type='topic', durable=False),
                            routing_key='notifications.info', auto_delete=True)
        queue(conn).declare()
        publisher = notifier(exchange, 'messaging')
        for index in range(20):
            publisher.info({}, 'compute.instance.create.end',
                           {'host': f'c{index}', 'instance_id': UUID})
        reconciler.wait_for(20)
        seen = []
        with conn.SimpleQueue(queue) as simple:
            for _ in range(20):
                message = simple.get(timeout=10)
                seen.append(json.loads(message.body)['payload']['host'])
                message.ack()
    assert sorted(seen) == sorted(f'c{index}' for index in range(20))
