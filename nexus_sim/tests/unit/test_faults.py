import threading

from nexus_sim.faults import Faults


def faults(changed=None):
    return Faults(changed or threading.Condition(threading.RLock()))


def test_drop_after_lets_n_through_then_drops_once():
    f = faults()
    f.drop_after(2)
    assert [f.take_drop() for _ in range(5)] == [False, False, True, False, False]


def test_fail_next_edits_fails_exactly_k():
    f = faults()
    f.fail_next_edits(2)
    assert [f.take_edit_failure() for _ in range(4)] == [True, True, False, False]


def test_stall_waits_until_cleared_or_stopped():
    changed = threading.Condition(threading.RLock())
    f = faults(changed)
    f.stall = True
    released = threading.Event()
    waiter = threading.Thread(target=lambda: (f.wait_while_stalled(lambda: False),
                                              released.set()))
    waiter.start()
    assert not released.wait(0.05)
    f.stall = False
    assert released.wait(5)
    f.stall = True
    stopped = []
    waiter = threading.Thread(target=f.wait_while_stalled, args=(lambda: bool(stopped),))
    waiter.start()
    with changed:
        stopped.append(True)
        changed.notify_all()
    waiter.join(5)
    assert not waiter.is_alive()
