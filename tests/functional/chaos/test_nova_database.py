"""nova's database down at start, and dead pooled connections after a failover."""

import time

from psvm_listener.lab import scenario


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


def test_dead_pooled_connections_after_a_failover(world, record):
    world.start_listener()
    world.publish(24)
    world.converge()
    failed_over = time.monotonic()
    world.proxy.failover()
    world.publish(40)
    converged = world.converge(since=failed_over)
    record(world.figures('nova DB failover, pooled connections silently dead '
                         '(from the failover)', converged))
