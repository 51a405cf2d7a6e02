"""What every handler shares: reading hosts and instances out of a payload.

Rule that keeps handlers simple (DESIGN §5): every host named by the payload
and by the publisher is marked dirty.  A sync is level-based, so marking a
host that did not change costs one idle sync, while missing one would leave
a port wrong until the next full sync.
"""

import dataclasses

from psvm_listener import errors

VERSIONED_DATA = 'nova_object.data'
HOST_KEYS = ('host', 'old_host', 'new_host', 'dest_host', 'source_host')
# nova's column sizes: what longer cannot name an instance or a host.
UUID_LENGTH = 36
HOST_LENGTH = 255


class MalformedNotification(errors.Permanent):
    """The notification lacks what its event type promises; it is dropped."""


@dataclasses.dataclass(frozen=True)
class Notification:
    event_type: str
    publisher_id: str
    payload: dict


@dataclasses.dataclass(frozen=True)
class Change:
    """Hosts to mark dirty, and the moves a notification starts or ends.

    ``moves_started`` holds ``(instance_uuid, source_host, destination_host)``
    (source None when the payload names none): until the move ends, the
    destination needs the instance's VLANs even though nova's DB still puts
    the instance on its source.  ``moves_ended`` holds instance uuids whose
    move is finished or reverted: their hosts are looked at again a moment
    later too, as nova writes its DB after some of those events.
    """

    hosts: frozenset
    moves_started: tuple = ()
    moves_ended: tuple = ()


def publisher_host(publisher_id):
    """``compute.<host>`` (legacy) or ``nova-compute:<host>`` (versioned)."""
    if not isinstance(publisher_id, str):
        return None
    for separator in (':', '.'):
        service, found, host = publisher_id.partition(separator)
        if found and host:
            return host
    return None


def instance_data(payload):
    """The instance fields of a legacy or a versioned payload."""
    if not isinstance(payload, dict):
        raise MalformedNotification('payload is not an object')
    data = payload.get(VERSIONED_DATA, payload)
    if not isinstance(data, dict):
        raise MalformedNotification(f'{VERSIONED_DATA} is not an object')
    return data


def instance_uuid(payload):
    data = instance_data(payload)
    uuid = data.get('uuid') or data.get('instance_id')
    if not isinstance(uuid, str) or not uuid:
        raise MalformedNotification('payload names no instance')
    if len(uuid) > UUID_LENGTH:
        raise MalformedNotification(f'instance {uuid[:UUID_LENGTH]}... is no uuid')
    return uuid


def named_hosts(notification):
    """Every host the payload or the publisher names."""
    data = instance_data(notification.payload)
    hosts = [data.get(key) for key in HOST_KEYS]
    hosts.append(publisher_host(notification.publisher_id))
    return frozenset(host for host in hosts if _is_host(host))


def _is_host(value):
    return isinstance(value, str) and 0 < len(value) <= HOST_LENGTH


class Handler:
    """Marks every named host; subclasses only declare their event types.

    ``move_starts``: events after which the publisher (the destination)
    needs the instance's VLANs before nova's DB says so (the payload's host
    is the source).  ``move_ends``: events that end a move, after which
    nova's DB shows, or soon will, where the instance is.
    """

    event_types = frozenset()
    move_starts = frozenset()
    move_ends = frozenset()

    def handle(self, notification):
        hosts = named_hosts(notification)
        started, ended = (), ()
        if notification.event_type in self.move_starts:
            destination = publisher_host(notification.publisher_id)
            if not _is_host(destination):
                raise MalformedNotification('publisher names no destination host')
            source = instance_data(notification.payload).get('host')
            if not _is_host(source) or source == destination:
                source = None
            started = ((instance_uuid(notification.payload), source, destination),)
        if notification.event_type in self.move_ends:
            ended = (instance_uuid(notification.payload),)
        return Change(hosts, started, ended)
