"""psvm-manage credential | switch | binding: PSVM's rows, straight in the database.

The nouns, verbs (list, show, create, set, delete), options and list columns
are those of ``psvm`` and ``openstack psvm``, all made from
``psvm_listener.records``.  ``list --deleted`` shows soft-deleted rows too.
A password is never printed.
"""

from psvm_listener import record_options
from psvm_listener import records
from psvm_listener.db import api
from psvm_listener.db import errors
from psvm_listener.manage import output


def add_parsers(subparsers):
    for record in records.ALL:
        _add_record(subparsers, record)


def _add_record(subparsers, record):
    parser = subparsers.add_parser(record.name, help=f'manage {record.names}')
    verbs = parser.add_subparsers(dest='action', required=True)
    listing = verbs.add_parser('list', help=f'list {record.names}')
    listing.add_argument('--deleted', action='store_true',
                         help='show soft-deleted rows as well')
    record_options.add_filters(listing, record)
    create = verbs.add_parser('create', help=f'create a {record.name}')
    record_options.add_fields(create, record, creating=True)
    changing = verbs.add_parser('set', help=f'change fields of a {record.name}')
    changing.add_argument('id', type=int)
    record_options.add_fields(changing, record, creating=False)
    show = verbs.add_parser('show', help=f'show a {record.name}')
    delete = verbs.add_parser('delete', help=f'soft-delete a {record.name}')
    for command in (show, delete):
        command.add_argument('id', type=int)
    for verb, command in (('list', listing), ('show', show), ('create', create),
                          ('set', changing), ('delete', delete)):
        output.add_format_argument(command)
        command.set_defaults(func=_runner(record, verb))


def _runner(record, verb):
    def run(args):
        try:
            return _run(args, record, verb)
        except errors.DbError as exc:
            if exc.field not in record.checks:
                raise
            raise type(exc)(f'{record.field(exc.field).option}: {exc}', field=exc.field)
    return run


def _run(args, record, verb):
    with api.Database.from_config() as db:
        if verb == 'list':
            filters = {each.keyword: value for each, value in
                       record_options.filters(args, record).items()}
            rows = getattr(db, f'list_{record.names}')(deleted=args.deleted, **filters)
            columns = record.list_columns
            output.emit(args.format, columns, [[row[c] for c in columns] for row in rows],
                        rows)
            return 0
        method = getattr(db, f'{_DB_VERBS[verb]}_{record.name}')
        if verb in ('show', 'delete'):
            row = method(args.id)
        elif verb == 'create':
            row = method(**record_options.values(args, record, creating=True))
        else:
            row = method(args.id, **record_options.values(args, record, creating=False))
    output.emit(args.format, ['field', 'value'], list(row.items()), row)
    return 0


_DB_VERBS = {'show': 'get', 'create': 'create', 'set': 'update', 'delete': 'delete'}
