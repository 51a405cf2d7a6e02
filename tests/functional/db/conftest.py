import pytest
from cryptography import fernet

from psvm_listener.db import api


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / 'credential.key'
    path.write_bytes(fernet.Fernet.generate_key())
    return str(path)


@pytest.fixture
def database(db_url, key_file):
    """PSVM's database, migrated to head, on SQLite, MariaDB and PostgreSQL."""
    with api.Database(db_url, key_file=key_file) as db:
        db.create_schema()
        yield db


@pytest.fixture
def credential(database):
    return database.create_credential(user_name='admin', password='hunter2')


@pytest.fixture
def switch(database, credential):
    return database.create_switch(ip='192.0.2.10', switch_cred_id=credential['id'])
