"""psvm-manage db sync | version | archive_deleted_rows: PSVM's schema."""

from psvm_listener.db import api
from psvm_listener.db import migration
from psvm_listener.manage import output


def add_parsers(subparsers):
    parser = subparsers.add_parser('db', help="manage PSVM's database schema")
    actions = parser.add_subparsers(dest='action', required=True)
    sync = actions.add_parser(
        'sync', help='create the tables, or upgrade them to the newest revision')
    sync.set_defaults(func=sync_schema)
    version = actions.add_parser(
        'version', help='the revision the database is at, and the newest one')
    version.set_defaults(func=show_version)
    archive = actions.add_parser(
        'archive_deleted_rows', help='move soft-deleted rows to the shadow tables')
    archive.add_argument('--max-rows', type=int, default=1000,
                         help='move at most this many rows in all (default: 1000)')
    archive.set_defaults(func=archive_deleted_rows)
    for command in (sync, version, archive):
        output.add_format_argument(command)


def sync_schema(args):
    with api.Database.from_config() as db:
        db.create_schema()
        revision = db.schema_version()
    output.emit(args.format, ['revision'], [[revision]], {'revision': revision})
    return 0


def show_version(args):
    with api.Database.from_config() as db:
        current = db.schema_version()
    newest = migration.head()
    output.emit(args.format, ['current', 'head'], [[current, newest]],
                {'current': current, 'head': newest})
    return 0


def archive_deleted_rows(args):
    with api.Database.from_config() as db:
        moved = db.archive_deleted_rows(args.max_rows)
    output.emit(args.format, ['table', 'moved'], sorted(moved.items()), moved)
    return 0
