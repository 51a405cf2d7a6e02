"""psvm-manage commands, one module per family.

Each module in ``FAMILIES`` has ``add_parsers(subparsers)`` that adds its
commands; each command sets ``func`` to a callable taking the parsed
command namespace and returning the exit code.
"""

import importlib

FAMILIES = ('keys', 'db', 'records', 'sync', 'inventory', 'report', 'explain')


def add_parsers(subparsers):
    for family in FAMILIES:
        module = importlib.import_module(f'{__name__}.{family}')
        module.add_parsers(subparsers)
