"""Nova notification handlers: which hosts an event touched.

A handler is a tiny class that declares the event types it understands and
turns one notification into a ``Change``: the hosts whose ports must be
looked at again, and the moves that start or end.  Nothing else: the
reconciler decides what the ports should carry, from nova's DB.  Handlers
are loaded by entry point (namespace ``psvm_listener.handlers``), one module
per family of events, legacy and versioned names side by side.
"""

from stevedore import extension

NAMESPACE = 'psvm_listener.handlers'


def load():
    """Every installed handler, by the event type it handles."""
    manager = extension.ExtensionManager(NAMESPACE, invoke_on_load=True)
    by_event = {}
    for ext in manager:
        for event_type in ext.obj.event_types:
            if event_type in by_event:
                raise ValueError(f'event type {event_type} handled twice: by '
                                 f'{by_event[event_type].__class__.__name__} '
                                 f'and {ext.obj.__class__.__name__}')
            by_event[event_type] = ext.obj
    return by_event
