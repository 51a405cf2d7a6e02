from psvm_listener import inventory
from psvm_listener import nova_watcher


class Nova:
    """instance id → host, fingerprinted the way the inventory reads nova."""

    def __init__(self, **hosts):
        self.host_of = {int(i[1:]): h for i, h in hosts.items()}

    def instance_placement(self, known_up_to=0):
        placement = {}
        for instance, host in self.host_of.items():
            count, total, known, known_total, newest = placement.get(host, (0, 0, 0, 0, 0))
            old = instance <= known_up_to
            placement[host] = (count + 1, total + instance, known + old,
                               known_total + (instance if old else 0), max(newest, instance))
        return placement


def test_first_poll_is_the_baseline():
    assert nova_watcher.InstanceMoves().changes(Nova(i1='c1', i2='c2')) == set()


def test_a_move_marks_both_hosts():
    nova = Nova(i1='c1', i2='c2', i3='c3')
    moves = nova_watcher.InstanceMoves()
    moves.changes(nova)
    nova.host_of[1] = 'c2'
    assert moves.changes(nova) == {'c1', 'c2'}
    assert moves.changes(nova) == set()


def test_a_boot_marks_nothing_and_a_gone_instance_its_host():
    nova = Nova(i1='c1')
    moves = nova_watcher.InstanceMoves()
    moves.changes(nova)
    nova.host_of[2] = 'c2'
    nova.host_of[3] = 'c1'
    assert moves.changes(nova) == set()
    del nova.host_of[1]
    assert moves.changes(nova) == {'c1'}
    nova.host_of[2] = 'c1'
    assert moves.changes(nova) == {'c1', 'c2'}


def test_readings_mark_the_hosts_before_and_after_a_change():
    readings = {1: ('c1', frozenset({'c1'})), 2: ('c2', frozenset({'c2'}))}
    assert nova_watcher.changed_hosts(readings, {**readings, 1: ('c3', frozenset({'c3'}))}) \
        == {'c1', 'c3'}
    assert nova_watcher.changed_hosts(readings, {1: readings[1]}) == {'c2'}


class Migrations:
    """migration id → (status, source, destination), read as the inventory does."""

    def __init__(self, **rows):
        self.rows = {int(m[1:]): row for m, row in rows.items()}

    def migrations_since(self, newer_than=0):
        return {migration: row for migration, row in self.rows.items()
                if row[0] not in inventory.ENDED_MIGRATION_STATUSES or migration > newer_than}


def test_a_migration_that_changes_or_ends_marks_its_hosts():
    nova = Migrations(m1=('confirmed', 'c1', 'c2'), m2=('migrating', 'c3', 'c4'))
    migrations = nova_watcher.Migrations()
    assert migrations.changes(nova) == set()
    nova.rows[2] = ('finished', 'c3', 'c4')
    assert migrations.changes(nova) == {'c3', 'c4'}
    nova.rows[2] = ('confirmed', 'c3', 'c4')
    assert migrations.changes(nova) == {'c3', 'c4'}
    assert migrations.changes(nova) == set()


def test_a_migration_begun_and_ended_between_two_polls_marks_its_hosts_once():
    nova = Migrations(m1=('running', 'c1', 'c2'))
    migrations = nova_watcher.Migrations()
    migrations.changes(nova)
    nova.rows[2] = ('failed', 'c3', 'c4')
    assert migrations.changes(nova) == {'c3', 'c4'}
    assert migrations.changes(nova) == set()
    nova.rows[3] = ('failed', 'c5', 'c6')
    assert migrations.changes(nova) == {'c5', 'c6'}
    assert migrations.changes(nova) == set()
