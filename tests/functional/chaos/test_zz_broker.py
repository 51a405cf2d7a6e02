"""RabbitMQ restarted or its connections closed: on a private node, never the
shared broker (named last, so it runs after every other chaos module)."""

import threading
import time

import pytest

from psvm_listener.lab import scenario
from tests.functional.chaos import rabbit
from tests.functional.chaos import world as chaos_world

# Seconds the broker's app stays down: the fault's length.
OUTAGE = 5.0
# Seconds a publish may return after the broker routed it (log lines carry
# milliseconds): a notification that returned this long after psvm's binding
# was back may still have been routed before it.
CLOCK_SLACK = 0.1


@pytest.fixture(scope='module')
def broker():
    with rabbit.PrivateRabbit() as node:
        yield node


@pytest.fixture
def world(tmp_path, broker):
    with chaos_world.World(tmp_path, transport_url=broker.url) as made:
        yield made


def exchange_durable(broker, name, vhost='/'):
    for line in broker.ctl('list_exchanges', '-p', vhost, '-q', '--no-table-headers', 'name',
                           'durable').splitlines():
        found, _, durable = line.rpartition('\t')
        if found == name:
            return durable == 'true'
    return None


def outage(broker):
    broker.stop_app()
    threading.Event().wait(OUTAGE)
    broker.start_app()


def restart_mid_burst(world, broker):
    """Publish 300 creates, restart the broker's app after the first 100 are
    handled; returns the wall-clock time the outage began and the monotonic
    time the broker was back."""
    world.start_listener()
    world.converge()
    publishing = threading.Thread(target=world.publish, args=(300,))
    publishing.start()
    scenario.wait_until(lambda: len(world.handled()) >= 100, 60, '100 notifications handled')
    stopped = time.time()
    outage(broker)
    restarted = time.monotonic()
    publishing.join()
    return stopped, restarted


def test_broker_restart_mid_burst_loses_only_what_nova_published_unbound(
        world, broker, record):
    """nova on oslo.messaging's defaults: ``nova`` is non-durable, so the
    broker drops what nova publishes before psvm binds again (routed to
    nova's own ``notifications.info`` queue, see psvm_listener/broker.py).
    Every other notification is handled, and the reconnect's full sync puts
    every port right, those of the unbound notifications included."""
    stopped, restarted = restart_mid_burst(world, broker)
    scenario.wait_until(world.rebound_at, 30, "nova's exchange bound again")
    unbound = world.published_between(stopped, world.rebound_at()[-1] + CLOCK_SLACK)
    converged = world.converge(since=restarted, unreachable=unbound)
    record(world.figures(f'RabbitMQ stop_app/start_app ({OUTAGE:g} s) mid-burst, nova '
                         f'non-durable, from start_app', converged,
                         published_while_unbound=len(world.lost())))
    assert exchange_durable(broker, world.exchange) is False


def test_broker_restart_mid_burst_with_durable_nova_loses_nothing(tmp_path, broker, record):
    """``amqp_durable_queues = True`` in nova.conf and psvm.conf: ``nova`` and
    psvm's binding survive the restart, so every notification is handled."""
    url = broker.vhost('durable')
    with chaos_world.World(tmp_path, transport_url=url, durable_nova=True) as world:
        _, restarted = restart_mid_burst(world, broker)
        converged = world.converge(since=restarted)
        record(world.figures(f'RabbitMQ stop_app/start_app ({OUTAGE:g} s) mid-burst, nova '
                             f'durable, from start_app', converged))
        assert exchange_durable(broker, world.exchange, vhost='durable') is True


def test_reconnect_full_sync_repairs_what_nova_published_unbound(world, broker, record):
    """What a restart does to a non-durable ``nova``, without its race: the
    exchange is deleted under a connected listener (psvm's binding dies with
    it), nova publishes 40 creates into a ``nova`` it declares again, which
    nothing binds; then every connection drops.  No notification reaches
    psvm; the reconnect binds again and its full sync puts every port right."""
    world.start_listener()
    world.converge()
    broker.delete_exchange(world.exchange)
    unbound = set(world.publish(40))
    closed = time.monotonic()
    broker.close_all_connections()
    converged = world.converge(since=closed, unreachable=unbound)
    assert world.lost() == unbound
    record(world.figures('nova exchange deleted, 40 published unbound, then connections '
                         'closed; from the close', converged,
                         published_while_unbound=len(unbound)))


def test_notifications_queued_while_the_listener_is_down_survive_a_restart(
        world, broker, record):
    listener = world.start_listener()
    world.converge()
    assert listener.terminate() == 0
    world.publish(50)
    scenario.wait_until(lambda: broker.queue_length(world.pool) == 50, 30,
                        '50 notifications waiting in the pool queue')
    outage(broker)
    assert broker.queue_length(world.pool) == 50
    restarted = time.monotonic()
    world.start_listener()
    converged = world.converge(since=restarted)
    record(world.figures('50 queued while the listener was down, then a RabbitMQ '
                         'restart; from the listener start', converged))


def test_connections_closed_mid_burst_lose_nothing(world, broker, record):
    listener = world.start_listener()
    world.converge()
    publishing = threading.Thread(target=world.publish, args=(200,))
    publishing.start()
    scenario.wait_until(lambda: len(world.handled()) >= 50, 60, '50 notifications handled')
    closed = time.monotonic()
    broker.close_all_connections()
    publishing.join()
    converged = world.converge(since=closed)
    assert 'Reconnected to RabbitMQ' in listener.text()
    record(world.figures('rabbitmqctl close_all_connections mid-burst', converged))
