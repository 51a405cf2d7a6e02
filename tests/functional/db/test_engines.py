"""The listener holds its database for weeks: connections the server drops
(restart, idle timeout, failover) must not turn into failed syncs."""

import time

import pytest
import sqlalchemy as sa

from psvm_listener.db import api
from psvm_listener.db import engines
from psvm_listener.db import errors
from tests import databases
from tests import tcp_proxy

KILL_OTHERS = {
    'postgresql': "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  "WHERE datname = current_database() AND pid <> pg_backend_pid()",
    'mysql': "SELECT id FROM information_schema.processlist "
             "WHERE db = DATABASE() AND id <> CONNECTION_ID()",
}


def drop_pooled_connections(url, kind):
    killer = sa.create_engine(url, isolation_level='AUTOCOMMIT')
    with killer.connect() as connection:
        rows = connection.execute(sa.text(KILL_OTHERS[kind])).all()
        if kind == 'mysql':
            for (thread_id,) in rows:
                connection.execute(sa.text(f'KILL {int(thread_id)}'))
    killer.dispose()
    return len(rows)


@pytest.mark.parametrize('kind', ['mysql', 'postgresql'])
def test_connections_dropped_by_the_server_are_replaced(kind, tmp_path):
    with databases.fresh_database(kind, tmp_path) as url, api.Database(url) as db:
        db.create_schema()
        db.list_switches()
        assert drop_pooled_connections(url, kind) >= 1
        assert db.list_switches() == []


def test_sqlite_enforces_foreign_keys(tmp_path):
    with api.Database(f'sqlite:///{tmp_path}/psvm.sqlite') as db:
        db.create_schema()
        with db.engine.begin() as connection:
            assert connection.exec_driver_sql('PRAGMA foreign_keys').scalar() == 1


def test_a_reader_in_a_transaction_does_not_block_sync_records(psvm_url, database, switch):
    """psvm-api or psvm-manage reading while the listener records a sync (WAL
    on SQLite; the servers never block here)."""
    engine = sa.create_engine(psvm_url)
    try:
        with engine.connect() as reader:
            if engine.dialect.name == 'sqlite':
                reader.exec_driver_sql('BEGIN')  # pysqlite would begin only at a write
            assert reader.exec_driver_sql('SELECT count(*) FROM psvm_switch').scalar() == 1
            database.record_sync(switch['id'], at=api.now(), result='ok', lif_usage=7)
        assert database.get_switch(switch['id'])['lif_usage'] == 7
    finally:
        engine.dispose()


@pytest.mark.parametrize('kind', ['mysql', 'postgresql'])
def test_a_silently_dead_server_is_unavailable_within_the_timeouts(kind, tmp_path):
    """A failover behind a silent network: the pooled connection gets no
    answer, no FIN, no RST.  The work fails as retry-later within the
    timeouts (not TCP's 15 minutes) and works again once the server is back.
    On PostgreSQL the proxy still acknowledges, so only psvm's own deadline
    (psycopg2_deadlines.py) ends the wait: libpq has none."""
    server = sa.engine.make_url(databases.SERVERS[kind])
    with databases.fresh_database(kind, tmp_path) as url, \
            tcp_proxy.TcpProxy((server.host, server.port)) as proxy:
        proxied = sa.engine.make_url(url).set(port=proxy.port).render_as_string(
            hide_password=False)
        with api.Database(proxied, timeouts=engines.Timeouts(connect=1, query=1)) as db:
            db.create_schema()
            db.list_switches()
            proxy.stall()
            started = time.monotonic()
            with pytest.raises(errors.Unavailable):
                db.list_switches()
            assert time.monotonic() - started < 5
            proxy.restore()
            assert db.list_switches() == []


def rollbacks_counted(engine):
    """Every DB-API rollback on ``engine``'s connections, counted."""
    counted = []

    @sa.event.listens_for(engine, 'connect')
    def _connect(dbapi_connection, _record):
        rollback = dbapi_connection.rollback

        def counting():
            counted.append(dbapi_connection)
            return rollback()
        dbapi_connection.rollback = counting
    return counted


@pytest.mark.parametrize('kind', ['mysql', 'postgresql'])
def test_a_connection_back_in_the_pool_is_rolled_back_only_with_a_transaction_open(
        kind, tmp_path):
    """Work left uncommitted on a returned connection is undone (its locks
    freed, its rows never seen); a connection whose transaction ended costs
    no rollback round trip when it goes back."""
    with databases.fresh_database(kind, tmp_path) as url:
        engine = engines.create(url)
        try:
            rollbacks = rollbacks_counted(engine)
            with engine.begin() as connection:
                connection.exec_driver_sql('CREATE TABLE t (id INTEGER PRIMARY KEY)')
            for _ in range(3):
                with engine.begin() as connection:
                    connection.exec_driver_sql('SELECT count(*) FROM t').scalar()
            assert rollbacks == []
            raw = engine.raw_connection()
            raw.cursor().execute('INSERT INTO t (id) VALUES (1)')
            raw.close()
            assert len(rollbacks) == 1
            with engine.begin() as connection:
                assert connection.exec_driver_sql('SELECT count(*) FROM t').scalar() == 0
                connection.exec_driver_sql('INSERT INTO t (id) VALUES (1)')
            with engine.connect() as connection:
                assert connection.exec_driver_sql('SELECT count(*) FROM t').scalar() == 1
        finally:
            engine.dispose()
