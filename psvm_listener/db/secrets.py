"""Switch passwords at rest: Fernet tokens under the [credentials] key_file.

The key file holds one Fernet key per line.  The first encrypts; all of them
decrypt, so an operator can rotate keys by putting a new one on top and
re-saving the credentials.  Passwords in clear leave this module only for
the driver, through ``decrypt``.
"""

from cryptography import fernet

from psvm_listener.db import errors

HOW_TO_FIX = ('set [credentials] key_file, or run '
              '"psvm-manage credential-key generate" to write one')


class Cipher:
    """Encrypts and decrypts passwords with the keys of one key file."""

    def __init__(self, key_file):
        self.key_file = key_file
        self._fernet = None

    def encrypt(self, password):
        return self._keys().encrypt(password.encode('utf-8')).decode('ascii')

    def decrypt(self, token, what='a stored password'):
        """The password in ``token``.  A token no cached key opens makes the
        key file be read again once: a running listener then follows a key
        rotation done with psvm-manage without a restart."""
        try:
            return self._keys().decrypt(token.encode('ascii')).decode('utf-8')
        except fernet.InvalidToken:
            pass
        self._fernet = None
        try:
            return self._keys().decrypt(token.encode('ascii')).decode('utf-8')
        except fernet.InvalidToken:
            raise errors.CredentialKeyMismatch(
                f'{what} cannot be decrypted with the key in {self.key_file}; '
                f'was the key replaced? Set the password again.', field='password')

    def _keys(self):
        if self._fernet is None:
            self._fernet = load(self.key_file)
        return self._fernet


def load(key_file):
    """The MultiFernet of ``key_file``, or CredentialKeyMissing saying why."""
    if not key_file:
        raise errors.CredentialKeyMissing(
            f'no credential key file is configured: {HOW_TO_FIX}')
    try:
        with open(key_file, 'rb') as stream:
            lines = [line.strip() for line in stream if line.strip()]
    except FileNotFoundError:
        raise errors.CredentialKeyMissing(
            f'credential key file {key_file} does not exist: {HOW_TO_FIX}')
    except OSError as exc:
        raise errors.CredentialKeyMissing(
            f'credential key file {key_file} cannot be read ({exc.strerror}): '
            f'{HOW_TO_FIX}')
    try:
        return fernet.MultiFernet([fernet.Fernet(line) for line in lines])
    except ValueError:
        raise errors.CredentialKeyMissing(
            f'credential key file {key_file} holds no valid Fernet key: {HOW_TO_FIX}')
