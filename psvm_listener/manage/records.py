"""psvm-manage cred | switch | bind: PSVM's rows, straight in the database.

Every family has create, update, get, list and delete; list shows live rows,
or with ``--deleted`` the soft-deleted ones as well.  A password is never
printed; give it with ``--password`` or, to keep it out of the process
list and shell history, on standard input with ``--password-stdin``.
"""

import dataclasses
import sys

from psvm_listener.db import api
from psvm_listener.db import errors
from psvm_listener.manage import output


@dataclasses.dataclass(frozen=True)
class Option:
    flag: str
    field: str
    type: type
    help: str
    repeat: bool = False
    clearable: bool = False     # on update, '' sets the field to nothing


@dataclasses.dataclass(frozen=True)
class Family:
    command: str
    kind: api.Kind
    plural: str
    options: tuple
    list_filters: tuple = ()

    def method(self, verb):
        noun = self.plural if verb == 'list' else self.kind.name
        return f'{verb}_{noun}'


RECORDS = (
    Family('cred', api.CREDENTIAL, 'credentials', (
        Option('--user-name', 'user_name', str, 'user name the switch accepts'),
        Option('--password', 'password', str,
               'password (visible to other users in the process list; '
               'prefer --password-stdin)'),
    )),
    Family('switch', api.SWITCH, 'switches', (
        Option('--ip', 'ip', str, 'management IP address of the switch'),
        Option('--cred-id', 'switch_cred_id', int, 'id of the credential to log in with'),
        Option('--port', 'port', int, 'SSH port (default 22)'),
        Option('--host-key', 'host_key', str,
               "pinned SSH host key fingerprint, SHA256:... as ssh-keygen -lf prints it "
               "('' on update unpins it)", clearable=True),
        Option('--description', 'description', str, "free text ('' on update clears it)",
               clearable=True),
    )),
    Family('bind', api.BINDING, 'bindings', (
        Option('--switch-id', 'switch_id', int, 'id of the switch'),
        Option('--compute-node-id', 'compute_node_id', int, "nova's compute_nodes.id"),
        Option('--switch-port', 'switch_port', str,
               'port the node is cabled to: ethernet1/19, eth101/1/7, po20, ...'),
    ), list_filters=(
        Option('--switch-id', 'switch_id', int, 'only bindings of this switch'),
        Option('--compute-node-id', 'compute_node_ids', int,
               'only bindings of this compute node (repeat for several)', repeat=True),
    )),
)


def add_parsers(subparsers):
    for family in RECORDS:
        _add_family(subparsers, family)


def _add_family(subparsers, family):
    parser = subparsers.add_parser(family.command, help=f'manage {family.plural}')
    verbs = parser.add_subparsers(dest='action', required=True)
    create = verbs.add_parser('create', help=f'create a {family.kind.name}')
    update = verbs.add_parser('update', help=f'change fields of a {family.kind.name}')
    update.add_argument('id', type=int)
    for command in (create, update):
        for option in family.options:
            command.add_argument(option.flag, dest=option.field, type=option.type,
                                 help=option.help)
    if family.kind is api.CREDENTIAL:
        for command in (create, update):
            command.add_argument('--password-stdin', action='store_true',
                                 help='read the password from the first line of stdin')
    get = verbs.add_parser('get', help=f'show a {family.kind.name}')
    delete = verbs.add_parser('delete', help=f'soft-delete a {family.kind.name}')
    for command in (get, delete):
        command.add_argument('id', type=int)
    listing = verbs.add_parser('list', help=f'list {family.plural}')
    listing.add_argument('--deleted', action='store_true',
                         help='show soft-deleted rows as well')
    for option in family.list_filters:
        listing.add_argument(option.flag, dest=option.field, type=option.type,
                             help=option.help,
                             action='append' if option.repeat else 'store')
    for verb, command in (('create', create), ('update', update), ('get', get),
                          ('delete', delete), ('list', listing)):
        output.add_format_argument(command)
        command.set_defaults(func=_runner(family, verb))


def _runner(family, verb):
    def run(args):
        try:
            return _run(args, family, verb)
        except errors.DbError as exc:
            flag = {o.field: o.flag for o in family.options}.get(exc.field)
            if flag is None:
                raise
            raise type(exc)(f'{flag}: {exc}', field=exc.field)
    return run


def _run(args, family, verb):
    with api.Database.from_config() as db:
        method = getattr(db, family.method(verb))
        if verb == 'list':
            filters = {o.field: getattr(args, o.field) for o in family.list_filters}
            _print_rows(args.format, family, method(deleted=args.deleted, **filters))
            return 0
        if verb in ('get', 'delete'):
            row = method(args.id)
        elif verb == 'create':
            row = method(**_values(args, family))
        else:
            row = method(args.id, **_changes(args, family))
    _print_row(args.format, row)
    return 0


def _values(args, family):
    values = {o.field: getattr(args, o.field) for o in family.options
              if getattr(args, o.field) is not None}
    if getattr(args, 'password_stdin', False):
        if 'password' in values:
            raise errors.Invalid('give --password or --password-stdin, not both',
                                 field='password')
        values['password'] = sys.stdin.readline().rstrip('\r\n')
    return values


def _changes(args, family):
    values = _values(args, family)
    for option in family.options:
        if option.clearable and values.get(option.field) == '':
            values[option.field] = None
    if not values:
        flags = ', '.join(o.flag for o in family.options)
        raise errors.Invalid(f'nothing to change: give at least one of {flags}')
    return values


def _print_rows(fmt, family, rows):
    columns = family.kind.columns
    output.emit(fmt, columns, [[row[c] for c in columns] for row in rows], rows)


def _print_row(fmt, row):
    output.emit(fmt, ['field', 'value'], list(row.items()), row)
