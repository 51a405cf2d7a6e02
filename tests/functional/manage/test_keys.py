from psvm_listener.db import api
from psvm_listener.db import secrets


def test_rotate_reencrypts_every_password_and_can_drop_the_old_key(synced, db_url, tmp_path):
    key_file = str(tmp_path / 'keys' / 'credential.key')
    cred = synced.json('credential', 'create', '--user-name', 'admin', '--password', 'hunter2')
    old_keys = secrets.read_keys(key_file)
    assert synced.json('credential-key', 'rotate') == {
        'key_file': key_file, 'keys': 2, 'passwords_reencrypted': 1}
    assert synced.json('credential-key', 'rotate', '--drop-old')['keys'] == 1
    new_keys = secrets.read_keys(key_file)
    assert new_keys[0] not in old_keys
    with api.Database(db_url, key_file=key_file) as db:
        assert db.credential_password(cred['id']) == 'hunter2'


def test_rotate_without_a_key_says_how_to_make_one(manage):
    manage.ok('db', 'sync')
    error = manage.fails('credential-key', 'rotate')
    assert 'psvm-manage credential-key generate' in error


def test_generate_refuses_to_overwrite(synced):
    assert '--force' in synced.fails('credential-key', 'generate')
