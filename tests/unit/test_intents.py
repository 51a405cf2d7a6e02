from psvm_listener import intents


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def test_move_is_held_by_destination_until_it_ends():
    held = intents.Intents(ttl=60, clock=Clock())
    held.start('vm-1', 'c2', {'c1'})
    held.start('vm-2', 'c2')
    assert held.by_host() == {'c2': {'vm-1', 'vm-2'}}
    assert held.end('vm-1') == {'c1', 'c2'}
    assert held.end('vm-1') == frozenset()
    assert held.by_host() == {'c2': {'vm-2'}}


def test_move_whose_end_was_lost_expires():
    clock = Clock()
    held = intents.Intents(ttl=60, clock=clock)
    held.start('vm-1', 'c2')
    clock.now = 59.9
    assert held.by_host() == {'c2': {'vm-1'}}
    clock.now = 60.0
    assert held.by_host() == {}
