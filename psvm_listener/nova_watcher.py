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
live instances, the migrations in flight), and every host whose entry
changed since the last poll, before and after the change, is marked dirty.
Level-based like the rest: the first reading, taken before the start-up
full sync, is the baseline; what changed before it is the full sync's work.

Whole readings are compared, not rows with a newer ``updated_at``: a soft
delete or a clock skew between nova's hosts does not always move
``updated_at``, and nova indexes ``updated_at`` only behind ``task_state``.
"""

from oslo_log import log as logging

from psvm_listener import errors

LOG = logging.getLogger(__name__)


def _network_entries(inventory):
    return {network: (host, frozenset({host}))
            for network, host in inventory.network_hosts().items()}


def _instance_entries(inventory):
    return {host: (fingerprint, frozenset({host}))
            for host, fingerprint in inventory.instance_placement().items()}


def _migration_entries(inventory):
    return {migration: (status, frozenset(h for h in (source, dest) if h))
            for migration, (status, source, dest)
            in inventory.migrations_in_flight().items()}


# kind → how to read it: {key: (what is compared, hosts to mark if it changes)}
KINDS = {
    'network associations': _network_entries,
    'instance hosts': _instance_entries,
    'migrations': _migration_entries,
}


def changed_hosts(previous, current):
    """Hosts of every entry added, removed or changed between two readings."""
    hosts = set()
    for key in previous.keys() | current.keys():
        before, after = previous.get(key), current.get(key)
        if before != after:
            for entry in (before, after):
                if entry is not None:
                    hosts |= entry[1]
    return hosts


class NovaWatcher:
    """Compares each poll of nova's DB with the last and marks what changed."""

    def __init__(self, inventory, reconciler):
        self.inventory = inventory
        self.reconciler = reconciler
        self._readings = {}

    def poll(self):
        """One poll.  A kind that cannot be read keeps its last reading, so
        what changed meanwhile is seen once it can.  Also refreshes the
        bindings, so a port bound through the API is marked by the next
        notification, and expires the move intents past their time."""
        marks = {}
        for kind, read in KINDS.items():
            try:
                current = read(self.inventory)
            except errors.RetryLater as exc:
                LOG.warning('Poll of nova\'s %s skipped: %s', kind, exc)
                continue
            previous, self._readings[kind] = self._readings.get(kind), current
            if previous is not None:
                hosts = changed_hosts(previous, current)
                if hosts:
                    marks[kind] = hosts
        for kind, hosts in marks.items():
            LOG.info('nova\'s %s changed on hosts %s', kind, sorted(hosts))
        if marks:
            self.reconciler.mark_hosts(set().union(*marks.values()), reason='nova poll')
        self._housekeeping()

    def _housekeeping(self):
        try:
            self.reconciler.refresh()
            expired = self.reconciler.intents.expire()
        except errors.PsvmError as exc:
            LOG.warning('Refresh of bindings and move intents skipped: %s', exc)
            return
        if expired:
            LOG.info('%d move intents expired', expired)
