"""SQLAlchemy engines for PSVM's database, made alike on every backend.

Every server engine gets a connect and a query timeout (``timeouts``), and
pooled connections are pinged before use and recycled hourly: after a
database failover a pooled connection may be dead without a word (no FIN,
no RST), and a query on it would wait for TCP to give up, about 15 minutes.
A connection back in the pool is rolled back only when its driver says a
transaction is open on it: every transaction here ends in a commit or a
rollback of its own, and SQLAlchemy's reset on return, a rollback whatever
the state, was a round trip in each of a one-port sync's transactions.

SQLite gets two fixes so it behaves like MariaDB and PostgreSQL: foreign
keys are enforced, and every transaction starts with BEGIN IMMEDIATE so that
"check, then write" (a credential still in use? a switch still there?) runs
under the write lock, which SELECT ... FOR UPDATE gives on the servers.
A file database also runs in WAL mode with synchronous=NORMAL: readers
(psvm-api, psvm-manage) never block the listener's sync records, and a
commit does not wait for an fsync, which otherwise put tens of milliseconds
on the event path; a crash can lose at most the last sync records, never
corrupt the file.
"""

import dataclasses
import math
import os

import sqlalchemy as sa

from psvm_listener.db import errors

# A server database's pool: the listener's threads that query at once (a
# worker per switch, the pollers, the record writer, the RPC server) keep
# their connections, where SQLAlchemy's default of 5 would open and close a
# connection (a TCP and TLS handshake) for each query past the fifth.
SERVER_POOL = {'pool_size': 16, 'max_overflow': 64, 'pool_pre_ping': True,
               'pool_recycle': 3600, 'pool_reset_on_return': None}


@dataclasses.dataclass(frozen=True)
class Timeouts:
    """Seconds to open a connection, and for one query to be sent and answered."""

    connect: float = 10.0
    query: float = 10.0

    @classmethod
    def of(cls, group):
        """The timeouts of an option group ([database] or [nova])."""
        return cls(group.connect_timeout, group.query_timeout)


DEFAULT_TIMEOUTS = Timeouts()


def _whole_seconds(seconds):
    return max(1, math.ceil(seconds))


def _milliseconds(seconds):
    return max(1, round(seconds * 1000))


def _driver_timeouts(driver, timeouts):
    """The DB-API connect arguments that bound each wait of ``driver``.

    PyMySQL and mysqlclient time out reads and writes on the socket.
    libpq has no read timeout: psycopg2 waits through a callback that
    bounds each wait (psycopg2_deadlines.py); the server also cancels a
    statement after statement_timeout, and TCP keepalives plus
    tcp_user_timeout end a connection whose peer vanished.
    """
    if driver == 'pymysql':
        return {'connect_timeout': timeouts.connect, 'read_timeout': timeouts.query,
                'write_timeout': timeouts.query}
    if driver == 'mysqldb':
        return {'connect_timeout': _whole_seconds(timeouts.connect),
                'read_timeout': _whole_seconds(timeouts.query),
                'write_timeout': _whole_seconds(timeouts.query)}
    if driver == 'psycopg2':
        # Imported here: only a PostgreSQL deployment has psycopg2.
        from psvm_listener.db import psycopg2_deadlines
        return {'connect_timeout': _whole_seconds(timeouts.connect),
                'options': f'-c statement_timeout={_milliseconds(timeouts.query)}',
                'keepalives': 1, 'keepalives_idle': _whole_seconds(timeouts.query),
                'keepalives_interval': _whole_seconds(timeouts.query / 3),
                'keepalives_count': 3, 'tcp_user_timeout': _milliseconds(timeouts.query),
                'connection_factory': psycopg2_deadlines.connection_factory(
                    timeouts.connect, timeouts.query)}
    return {}


def server_engine(url, timeouts):
    """An engine on a database server whose every wait is bounded by
    ``timeouts``; a setting already in the URL's query wins."""
    connect_args = {name: value
                    for name, value in _driver_timeouts(url.get_driver_name(), timeouts).items()
                    if name not in url.query}
    engine = sa.create_engine(url, **SERVER_POOL, connect_args=connect_args)
    _roll_back_open_transactions(engine, _IN_TRANSACTION.get(url.get_driver_name()))
    return engine


def _pymysql_in_transaction(dbapi_connection):
    from pymysql.constants import SERVER_STATUS
    return bool(dbapi_connection.server_status & SERVER_STATUS.SERVER_STATUS_IN_TRANS)


def _psycopg2_in_transaction(dbapi_connection):
    import psycopg2.extensions
    return dbapi_connection.info.transaction_status != (
        psycopg2.extensions.TRANSACTION_STATUS_IDLE)


_IN_TRANSACTION = {'pymysql': _pymysql_in_transaction, 'psycopg2': _psycopg2_in_transaction}
"""Does the driver's connection have a transaction open?  Each driver
tracks it from the server's replies; another driver is always rolled back."""


def _roll_back_open_transactions(engine, in_transaction):
    """The pool's reset on return (``pool_reset_on_return`` None: this
    event alone): a rollback unless the driver knows no transaction is open."""
    @sa.event.listens_for(engine, 'reset')
    def _reset(dbapi_connection, _record, _state):
        if in_transaction is None or in_transaction(dbapi_connection):
            dbapi_connection.rollback()


def create(url, timeouts=None):
    """An engine for ``url``, or Invalid naming the connection option."""
    try:
        url = sa.engine.make_url(url)
        if url.get_backend_name() == 'sqlite':
            return _sqlite(url)
        return server_engine(url, timeouts or DEFAULT_TIMEOUTS)
    except sa.exc.ArgumentError as exc:
        raise errors.Invalid(f'[database] connection is not a usable database URL: {exc}',
                             field='connection')


def ensure_directory(url):
    """Create the directory of an SQLite file, so a first sync just works."""
    url = sa.engine.make_url(url)
    if url.get_backend_name() == 'sqlite' and url.database not in (None, '', ':memory:'):
        os.makedirs(os.path.dirname(os.path.abspath(url.database)), exist_ok=True)


def _sqlite(url):
    engine = sa.create_engine(url, connect_args={'timeout': 30})

    @sa.event.listens_for(engine, 'connect')
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute('PRAGMA foreign_keys = ON')
        if url.database not in (None, '', ':memory:'):
            dbapi_connection.execute('PRAGMA journal_mode = WAL')
            dbapi_connection.execute('PRAGMA synchronous = NORMAL')

    @sa.event.listens_for(engine, 'begin')
    def _begin(connection):
        connection.exec_driver_sql('BEGIN IMMEDIATE')

    return engine
