"""The commands of psvm: ``psvm <noun> list|show|create|set|delete``.

Each noun is a declaration (its resource, columns and options); the five
command classes of a noun are made from it, so all three behave alike.
"""

import dataclasses
import getpass
import sys

from cliff import command
from cliff import lister
from cliff import show

from psvm_listener.api import resources
from psvm_listener.client import http


@dataclasses.dataclass(frozen=True)
class Option:
    flag: str           # --switch-port
    field: str          # the API field it sets
    type: type = str
    help: str = ''
    required: bool = False  # on create


@dataclasses.dataclass(frozen=True)
class Noun:
    name: str
    resource: resources.Resource
    list_columns: tuple
    options: tuple
    list_filters: tuple = ()


NOUNS = (
    Noun('cred', resources.CREDENTIAL, ('id', 'user_name', 'password', 'updated_at'), (
        Option('--user-name', 'user_name', help='switch login name', required=True),
        Option('--password', 'password',
               help='switch password (prompted for if not given on create)'),
    )),
    Noun('switch', resources.SWITCH,
         ('id', 'ip', 'port', 'switch_cred_id', 'description', 'last_sync_at',
          'last_sync_result', 'lif_usage'), (
             Option('--ip', 'ip', help='IPv4 or IPv6 address of the switch',
                    required=True),
             Option('--cred', 'switch_cred_id', int, 'credential id', required=True),
             Option('--port', 'port', int, 'SSH port (default 22)'),
             Option('--host-key', 'host_key',
                    help='SSH host key fingerprint (SHA256:...)'),
             Option('--description', 'description', help='free text'),
         )),
    Noun('bind', resources.BINDING, ('id', 'switch_id', 'compute_node_id', 'switch_port'), (
        Option('--switch', 'switch_id', int, 'switch id', required=True),
        Option('--compute-node', 'compute_node_id', int, 'nova compute node id',
               required=True),
        Option('--port', 'switch_port', help='switch port: ethernet1/19, e101/1/7, po20',
               required=True),
    ), list_filters=(Option('--switch', 'switch_id', int, 'only bindings of this switch'),)),
)


def _add_options(parser, options, creating):
    for option in options:
        parser.add_argument(option.flag, dest=option.field, type=option.type,
                            help=option.help, required=creating and option.required
                            and option.field != 'password')


def _given(parsed, options):
    return {o.field: getattr(parsed, o.field) for o in options
            if getattr(parsed, o.field) is not None}


def _add_password_stdin(parser, resource):
    if 'password' in resource.fields:
        parser.add_argument('--password-stdin', action='store_true',
                            help='read the password from the first line of stdin, '
                                 'so that it shows in no process list')


def _fields(parsed, noun):
    """The fields the options set, the password from stdin if asked."""
    fields = _given(parsed, noun.options)
    if getattr(parsed, 'password_stdin', False):
        fields['password'] = sys.stdin.readline().rstrip('\r\n')
    return fields


def _row_columns(row):
    names = tuple(row)
    return names, tuple(row[name] for name in names)


class _NounCommand:
    noun = None

    @property
    def api(self):
        return self.app.api

    @property
    def resource(self):
        return self.noun.resource


class _List(_NounCommand, lister.Lister):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_options(parser, self.noun.list_filters, False)
        return parser

    def take_action(self, parsed_args):
        rows = self.api.list(self.resource, **_given(parsed_args, self.noun.list_filters))
        columns = self.noun.list_columns
        return columns, [tuple(row.get(c) for c in columns) for row in rows]


class _Show(_NounCommand, show.ShowOne):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('id', type=int, help=f'{self.resource.kind} id')
        return parser

    def take_action(self, parsed_args):
        return _row_columns(self.api.show(self.resource, parsed_args.id))


class _Create(_NounCommand, show.ShowOne):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_options(parser, self.noun.options, True)
        _add_password_stdin(parser, self.resource)
        return parser

    def take_action(self, parsed_args):
        fields = _fields(parsed_args, self.noun)
        if 'password' in self.resource.fields and 'password' not in fields:
            fields['password'] = getpass.getpass('Switch password: ')
        return _row_columns(self.api.create(self.resource, fields))


class _Set(_NounCommand, show.ShowOne):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('id', type=int, help=f'{self.resource.kind} id')
        _add_options(parser, self.noun.options, False)
        _add_password_stdin(parser, self.resource)
        return parser

    def take_action(self, parsed_args):
        fields = _fields(parsed_args, self.noun)
        if not fields:
            raise http.ApiError('nothing to change: give at least one option')
        return _row_columns(self.api.update(self.resource, parsed_args.id, fields))


class _Delete(_NounCommand, command.Command):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('id', type=int, help=f'{self.resource.kind} id')
        return parser

    def take_action(self, parsed_args):
        self.api.delete(self.resource, parsed_args.id)


VERBS = {
    'list': (_List, 'List {kinds}.'),
    'show': (_Show, 'Show one {kind}.'),
    'create': (_Create, 'Create a {kind}.'),
    'set': (_Set, 'Change a {kind}.'),
    'delete': (_Delete, 'Delete a {kind}.'),
}


def commands():
    """``{'switch list': class, ...}`` for every noun and verb."""
    made = {}
    for noun in NOUNS:
        for verb, (base, doc) in VERBS.items():
            made[f'{noun.name} {verb}'] = type(
                f'{noun.name.capitalize()}{verb.capitalize()}', (base,),
                {'noun': noun, '__doc__': doc.format(kind=noun.resource.kind,
                                                  kinds=noun.resource.kinds)})
    return made
