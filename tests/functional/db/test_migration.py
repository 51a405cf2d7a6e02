import pytest
import sqlalchemy as sa
from alembic import autogenerate
from alembic.runtime import migration as alembic_migration

from psvm_listener.db import api
from psvm_listener.db import errors
from psvm_listener.db import migration
from psvm_listener.db import models


def test_migrations_create_exactly_the_models(db_url):
    with api.Database(db_url) as db:
        assert db.schema_version() is None
        db.create_schema()
        with db.engine.connect() as connection:
            context = alembic_migration.MigrationContext.configure(
                connection, opts={'compare_type': True})
            assert autogenerate.compare_metadata(context, models.Base.metadata) == []


def test_sync_is_repeatable_and_reaches_head(db_url):
    with api.Database(db_url) as db:
        db.create_schema()
        db.create_schema()
        assert db.schema_version() == migration.head()
        tables = set(sa.inspect(db.engine).get_table_names())
    assert tables >= {
        'psvm_switch_credential', 'psvm_switch', 'psvm_switchport_binding',
        'shadow_psvm_switch_credential', 'shadow_psvm_switch',
        'shadow_psvm_switchport_binding', 'psvm_move_intent', 'shadow_psvm_move_intent'}


def test_database_from_newer_code_is_refused_not_touched(db_url):
    with api.Database(db_url) as db:
        db.create_schema()
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = 'f00d'"))
        with pytest.raises(errors.SchemaUnknown, match=r'f00d.*revision \d{4}'):
            db.create_schema()
        assert db.schema_version() == 'f00d'


def test_first_sync_creates_the_directory_of_an_sqlite_file(tmp_path):
    path = tmp_path / 'state' / 'deeper' / 'psvm.sqlite'
    with api.Database(f'sqlite:///{path}') as db:
        db.create_schema()
        assert db.schema_version() == migration.head()
    assert path.is_file()
