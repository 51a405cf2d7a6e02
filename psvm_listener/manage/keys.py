"""psvm-manage credential-key generate | rotate: the Fernet key for switch passwords."""

import os

from cryptography.fernet import Fernet

from psvm_listener import conf
from psvm_listener.db import api
from psvm_listener.db import secrets
from psvm_listener.manage import output


def add_parsers(subparsers):
    parser = subparsers.add_parser(
        'credential-key', help='manage the key that encrypts switch passwords')
    actions = parser.add_subparsers(dest='action', required=True)
    generate = actions.add_parser(
        'generate', help='write a new key to [credentials] key_file')
    generate.add_argument('--force', action='store_true',
                          help='replace an existing key (stored passwords '
                               'become unreadable)')
    generate.set_defaults(func=generate_key)
    rotate = actions.add_parser(
        'rotate', help='put a new key on top of [credentials] key_file and '
                       're-encrypt every stored password with it')
    rotate.add_argument('--drop-old', action='store_true',
                        help='then remove the older keys from the file (stop '
                             'psvm-api first, or a password it saves meanwhile '
                             'may stay under an old key)')
    output.add_format_argument(rotate)
    rotate.set_defaults(func=rotate_key)


def generate_key(args):
    path = conf.CONF.credentials.key_file
    if os.path.exists(path) and not args.force:
        raise FileExistsError(
            f'{path} exists; replacing it makes stored passwords unreadable '
            f'(use --force to replace it anyway)')
    secrets.write_keys(path, [Fernet.generate_key()])
    print(f'credential key written to {path}')
    return 0


def rotate_key(args):
    """Old keys stay in the file until every password is re-encrypted, so an
    interrupted rotation leaves every password readable."""
    path = conf.CONF.credentials.key_file
    secrets.add_new_key(path)
    with api.Database.from_config() as db:
        count = db.reencrypt_passwords()
    if args.drop_old:
        secrets.drop_old_keys(path)
    keys = len(secrets.read_keys(path))
    output.emit(args.format, ['key_file', 'keys', 'passwords_reencrypted'],
                [[path, keys, count]],
                {'key_file': path, 'keys': keys, 'passwords_reencrypted': count})
    return 0
