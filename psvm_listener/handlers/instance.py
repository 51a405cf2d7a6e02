"""Instances appear on and leave a host: create, delete, rebuild, shelve."""

from psvm_listener.handlers import base


class InstanceLifecycle(base.Handler):
    event_types = frozenset({
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
