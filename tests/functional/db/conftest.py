import pytest
from cryptography import fernet

from psvm_listener.db import api
from psvm_listener.db import models
from tests import databases


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / 'credential.key'
    path.write_bytes(fernet.Fernet.generate_key())
    return str(path)


@pytest.fixture(scope='module', params=databases.KINDS)
def module_psvm_url(request, tmp_path_factory):
    """PSVM's database migrated to head, one per kind of database for a
    whole module: migrating MariaDB or PostgreSQL took longer than most of
    the tests that use it."""
    tmp_path = tmp_path_factory.mktemp('psvm')
    key_path = tmp_path / 'credential.key'
    key_path.write_bytes(fernet.Fernet.generate_key())
    with databases.fresh_database(request.param, tmp_path) as url:
        with api.Database(url, key_file=str(key_path)) as db:
            db.create_schema()
        yield url


@pytest.fixture
def psvm_url(module_psvm_url):
    """The module's PSVM database, every row (archived ones too) of an
    earlier test deleted; ids go on counting."""
    with api.Database(module_psvm_url) as db, db.engine.begin() as connection:
        for table in (models.SwitchPort.__table__, *models.TABLES, *models.SHADOWS.values()):
            connection.execute(table.delete())
    return module_psvm_url


@pytest.fixture
def database(psvm_url, key_file):
    """PSVM's database, migrated to head, on SQLite, MariaDB and PostgreSQL."""
    with api.Database(psvm_url, key_file=key_file) as db:
        yield db


@pytest.fixture
def credential(database):
    return database.create_credential(user_name='admin', password='hunter2')


@pytest.fixture
def switch(database, credential):
    return database.create_switch(ip='192.0.2.10', switch_cred_id=credential['id'])
