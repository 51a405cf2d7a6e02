"""Command-line options of a record's fields, for every CLI that edits rows.

``psvm``, ``openstack psvm`` and ``psvm-manage`` take the same options for
the same record, because all three build them here from
``psvm_listener.records``.  A secret (the password) can also be read from
the first line of standard input (``--password-stdin``), so that it shows
in no process list nor shell history, or is prompted for on create.
"""

import getpass
import sys

from psvm_listener import errors


class BadOptions(errors.Permanent):
    """The options given cannot make a valid request."""


def add_fields(parser, record, creating):
    """An option per field; on create, the required ones must be given."""
    for field in record.fields:
        parser.add_argument(field.option, dest=field.name, type=field.type,
                            help=field.help,
                            required=creating and field.required and not field.secret)
        if field.secret:
            parser.add_argument(f'{field.option}-stdin', dest=f'{field.name}_stdin',
                                action='store_true',
                                help=f'read the {field.name} from the first line of '
                                     f'standard input')


def add_filters(parser, record):
    for each in record.filters:
        field = record.field(each.field)
        parser.add_argument(field.option, dest=each.keyword, type=field.type,
                            action='append' if each.repeat else 'store',
                            help=f'only {record.names} with this {field.name}'
                                 + (' (repeat for several)' if each.repeat else ''))


def filters(parsed, record):
    """``{Filter: value}`` for each filter given."""
    return {each: getattr(parsed, each.keyword) for each in record.filters
            if getattr(parsed, each.keyword) is not None}


def values(parsed, record, creating):
    """The fields the options set: a secret from stdin if asked (or prompted
    for on create), '' as null for a clearable field on set."""
    given = {f.name: getattr(parsed, f.name) for f in record.fields
             if getattr(parsed, f.name) is not None}
    for field in record.fields:
        if not field.secret:
            continue
        if getattr(parsed, f'{field.name}_stdin'):
            if field.name in given:
                raise BadOptions(f'give {field.option} or {field.option}-stdin, not both')
            given[field.name] = sys.stdin.readline().rstrip('\r\n')
        elif creating and field.name not in given:
            given[field.name] = getpass.getpass(f'{record.name} {field.name}: ')
    if creating:
        return given
    for field in record.fields:
        if field.clearable and given.get(field.name) == '':
            given[field.name] = None
    if not given:
        raise BadOptions('nothing to change: give at least one of '
                         + ', '.join(f.option for f in record.fields))
    return given
