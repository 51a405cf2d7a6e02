"""Move intents in PSVM's database: held, replaced, ended, expired, shared."""

import datetime

import sqlalchemy as sa

from psvm_listener import intents
from psvm_listener.db import api
from psvm_listener.db import models


def held(url, ttl=60):
    database = api.Database(url)
    database.create_schema()
    return intents.Intents(database, ttl)


def test_move_is_held_by_destination_until_it_ends(db_url):
    moves = held(db_url)
    moves.start('vm-1', 'c2', 'c1')
    moves.start('vm-2', 'c2')
    assert moves.by_host() == {'c2': {'vm-1', 'vm-2'}}
    assert moves.end('vm-1') == {'c1', 'c2'}
    assert moves.end('vm-1') == frozenset()
    assert moves.by_host() == {'c2': {'vm-2'}}
    moves.database.close()


def test_a_new_move_of_the_same_instance_replaces_the_old(db_url):
    moves = held(db_url)
    moves.start('vm-1', 'c2', 'c1')
    moves.start('vm-1', 'c3', 'c1')
    assert moves.by_host() == {'c3': {'vm-1'}}
    assert moves.end('vm-1') == {'c1', 'c3'}
    moves.database.close()


def test_another_listener_sees_the_move_and_ends_it(db_url):
    first, second = held(db_url), held(db_url)
    first.start('vm-1', 'c2', 'c1')
    assert second.by_host() == {'c2': {'vm-1'}}
    assert second.end('vm-1') == {'c1', 'c2'}
    assert first.by_host() == {}
    first.database.close()
    second.database.close()


def test_move_whose_end_was_lost_expires_and_is_archived(db_url):
    moves = held(db_url, ttl=3600)
    moves.start('vm-1', 'c2')
    moves.start('vm-2', 'c2')
    table = models.MoveIntent.__table__
    with moves.database.engine.begin() as connection:
        connection.execute(table.update().where(table.c.instance_uuid == 'vm-1').values(
            expires_at=api.now() - datetime.timedelta(seconds=1)))
    assert moves.by_host() == {'c2': {'vm-2'}}
    assert moves.expire() == 1
    assert moves.expire() == 0
    assert moves.database.archive_deleted_rows(10)['psvm_move_intent'] == 1
    with moves.database.engine.connect() as connection:
        archived = connection.execute(sa.select(models.SHADOWS['psvm_move_intent'])).one()
    assert archived.instance_uuid == 'vm-1'
    moves.end('vm-2')
    assert moves.database.archive_deleted_rows(10)['psvm_move_intent'] == 1
    moves.database.close()
