"""SQLAlchemy engines for PSVM's database, made alike on every backend.

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

import os

import sqlalchemy as sa

from psvm_listener.db import errors

# A server database's pool: the listener's threads that query at once (a
# worker per switch, the pollers, the record writer, the RPC server) keep
# their connections, where SQLAlchemy's default of 5 would open and close a
# connection (a TCP and TLS handshake) for each query past the fifth.
SERVER_POOL = {'pool_size': 16, 'max_overflow': 64, 'pool_pre_ping': True,
               'pool_recycle': 3600}


def create(url):
    """An engine for ``url``, or Invalid naming the connection option."""
    try:
        url = sa.engine.make_url(url)
        if url.get_backend_name() == 'sqlite':
            return _sqlite(url)
        return sa.create_engine(url, **SERVER_POOL)
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
