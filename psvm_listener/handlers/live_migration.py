"""Live migration: the destination needs the VLANs before traffic moves.

``pre.start`` is emitted on the destination before it plugs the instance's
VIFs, while nova's DB still puts the instance on the source: the move is
held as an intent so the destination's ports get the VLANs now.  The
post/rollback events end it, once nova's DB shows where the instance is;
the source named by ``pre.start`` is marked again then, as
``post.dest.end`` names only the destination.
"""

from psvm_listener.handlers import base


class LiveMigration(base.Handler):
    move_starts = frozenset({
        'compute.instance.live_migration.pre.start',
        'compute.instance.live_migration.pre.end',
        'instance.live_migration_pre.start',
        'instance.live_migration_pre.end',
    })
    move_ends = frozenset({
        'compute.instance.live_migration.post.dest.end',
        'compute.instance.live_migration._rollback.end',
        'compute.instance.live_migration.rollback.dest.end',
        'instance.live_migration_post_dest.end',
        'instance.live_migration_rollback.end',
        'instance.live_migration_rollback_dest.end',
        'instance.live_migration_abort.end',
    })
    event_types = move_starts | move_ends | frozenset({
        'compute.instance.live_migration.post.dest.start',
        'compute.instance.live_migration._post.end',
        'instance.live_migration_post.end',
    })
