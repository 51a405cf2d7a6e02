"""Fresh, empty databases on the real servers of this machine, for tests.

Each call creates a database with a unique name and drops it afterwards, so
tests (and several test runs at once) never see each other's rows.  A
server that does not answer fails the test: nothing is skipped.
"""

import contextlib
import uuid

import sqlalchemy as sa

SERVERS = {
    'mysql': 'mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4',
    'postgresql': 'postgresql+psycopg2://postgres@127.0.0.1:5432/{name}',
}
ADMIN_DB = {'mysql': '', 'postgresql': 'postgres'}
KINDS = ('sqlite', 'mysql', 'postgresql')


@contextlib.contextmanager
def fresh_database(kind, tmp_path):
    """Yield the SQLAlchemy URL of a new empty database of ``kind``."""
    if kind == 'sqlite':
        yield f'sqlite:///{tmp_path}/{uuid.uuid4().hex}.sqlite'
        return
    name = f'psvm_test_{uuid.uuid4().hex[:12]}'
    admin = sa.create_engine(SERVERS[kind].format(name=ADMIN_DB[kind]),
                             isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE {name}'))
    try:
        yield SERVERS[kind].format(name=name)
    finally:
        with admin.connect() as conn:
            if kind == 'postgresql':
                conn.execute(sa.text(f'DROP DATABASE {name} WITH (FORCE)'))
            else:
                conn.execute(sa.text(f'DROP DATABASE {name}'))
        admin.dispose()
