"""The commands of ``psvm`` and ``openstack psvm``: ``<record> list|show|create|set|delete``.

The five command classes of each record are made from its declaration in
``psvm_listener.records`` (options and list columns as psvm-manage's), and
are module attributes (``SwitchList``, ...) for OpenStackClient's entry
points.  A command finds psvm-api as ``self.app.client_manager.psvm``, which
both the standalone ``psvm`` and OpenStackClient provide.
"""

from cliff import command
from cliff import lister
from cliff import show

from psvm_listener import record_options
from psvm_listener import records


class _RecordCommand:
    record = None

    @property
    def api(self):
        return self.app.client_manager.psvm

    def add_id(self, parser):
        parser.add_argument('id', type=int, help=f'{self.record.name} id')


class _List(_RecordCommand, lister.Lister):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        record_options.add_filters(parser, self.record)
        return parser

    def take_action(self, parsed_args):
        query = {each.field: value for each, value in
                 record_options.filters(parsed_args, self.record).items()}
        rows = self.api.list(self.record, **query)
        columns = self.record.list_columns
        return columns, [tuple(row.get(c) for c in columns) for row in rows]


class _Show(_RecordCommand, show.ShowOne):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        self.add_id(parser)
        return parser

    def take_action(self, parsed_args):
        return _row_columns(self.api.show(self.record, parsed_args.id))


class _Create(_RecordCommand, show.ShowOne):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        record_options.add_fields(parser, self.record, creating=True)
        return parser

    def take_action(self, parsed_args):
        fields = record_options.values(parsed_args, self.record, creating=True)
        return _row_columns(self.api.create(self.record, fields))


class _Set(_RecordCommand, show.ShowOne):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        self.add_id(parser)
        record_options.add_fields(parser, self.record, creating=False)
        return parser

    def take_action(self, parsed_args):
        fields = record_options.values(parsed_args, self.record, creating=False)
        return _row_columns(self.api.update(self.record, parsed_args.id, fields))


class _Delete(_RecordCommand, command.Command):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        self.add_id(parser)
        return parser

    def take_action(self, parsed_args):
        self.api.delete(self.record, parsed_args.id)


def _row_columns(row):
    names = tuple(row)
    return names, tuple(row[name] for name in names)


VERBS = {
    'list': (_List, 'List {names}.'),
    'show': (_Show, 'Show one {name}.'),
    'create': (_Create, 'Create a {name}.'),
    'set': (_Set, 'Change a {name}.'),
    'delete': (_Delete, 'Delete a {name}.'),
}


def _make_commands():
    made = {}
    for record in records.ALL:
        for verb, (base, doc) in VERBS.items():
            made[f'{record.name} {verb}'] = type(
                f'{record.name.capitalize()}{verb.capitalize()}', (base,),
                {'record': record, '__module__': __name__,
                 '__doc__': doc.format(name=record.name, names=record.names)})
    return made


COMMANDS = _make_commands()
globals().update({cls.__name__: cls for cls in COMMANDS.values()})
