"""Resize and cold migration: source until confirmed, destination from prep.

``resize.prep`` runs on the destination (its publisher); from then on the
destination needs the instance's VLANs, and the source keeps them until the
resize is confirmed or reverted.
"""

from psvm_listener.handlers import base


class Resize(base.Handler):
    move_starts = frozenset({
        'compute.instance.resize.prep.start',
        'compute.instance.resize.prep.end',
        'instance.resize_prep.start',
        'instance.resize_prep.end',
    })
    move_ends = frozenset({
        'compute.instance.resize.confirm.end',
        'compute.instance.resize.revert.end',
        'instance.resize_confirm.end',
        'instance.resize_revert.end',
    })
    event_types = move_starts | move_ends | frozenset({
        'compute.instance.resize.end',
        'compute.instance.finish_resize.end',
        'instance.resize.end',
        'instance.resize_finish.end',
    })
