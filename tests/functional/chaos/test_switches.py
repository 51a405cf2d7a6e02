"""A switch that refuses one port's change, and a switch that stalls."""

import threading
import time

from psvm_listener.lab import scenario

REFUSED_HOST = 'h1-3'
# Seconds a switch stalls: several timed-out reconnects (rpc_timeout 3 s,
# retries backing off to 4 s); the fault's length, not a wait for work.
STALL = 15.0


def test_one_refused_port_leaves_the_others_applied_at_once(world, record):
    world.switches[0].faults.refused_ports = frozenset({'ethernet1/3'})
    listener = world.start_listener()
    world.publish(48)
    others = time.monotonic()
    scenario.wait_until(lambda: not world.lost() and world.wrong() == [REFUSED_HOST], 30,
                        'every port but the refused one right')
    record(world.figures('one refused port: the others right (refusal still on)',
                         time.monotonic() - others))
    assert 'refused the change of port ethernet1/3' in listener.text()
    cleared = time.monotonic()
    world.switches[0].faults.refused_ports = frozenset()
    converged = world.converge(since=cleared)
    record(world.figures('one refused port, after the refusal ends', converged))


def test_stalled_switch_holds_few_sessions_and_slows_no_other(world, record):
    stalled = world.switches[1]
    world.start_listener()
    world.publish(24)
    world.converge()
    stalled.faults.stall = True
    stall_ends = time.monotonic() + STALL
    most_sessions = []
    watching = threading.Event()

    def watch():
        while not watching.wait(0.1):
            most_sessions.append(stalled.sessions())
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        world.publish(60)
        others = [host for host in world.hosts if not host.startswith('h2-')]
        scenario.wait_until(lambda: not set(world.wrong()) & set(others), STALL,
                            'the ports of the switches that answer right')
        scenario.wait_until(lambda: time.monotonic() >= stall_ends, STALL + 1,
                            'the end of the stall', interval=0.1)
    finally:
        ended = time.monotonic()
        stalled.faults.stall = False
        watching.set()
        watcher.join()
    assert max(most_sessions) <= 1
    converged = world.converge(since=ended)
    record(dict(world.figures(f'stalled switch ({STALL:g} s), after the stall ends',
                              converged),
                most_sessions_on_the_stalled_switch=max(most_sessions)))
