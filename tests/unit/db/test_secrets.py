import pytest
from cryptography import fernet

from psvm_listener.db import errors
from psvm_listener.db import secrets


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / 'credential.key'
    path.write_bytes(fernet.Fernet.generate_key())
    return str(path)


def test_password_round_trip_and_token_hides_it(key_file):
    cipher = secrets.Cipher(key_file)
    token = cipher.encrypt('hunter2')
    assert 'hunter2' not in token
    assert cipher.decrypt(token) == 'hunter2'


def test_missing_key_file_names_the_option_and_the_command(tmp_path):
    cipher = secrets.Cipher(str(tmp_path / 'absent.key'))
    with pytest.raises(errors.CredentialKeyMissing) as raised:
        cipher.encrypt('hunter2')
    message = str(raised.value)
    assert 'absent.key' in message
    assert '[credentials] key_file' in message
    assert 'psvm-manage credential-key generate' in message


def test_no_key_file_configured():
    with pytest.raises(errors.CredentialKeyMissing, match='no credential key file'):
        secrets.Cipher(None).encrypt('hunter2')


def test_garbage_key_file(tmp_path):
    path = tmp_path / 'bad.key'
    path.write_text('not a key\n')
    with pytest.raises(errors.CredentialKeyMissing, match='no valid Fernet key'):
        secrets.Cipher(str(path)).encrypt('hunter2')


def test_replaced_key_says_so(key_file, tmp_path):
    token = secrets.Cipher(key_file).encrypt('hunter2')
    other = tmp_path / 'other.key'
    other.write_bytes(fernet.Fernet.generate_key())
    with pytest.raises(errors.CredentialKeyMismatch, match='was the key replaced'):
        secrets.Cipher(str(other)).decrypt(token)


def test_rotation_new_key_on_top_still_reads_old_tokens(key_file, tmp_path):
    old_token = secrets.Cipher(key_file).encrypt('old')
    rotated = tmp_path / 'rotated.key'
    new_key = fernet.Fernet.generate_key()
    with open(key_file, 'rb') as old:
        rotated.write_bytes(new_key + b'\n' + old.read() + b'\n')
    cipher = secrets.Cipher(str(rotated))
    assert cipher.decrypt(old_token) == 'old'
    assert fernet.Fernet(new_key).decrypt(cipher.encrypt('new').encode()) == b'new'


def test_running_process_follows_a_key_rotation(key_file, tmp_path):
    """The listener's cipher has read the old key; psvm-manage then puts a
    new key on top and re-saves a password with it."""
    running = secrets.Cipher(key_file)
    running.decrypt(running.encrypt('warm up'))
    new_key = fernet.Fernet.generate_key()
    with open(key_file, 'rb') as old:
        old_key = old.read()
    with open(key_file, 'wb') as rotated:
        rotated.write(new_key + b'\n' + old_key + b'\n')
    token = secrets.Cipher(key_file).encrypt('rotated')
    assert running.decrypt(token) == 'rotated'


def test_new_key_goes_on_top_and_old_keys_can_be_dropped(key_file):
    old_token = secrets.Cipher(key_file).encrypt('hunter2')
    secrets.add_new_key(key_file)
    keys = secrets.read_keys(key_file)
    assert len(keys) == 2
    cipher = secrets.Cipher(key_file)
    new_token = cipher.rotate(old_token)
    secrets.drop_old_keys(key_file)
    assert secrets.read_keys(key_file) == keys[:1]
    assert secrets.Cipher(key_file).decrypt(new_token) == 'hunter2'
    with pytest.raises(errors.CredentialKeyMismatch):
        secrets.Cipher(key_file).decrypt(old_token)


def test_key_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / 'keys' / 'credential.key'
    secrets.write_keys(str(path), [fernet.Fernet.generate_key()])
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ['credential.key']


def test_key_file_stays_private_when_a_crash_left_a_partial_file(tmp_path):
    path = tmp_path / 'credential.key'
    partial = tmp_path / '.credential.key.new'
    partial.write_bytes(b'half a key')
    partial.chmod(0o644)
    secrets.write_keys(str(path), [fernet.Fernet.generate_key()])
    assert path.stat().st_mode & 0o777 == 0o600


def test_process_never_encrypts_with_a_dropped_key(key_file):
    running = secrets.Cipher(key_file)
    running.encrypt('warm up')
    secrets.add_new_key(key_file)
    secrets.drop_old_keys(key_file)
    token = running.encrypt('hunter2')
    assert secrets.Cipher(key_file).decrypt(token) == 'hunter2'
