"""The commands of ``psvm`` and ``openstack psvm``: ``<record> list|show|create|set|delete``,
and ``plan list|show|approve|discard`` for the pending plans.

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
from psvm_listener.api import plans


class ApiCommand:
    """A command that calls psvm-api."""

    @property
    def api(self):
        return self.app.client_manager.psvm


class _RecordCommand(ApiCommand):
    record = None

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


class PlanList(ApiCommand, lister.Lister):
    """List the pending plans: syncs a guard refused, waiting for a decision."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--switch', type=int, metavar='ID', dest='switch_id',
                            help='only the plans of this switch')
        return parser

    def take_action(self, parsed_args):
        query = {} if parsed_args.switch_id is None else {'switch_id': parsed_args.switch_id}
        return plans.LIST_COLUMNS, [tuple(_cell(plan[c]) for c in plans.LIST_COLUMNS)
                                    for plan in self.api.list_plans(**query)]


class _PlanCommand(ApiCommand, show.ShowOne):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('id', type=int, help='pending plan id')
        return parser


class PlanShow(_PlanCommand):
    """Show one pending plan, pending or decided (its outcome)."""

    def take_action(self, parsed_args):
        return _row_columns({k: _cell(v) for k, v in
                             self.api.show_plan(parsed_args.id).items()})


class PlanApprove(_PlanCommand):
    """Apply a pending plan to its switch, once, exactly as it was kept."""

    def take_action(self, parsed_args):
        decided = self.api.decide_plan(parsed_args.id, 'approve')
        sync = decided[plans.SYNC]
        return _row_columns({**{k: _cell(v) for k, v in decided[plans.SINGULAR].items()},
                             'applied': _cell(sync['changes']),
                             'refused': _cell([r['message'] for r in sync['refusals']])})


class PlanDiscard(_PlanCommand):
    """Discard a pending plan unapplied."""

    def take_action(self, parsed_args):
        decided = self.api.decide_plan(parsed_args.id, 'discard')[plans.SINGULAR]
        return _row_columns({k: _cell(v) for k, v in decided.items()})


def _cell(value):
    """A plan's lists in one cell: ports and reasons joined, each change as
    'port +add -remove' (or 'port all → list')."""
    if not isinstance(value, list):
        return value
    return '; '.join(_change(each) if isinstance(each, dict) else str(each)
                     for each in value)


def _change(change):
    if change['replace'] is not None:
        return f"{change['port']} all → {change['replace']}"
    parts = [f"+{change['add']}" if change['add'] != 'none' else '',
             f"-{change['remove']}" if change['remove'] != 'none' else '']
    return ' '.join([change['port'], *filter(None, parts)])


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


COMMANDS = {**_make_commands(), 'plan list': PlanList, 'plan show': PlanShow,
            'plan approve': PlanApprove, 'plan discard': PlanDiscard}
globals().update({cls.__name__: cls for cls in COMMANDS.values()})
