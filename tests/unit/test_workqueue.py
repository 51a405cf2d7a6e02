import threading
import time

import pytest

from psvm_listener import workqueue
from psvm_listener.workqueue import ALL


def test_marks_before_take_coalesce_into_one_batch():
    queue = workqueue.PortQueue()
    queue.add({'ethernet1/1'}, at=1.0)
    queue.add({'ethernet1/1', 'ethernet1/2'}, at=2.0)
    assert queue.take(0) == (frozenset({'ethernet1/1', 'ethernet1/2'}), 1.0)
    queue.done((frozenset({'ethernet1/1', 'ethernet1/2'}), 1.0), ok=True)
    assert queue.take(0) is None
    assert queue.idle()


def test_mark_while_processing_runs_again_afterwards():
    queue = workqueue.PortQueue()
    queue.add({'ethernet1/1'}, at=1.0)
    batch = queue.take(0)
    queue.add({'ethernet1/1'}, at=2.0)
    assert not queue.idle()
    queue.done(batch, ok=True)
    assert queue.take(0) == (frozenset({'ethernet1/1'}), 2.0)


def test_second_consumer_of_a_busy_queue_is_refused():
    queue = workqueue.PortQueue()
    queue.add({'ethernet1/1'})
    queue.take(0)
    queue.add({'ethernet1/2'})
    with pytest.raises(RuntimeError):
        queue.take(0)


def test_failed_batch_is_dirty_again_with_its_first_mark_time():
    queue = workqueue.PortQueue()
    queue.add({'ethernet1/1'}, at=1.0)
    batch = queue.take(0)
    queue.add({'ethernet1/2'}, at=5.0)
    queue.done(batch, ok=False)
    assert queue.take(0) == (frozenset({'ethernet1/1', 'ethernet1/2'}), 1.0)


def test_all_absorbs_single_ports():
    queue = workqueue.PortQueue()
    queue.add({'ethernet1/1'}, at=1.0)
    queue.add(ALL, at=2.0)
    queue.add({'ethernet1/2'}, at=3.0)
    assert queue.depth() == 0 and queue.depth(every=48) == 48
    assert queue.take(0) == (ALL, 1.0)


def test_empty_mark_is_no_work():
    queue = workqueue.PortQueue()
    queue.add(set())
    assert queue.take(0) is None
    assert queue.depth() == 0


def test_take_wakes_on_mark_from_another_thread():
    queue = workqueue.PortQueue()
    taken = []
    consumer = threading.Thread(target=lambda: taken.append(queue.take(10)))
    consumer.start()
    queue.add({'ethernet1/3'}, at=7.0)
    consumer.join(10)
    assert taken == [(frozenset({'ethernet1/3'}), 7.0)]


def test_debounce_takes_an_idle_switchs_first_mark_at_once():
    queue = workqueue.PortQueue(debounce=5.0)
    queue.add({'ethernet1/1'}, at=3.0)
    started = time.monotonic()
    assert queue.take(0) == (frozenset({'ethernet1/1'}), 3.0)
    assert time.monotonic() - started < 1.0


def test_debounce_gathers_the_marks_after_a_batch_into_the_next_one():
    queue = workqueue.PortQueue(debounce=0.2)
    queue.add({'ethernet1/1'})
    first = queue.take(0)
    taken_first = time.monotonic()
    queue.done(first, ok=True)
    queue.add({'ethernet1/2'}, at=5.0)
    taken = []
    consumer = threading.Thread(target=lambda: taken.append((queue.take(10),
                                                             time.monotonic())))
    consumer.start()
    queue.add({'ethernet1/3'}, at=6.0)
    consumer.join(10)
    (ports, marked_at), taken_at = taken[0]
    assert (ports, marked_at) == ({'ethernet1/2', 'ethernet1/3'}, 5.0)
    assert taken_at - taken_first >= 0.2


def test_closing_cuts_a_debounce_short():
    queue = workqueue.PortQueue(debounce=60.0)
    queue.add({'ethernet1/0'})
    queue.done(queue.take(0), ok=True)
    taken = []
    queue.add({'ethernet1/1'}, at=3.0)
    consumer = threading.Thread(target=lambda: taken.append(queue.take(10)))
    consumer.start()
    queue.close()
    consumer.join(10)
    assert taken == [(frozenset({'ethernet1/1'}), 3.0)]


def test_close_wakes_an_idle_consumer_and_refuses_new_marks():
    queue = workqueue.PortQueue()
    taken = []
    consumer = threading.Thread(target=lambda: taken.append(queue.take(10)))
    consumer.start()
    queue.close()
    consumer.join(10)
    assert taken == [None]
    queue.add({'ethernet1/1'})
    assert queue.depth() == 0


def test_wait_idle_returns_once_the_batch_is_done():
    queue = workqueue.PortQueue()
    queue.add({'ethernet1/1'})
    batch = queue.take(0)
    assert not queue.wait_idle(0)
    threading.Timer(0.01, queue.done, (batch, True)).start()
    assert queue.wait_idle(10)


def test_backoff_doubles_to_the_cap_and_resets():
    backoff = workqueue.Backoff(base=0.5, cap=3.0)
    assert [backoff.failed() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.succeeded()
    assert backoff.failed() == 0.5
    assert backoff.failed(permanent=True) == 3.0


def test_backoff_of_a_switch_down_for_days_stays_at_the_cap():
    backoff = workqueue.Backoff(base=0.5, cap=60.0)
    delays = [backoff.failed() for _ in range(5000)]
    assert delays[-1] == 60.0


def test_held_port_stays_out_of_batches_until_its_delay_passed():
    queue = workqueue.PortQueue()
    queue.hold({'e1/2'}, time.monotonic() + 0.2)
    queue.add({'e1/1', 'e1/2'})
    assert queue.take(timeout=0)[0] == {'e1/1'}
    queue.done(({'e1/1'}, 0), ok=True)
    assert queue.pending() == {'e1/2'}
    assert queue.take(timeout=0) is None
    assert queue.take(timeout=5)[0] == {'e1/2'}
