"""Several writers at once (API workers, psvm-manage, the listener) must
get typed answers and leave consistent rows, on every database."""

import threading

from psvm_listener.db import errors


def race(count, work):
    """Run ``work(i)`` in ``count`` threads released together; outcomes by i."""
    barrier = threading.Barrier(count)
    outcomes = {}

    def run(i):
        barrier.wait()
        try:
            outcomes[i] = work(i)
        except errors.DbError as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == count
    return outcomes


def test_one_of_many_identical_bindings_wins(database, switch):
    outcomes = race(6, lambda i: database.create_binding(
        switch_id=switch['id'], compute_node_id=i + 1, switch_port=f'e1/{1 + i % 2}'))
    created = [o for o in outcomes.values() if isinstance(o, dict)]
    refused = [o for o in outcomes.values() if not isinstance(o, dict)]
    assert sorted(b['switch_port'] for b in created) == ['ethernet1/1', 'ethernet1/2']
    assert len(refused) == 4 and all(isinstance(e, errors.Duplicate) for e in refused)
    assert len(database.list_bindings()) == 2


def test_credential_deleted_while_switches_are_created_on_it(database, credential):
    def work(i):
        if i == 0:
            return database.delete_credential(credential['id'])
        return database.create_switch(ip=f'192.0.2.{i}', switch_cred_id=credential['id'])

    outcomes = race(5, work)
    live = database.list_switches()
    if isinstance(outcomes[0], dict):
        assert live == []
        assert all(isinstance(outcomes[i], errors.InvalidReference) for i in range(1, 5))
    else:
        assert isinstance(outcomes[0], errors.InUse)
        assert live and all(s['switch_cred_id'] == credential['id'] for s in live)
