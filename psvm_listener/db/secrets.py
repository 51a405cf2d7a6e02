"""Switch passwords at rest: Fernet tokens under the [credentials] key_file.

The key file holds one Fernet key per line.  The first encrypts; all of them
decrypt.  ``psvm-manage credential-key rotate`` puts a new key on top and
re-encrypts every stored password with it.  Passwords in clear leave this
module only for the driver, through ``decrypt``.
"""

import os

from cryptography import fernet

from psvm_listener.db import errors

HOW_TO_FIX = ('set [credentials] key_file, or run '
              '"psvm-manage credential-key generate" to write one')


class Cipher:
    """Encrypts and decrypts passwords with the keys of one key file.

    Encrypting reads the key file every time (it is rare), so a process
    that outlives a rotation never writes with a key the file has dropped;
    so does re-encrypting.
    Decrypting uses the keys read last and reads the file again once when
    they do not open a token.
    """

    def __init__(self, key_file):
        self.key_file = key_file
        self._fernet = None

    def encrypt(self, password):
        self._fernet = load(self.key_file)
        return self._fernet.encrypt(password.encode('utf-8')).decode('ascii')

    def decrypt(self, token, what='a stored password'):
        return self._open(token, what, lambda keys, data: keys.decrypt(data)).decode('utf-8')

    def rotate(self, token, what='a stored password'):
        """``token`` re-encrypted with the first key of the file as it is now."""
        self._fernet = None
        return self._open(token, what, lambda keys, data: keys.rotate(data)).decode('ascii')

    def _open(self, token, what, use):
        if self._fernet is not None:
            try:
                return use(self._fernet, token.encode('ascii'))
            except fernet.InvalidToken:
                pass
        self._fernet = load(self.key_file)
        try:
            return use(self._fernet, token.encode('ascii'))
        except fernet.InvalidToken:
            raise errors.CredentialKeyMismatch(
                f'{what} cannot be decrypted with the key in {self.key_file}; '
                f'was the key replaced? Set the password again.', field='password')


def load(key_file):
    """The MultiFernet of ``key_file``, or CredentialKeyMissing saying why."""
    try:
        return fernet.MultiFernet([fernet.Fernet(key) for key in read_keys(key_file)])
    except ValueError:
        raise errors.CredentialKeyMissing(
            f'credential key file {key_file} holds no valid Fernet key: {HOW_TO_FIX}')


def read_keys(key_file):
    """The keys of ``key_file``, newest first, as bytes."""
    if not key_file:
        raise errors.CredentialKeyMissing(
            f'no credential key file is configured: {HOW_TO_FIX}')
    try:
        with open(key_file, 'rb') as stream:
            return [line.strip() for line in stream if line.strip()]
    except FileNotFoundError:
        raise errors.CredentialKeyMissing(
            f'credential key file {key_file} does not exist: {HOW_TO_FIX}')
    except OSError as exc:
        raise errors.CredentialKeyMissing(
            f'credential key file {key_file} cannot be read ({exc.strerror}): '
            f'{HOW_TO_FIX}')


def write_keys(key_file, keys):
    """Replace ``key_file`` by ``keys`` at once, readable by its owner only:
    a reader sees the old file or the new one, never half of either."""
    directory = os.path.dirname(os.path.abspath(key_file))
    os.makedirs(directory, exist_ok=True)
    partial = os.path.join(directory, f'.{os.path.basename(key_file)}.new')
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # O_CREAT's mode does not apply to a partial file left by a crash.
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, 'wb') as stream:
        stream.write(b''.join(key + b'\n' for key in keys))
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(partial, key_file)


def add_new_key(key_file):
    """Put a new key on top of ``key_file``; the old ones still decrypt."""
    keys = read_keys(key_file)
    load(key_file)
    write_keys(key_file, [fernet.Fernet.generate_key(), *keys])


def drop_old_keys(key_file):
    """Keep only the newest key; run after every token was re-encrypted."""
    write_keys(key_file, read_keys(key_file)[:1])
