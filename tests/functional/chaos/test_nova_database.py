"""nova's database down at start, and dead pooled connections after a failover."""

import time

import pytest

from psvm_listener.lab import scenario
from tests.functional.chaos import world as chaos_world


def test_nova_unreachable_at_start(world, record):
    world.proxy.cut()
    listener = world.start_listener()
    world.publish(80)
    scenario.wait_until(lambda: 'Requeued compute.instance.create.end' in listener.text(),
                        60, 'a notification requeued while nova is unreachable')
    assert world.handled() == set()
    restored = time.monotonic()
    world.proxy.restore()
    converged = world.converge(since=restored)
    record(world.figures('nova DB unreachable at start', converged))


@pytest.mark.parametrize('nova_kind', ['mysql', 'postgresql'])
def test_dead_pooled_connections_after_a_failover(tmp_path, nova_kind, record):
    with chaos_world.World(tmp_path, nova_kind=nova_kind) as world:
        failover(world, nova_kind, record)


def failover(world, nova_kind, record):
    world.start_listener()
    world.publish(24)
    world.converge()
    failed_over = time.monotonic()
    world.proxy.failover()
    world.publish(40)
    converged = world.converge(since=failed_over)
    record(world.figures(f'nova DB ({nova_kind}) failover, pooled connections silently '
                         f'dead (from the failover)', converged))
