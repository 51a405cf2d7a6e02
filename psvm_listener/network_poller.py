"""Network associations, which nova never notifies.

``nova network-associate-host`` and ``nova-manage network modify`` only
write ``networks.host``; no notification follows.  So the networks table is
read every ``psvm_network_poll_interval`` seconds and the hosts whose
association changed (the old and the new one) are marked dirty.

The whole table is read, not only rows with a newer ``updated_at``: a
deployment has at most a few thousand networks (one per VLAN), and a soft
delete or a clock skew between nova's hosts does not always move
``updated_at``; comparing (host, deleted) of every row misses nothing.
"""

import sqlalchemy as sa
from oslo_log import log as logging

from psvm_listener import errors
from psvm_listener import inventory as nova

LOG = logging.getLogger(__name__)

_networks = sa.table('networks', sa.column('id'), sa.column('host'), sa.column('deleted'))


class NetworkPoller:
    """Compares each poll of networks.host with the last and marks changes."""

    def __init__(self, inventory, reconciler):
        self.inventory = inventory
        self.reconciler = reconciler
        self._hosts = None

    def poll(self):
        """One poll; the first only takes a baseline (the start-up full sync
        covers what happened before).  Also refreshes the bindings, so a
        port bound through the API is marked by the next notification."""
        try:
            current = self._read()
            self.reconciler.refresh()
        except errors.PsvmError as exc:
            LOG.warning('Networks poll skipped: %s', exc)
            return
        previous, self._hosts = self._hosts, current
        if previous is None:
            return
        changed = {host for network in previous.keys() | current.keys()
                   if previous.get(network) != current.get(network)
                   for host in (previous.get(network), current.get(network))
                   if host is not None}
        if changed:
            LOG.info('Network associations changed on hosts %s', sorted(changed))
            self.reconciler.mark_hosts(changed, reason='networks poll')

    def _read(self):
        """network id → host of every live network with a host."""
        query = sa.select(_networks.c.id, _networks.c.host).where(
            _networks.c.deleted == 0, _networks.c.host.is_not(None))
        try:
            with self.inventory.engine.connect() as conn:
                return dict(conn.execute(query).all())
        except sa.exc.SQLAlchemyError as exc:
            raise nova.NovaUnavailable(f'cannot read nova\'s networks: {type(exc).__name__}')
