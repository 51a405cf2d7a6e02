"""What nova writes to its database without a notification saying so.

- ``nova network-associate-host`` and ``nova-manage network modify`` only
  write ``networks.host``;
- several moves end in nova's DB after their last notification, or name no
  old host at all (DESIGN §5): Icehouse evacuate sets ``instances.host``
  before ``rebuild.start`` and no event names the dead source; from Newton
  on, the migrations row becomes ``completed``, ``failed`` or ``done`` after
  the live migration's or the evacuation's last event.

So nova's DB is read every ``psvm_network_poll_interval`` seconds, one
query per kind (``Inventory``: network hosts, a per-host fingerprint of the
live instances, the migrations in flight or new since the last poll), and
the hosts of every change, before and after it, are marked dirty.
Level-based like the rest: the first reading, taken before the start-up
full sync, is the baseline; what changed before it is the full sync's work.

Whole readings are compared, not rows with a newer ``updated_at``: a soft
delete or a clock skew between nova's hosts does not always move
``updated_at``, and nova indexes ``updated_at`` only behind ``task_state``.
"""

from oslo_log import log as logging

from psvm_listener import errors
from psvm_listener import inventory as nova

LOG = logging.getLogger(__name__)


def changed_hosts(previous, current):
    """Hosts of every entry added, removed or changed between two readings
    ``{key: (what is compared, hosts it names)}``."""
    hosts = set()
    for key in previous.keys() | current.keys():
        before, after = previous.get(key), current.get(key)
        if before != after:
            for entry in (before, after):
                if entry is not None:
                    hosts |= entry[1]
    return hosts


class Readings:
    """A kind read whole every poll and compared with the last reading."""

    def __init__(self, name, read):
        self.name = name
        self._read = read
        self._last = None

    def changes(self, inventory):
        """Hosts to mark since the last poll (none at the first)."""
        current = self._read(inventory)
        previous, self._last = self._last, current
        return set() if previous is None else changed_hosts(previous, current)


def _network_hosts(inventory):
    return {network: (host, frozenset({host}))
            for network, host in inventory.network_hosts().items()}


class InstanceMoves:
    """Hosts that lost or gained an instance they did not have at boot.

    Each poll reads one fingerprint per host: count and id sum of its live
    instances, and the same of those already there at the last poll (ids up
    to the highest seen then).  A host whose instances of the last poll
    differ from what it had then lost one (moved, deleted) or gained one
    from another host (moved, evacuated): it is marked, and so is the other
    end of the move.  Instances booted since the last poll are left out, so
    a busy cloud's boots mark nothing (their create notifications do).  Two
    moves that swap instances of equal id sums between the same hosts in
    one interval go unseen until the full sync.
    """

    name = 'instance hosts'

    def __init__(self):
        self._had = None
        self._newest = 0

    def changes(self, inventory):
        placement = inventory.instance_placement(self._newest)
        had, self._had = self._had, {host: f[:2] for host, f in placement.items()}
        self._newest = max((f[4] for f in placement.values()), default=self._newest)
        if had is None:
            return set()
        return {host for host in had.keys() | placement.keys()
                if had.get(host, (0, 0)) != placement.get(host, (0, 0, 0, 0, 0))[2:4]}


class Migrations:
    """Moves nova records in its migrations table: each row's status and hosts.

    Each poll reads the rows in flight, and the rows newer than the last
    poll's highest id whatever their status, so a move that began and ended
    between two polls (a live migration rolled back at once) still marks
    its source and destination.  A row that appears, changes status or ends
    marks both.
    """

    name = 'migrations'

    def __init__(self):
        self._in_flight = None
        self._newest = 0

    def changes(self, inventory):
        current = {migration: (status, frozenset(h for h in (source, dest) if h))
                   for migration, (status, source, dest)
                   in inventory.migrations_since(self._newest).items()}
        previous, self._in_flight = self._in_flight, {
            migration: entry for migration, entry in current.items()
            if entry[0] not in nova.ENDED_MIGRATION_STATUSES}
        self._newest = max([self._newest, *current])
        return set() if previous is None else changed_hosts(previous, current)


class NovaWatcher:
    """Compares each poll of nova's DB with the last and marks what changed."""

    def __init__(self, inventory, reconciler):
        self.inventory = inventory
        self.reconciler = reconciler
        self.kinds = (Readings('network associations', _network_hosts), InstanceMoves(),
                      Migrations())

    def poll(self):
        """One poll.  A kind that cannot be read keeps its last reading, so
        what changed meanwhile is seen once it can.  Also refreshes the
        bindings, so a port bound through the API is marked by the next
        notification, and expires the move intents past their time."""
        marks = {}
        for kind in self.kinds:
            try:
                hosts = kind.changes(self.inventory)
            except errors.RetryLater as exc:
                LOG.warning('Poll of nova\'s %s skipped: %s', kind.name, exc)
                continue
            if hosts:
                marks[kind.name] = hosts
                LOG.info('nova\'s %s changed on hosts %s', kind.name, sorted(hosts))
        if marks:
            self.reconciler.mark_hosts(set().union(*marks.values()), reason='nova poll')
        self._housekeeping()

    def _housekeeping(self):
        try:
            self.reconciler.refresh(if_changed=True)
            expired = self.reconciler.intents.expire()
        except errors.PsvmError as exc:
            LOG.warning('Refresh of bindings and move intents skipped: %s', exc)
            return
        if expired:
            LOG.info('%d move intents expired', expired)
