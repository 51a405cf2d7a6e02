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


def test_revision_0007_counts_the_sums_of_switches_synced_before_it(db_url):
    with api.Database(db_url) as db:
        migration.upgrade(db.engine, '0006')
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO psvm_switch_credential (id, user_name, password, created_at, "
                "deleted) VALUES (1, 'admin', 'x', '2026-01-01', 0)"))
            connection.execute(sa.text(
                "INSERT INTO psvm_switch (id, ip, port, switch_cred_id, created_at, deleted) "
                "VALUES (1, '192.0.2.1', 22, 1, '2026-01-01', 0)"))
            for node, port in ((1, 'ethernet1/1'), (2, 'ethernet1/2'), (3, 'ethernet1/3')):
                connection.execute(sa.text(
                    'INSERT INTO psvm_switchport_binding (switch_id, compute_node_id, '
                    "switch_port, created_at, deleted) VALUES (1, :node, :port, "
                    "'2026-01-01', 0)"), {'node': node, 'port': port})
            for port, allowed, count in (('ethernet1/1', '10-12', 3), ('ethernet1/2', 'all', None),
                                         ('ethernet1/3', '20', 1), ('ethernet1/9', '30-31', 2)):
                connection.execute(sa.text(
                    'INSERT INTO psvm_switch_port (switch_id, port, allowed, vlan_count, '
                    "read_at) VALUES (1, :port, :allowed, :count, '2026-01-01')"),
                    {'port': port, 'allowed': allowed, 'count': count})
        db.create_schema()
        facts = db.switch_facts(1, read_ports=[])
    assert (facts['ports_listed'], facts['ports_all']) == (4, 1)
