"""psvm-manage credential-key generate: the Fernet key for switch passwords."""

import os

from cryptography.fernet import Fernet

from psvm_listener import conf


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


def generate_key(args):
    path = conf.CONF.credentials.key_file
    if os.path.exists(path) and not args.force:
        raise FileExistsError(
            f'{path} exists; replacing it makes stored passwords unreadable '
            f'(use --force to replace it anyway)')
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'wb') as key_file:
        key_file.write(Fernet.generate_key())
    print(f'credential key written to {path}')
    return 0

