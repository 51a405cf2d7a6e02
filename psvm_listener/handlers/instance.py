"""Instances appear on and leave a host: create, delete, rebuild, shelve.

Rebuild (evacuate) and unshelve end a move: nova writes the instance's new
host, and the evacuation's migrations row, around their end events, so
their hosts are looked at again a moment later.
"""

from psvm_listener.handlers import base


class InstanceLifecycle(base.Handler):
    move_ends = frozenset({
        'compute.instance.rebuild.end',
        'compute.instance.unshelve.end',
        'instance.rebuild.end',
        'instance.unshelve.end',
    })
    event_types = move_ends | frozenset({
        'compute.instance.create.end',
        'compute.instance.create.error',
        # nova's quirk on reschedule
        'compute.instance.instance.create.error',
        'compute.instance.delete.end',
        'compute.instance.rebuild.end',
        'compute.instance.evacuate',
        'compute.instance.shelve_offload.end',
        'compute.instance.unshelve.end',
        'instance.create.end',
        'instance.create.error',
        'instance.delete.end',
        'instance.rebuild.end',
        'instance.evacuate',
        'instance.shelve_offload.end',
        'instance.unshelve.end',
    })
