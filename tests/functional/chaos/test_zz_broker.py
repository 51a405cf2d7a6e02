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


@pytest.fixture(scope='module')
def broker():
    with rabbit.PrivateRabbit() as node:
        yield node


@pytest.fixture
def world(tmp_path, broker):
    with chaos_world.World(tmp_path, transport_url=broker.url) as made:
        yield made


def exchange_durable(broker, name):
    for line in broker.ctl('list_exchanges', '-q', '--no-table-headers', 'name',
                           'durable').splitlines():
        found, _, durable = line.rpartition('\t')
        if found == name:
            return durable == 'true'
    return None


def outage(broker):
    broker.stop_app()
    threading.Event().wait(OUTAGE)
    broker.start_app()


def test_broker_restart_mid_burst_loses_nothing(world, broker, record):
    world.start_listener()
    world.converge()
    publishing = threading.Thread(target=world.publish, args=(300,))
    publishing.start()
    scenario.wait_until(lambda: len(world.handled()) >= 100, 60, '100 notifications handled')
    outage(broker)
    restarted = time.monotonic()
    publishing.join()
    converged = world.converge(since=restarted)
    record(world.figures(f'RabbitMQ stop_app/start_app ({OUTAGE:g} s) mid-burst, '
                         f'from start_app', converged))
    assert exchange_durable(broker, world.exchange) is False


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
