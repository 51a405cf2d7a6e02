"""Alembic, driven from code: the scripts live in this package, not in an
alembic.ini at the repository root, so an installed psvm-listener can
migrate its database with nothing else on disk.

To add a revision after changing models.py, let autogenerate compare the
models with a scratch database at head, then read and edit what it wrote::

    python - <<'EOF'
    from alembic import command
    from psvm_listener.db import api, migration
    with api.Database('sqlite:////tmp/psvm-rev.sqlite') as db:
        db.create_schema()
        with db.engine.begin() as connection:
            command.revision(migration.alembic_config(connection), autogenerate=True,
                             message='what changes', rev_id='0002')
    EOF

tests/functional/db/test_migration.py then proves the result on every backend.
"""

import os

from alembic import command
from alembic import config
from alembic import script
from alembic import util
from alembic.runtime import migration

from psvm_listener.db import errors

SCRIPT_LOCATION = os.path.join(os.path.dirname(__file__), 'migrations')


def alembic_config(connection=None):
    """An alembic Config for our scripts; env.py runs on ``connection``."""
    cfg = config.Config()
    cfg.set_main_option('script_location', SCRIPT_LOCATION)
    cfg.attributes['connection'] = connection
    return cfg


def upgrade(engine, revision='head'):
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    except util.CommandError as exc:
        raise errors.SchemaUnknown(
            f'cannot migrate: {exc}; was the database synced by a newer '
            f'psvm-listener? This one knows up to revision {head()}')


def current(engine):
    """The revision the database is at, or None before the first sync."""
    with engine.connect() as connection:
        return migration.MigrationContext.configure(connection).get_current_revision()


def head():
    """The newest revision the code knows."""
    return script.ScriptDirectory.from_config(alembic_config()).get_current_head()
