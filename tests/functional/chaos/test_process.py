"""The listener process killed, stopped, and fed duplicates out of order."""

import threading
import time

from psvm_listener.lab import scenario
from tests.functional.chaos.world import instance


def test_kill_9_mid_burst_is_repaired_by_the_next_process(world, record):
    first = world.start_listener()
    publishing = threading.Thread(target=world.publish, args=(200,))
    publishing.start()
    scenario.wait_until(lambda: len(world.handled()) >= 50, 60, '50 notifications handled')
    first.kill()
    publishing.join()
    restarted = time.monotonic()
    world.start_listener()
    converged = world.converge(since=restarted)
    record(world.figures('kill -9 mid-burst, from the restart', converged))


def test_sigterm_syncs_every_marked_port_before_exit(world, record):
    listener = world.start_listener()
    world.converge()
    for switch in world.switches:
        switch.faults.latency = 2.0
    world.publish(40)
    scenario.wait_until(lambda: not world.lost(), 60, 'every notification handled')
    stopping = time.monotonic()
    assert listener.terminate() == 0
    stopped = time.monotonic() - stopping
    assert world.wrong() == []
    assert 'still dirty' not in listener.text()
    record(world.figures('SIGTERM with 2 s switch RPCs: time to exit, ports at exit',
                         stopped))


def test_duplicated_and_reordered_notifications_end_right(world, record):
    world.start_listener()
    world.converge()
    sequence = world.publish(30, send=False)
    started = time.monotonic()
    for seq in reversed(sequence):
        for _ in range(3):
            world.nova.create(instance(seq), world.hosts[seq % len(world.hosts)])
        world.published.add(seq)
    converged = world.converge(since=started)
    record(world.figures('30 creates sent 3 times each in reverse order', converged))
