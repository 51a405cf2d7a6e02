"""What a sync plugin does, and the trunk-port sync every plugin shares.

A plugin decides; its driver talks (DESIGN.md §3).  ``TrunkPortPlugin.sync``
is the intelligent sync: expected VLANs per port from nova (through the
port's bindings), actual VLANs from the switch in one read, a plan from
psvm_listener.plan, then one apply.  It is level-based: it never trusts what
a notification said, only what nova and the switch say now, so running it
again is always safe.
"""

import abc
import dataclasses
import datetime
import logging
import threading
import time

from psvm_listener import drivers
from psvm_listener import errors
from psvm_listener import plan as plans
from psvm_listener import ports as port_names
from psvm_listener import sync_records
from psvm_listener import vlans
from psvm_listener.drivers import base as driver_base

AUDIT = logging.getLogger('psvm_listener.audit')


@dataclasses.dataclass(frozen=True)
class SyncResult:
    """What one sync of one switch found and did."""

    switch_id: int
    ports: tuple
    changes: tuple
    refusals: tuple
    rpcs: int
    duration: float
    lif_usage: int | None
    lif_limit: int | None
    drift: int
    dry_run: bool

    @property
    def summary(self):
        """One line for the switch's last-sync record."""
        verb = 'would change' if self.dry_run else 'changed'
        text = f'ok: {verb} {len(self.changes)} of {len(self.ports)} ports'
        if self.refusals:
            text += '; refused: ' + '; '.join(r.message for r in self.refusals)
        return text

    def as_dict(self):
        return {
            'switch_id': self.switch_id, 'ports': len(self.ports),
            'changes': [change_dict(change) for change in self.changes],
            'refusals': [dataclasses.asdict(r) for r in self.refusals],
            'rpcs': self.rpcs, 'duration': round(self.duration, 6),
            'lif_usage': self.lif_usage, 'lif_limit': self.lif_limit,
            'drift': self.drift, 'dry_run': self.dry_run,
        }


def change_dict(change):
    """A PortChange with its VLAN sets written as NX-OS lists."""
    return {'port': change.port, 'add': vlans.format(change.add),
            'remove': vlans.format(change.remove),
            'replace': None if change.replace is None else vlans.format(change.replace)}


def _lif_limit(configured, reported):
    """The lower of the configured and the switch's own LIF limit; None when
    neither is known (``psvm_lif_limit`` left empty, a switch that prints no
    maximum): then no LIF guard applies."""
    known = [limit for limit in (configured, reported) if limit]
    return min(known) if known else None


class Plugin(abc.ABC):
    """Keeps the trunk ports of switches in step with nova."""

    def __init__(self, conf, database, inventory, records=None):
        self.conf = conf
        self.database = database
        self.inventory = inventory
        self.records = records or sync_records.SyncRecords(database)

    @abc.abstractmethod
    def sync(self, switch_id, ports=None, *, force=False, dry_run=False, intents=None,
             needs=None):
        """Sync ``ports`` (normalised names; None: every bound port) of a switch.

        ``needs``, when given, maps every bound compute node to the VLANs it
        needs (one nova read shared by a full sync of every switch) in place
        of a nova read of this switch's own.  Returns a SyncResult; raises
        RetryLater or Permanent subclasses.
        """

    @abc.abstractmethod
    def forget(self, switch_id):
        """Close a deleted switch's session and drop what was kept of it."""

    @abc.abstractmethod
    def close(self):
        """Close every switch session."""


class TrunkPortPlugin(Plugin):
    """The intelligent sync, over any driver that reads and applies plans."""

    def __init__(self, conf, database, inventory, records=None):
        super().__init__(conf, database, inventory, records)
        self.driver_class = drivers.driver_class(conf)
        self._drivers = {}
        self._logins = {}
        self._known = {}
        self._lock = threading.Lock()

    def sync(self, switch_id, ports=None, *, force=False, dry_run=False, intents=None,
             needs=None):
        started = time.monotonic()
        try:
            result = self._sync(switch_id, ports, force, dry_run, intents, needs, started)
        except errors.PsvmError as exc:
            self._logins.pop(switch_id, None)
            if not dry_run:
                self._record(switch_id, f'failed: {type(exc).__name__}: {exc}')
            raise
        if not dry_run:
            self._record(switch_id, result.summary, result.lif_usage, result.drift)
        return result

    def forget(self, switch_id):
        """A deleted switch keeps no session: NX-OS has only 8 for everyone."""
        with self._lock:
            driver = self._drivers.pop(switch_id, None)
            self._logins.pop(switch_id, None)
            self._known.pop(switch_id, None)
        if driver is not None:
            driver.close()

    def close(self):
        with self._lock:
            drivers_, self._drivers = list(self._drivers.values()), {}
        for driver in drivers_:
            driver.close()

    def _sync(self, switch_id, ports, force, dry_run, intents, needs, started):
        nodes = self._nodes_by_port(switch_id, ports)
        if not nodes:
            return SyncResult(switch_id, (), (), (), 0, time.monotonic() - started,
                              None, None, 0, dry_run)
        expected = self._expected(nodes, intents, needs)
        driver = self._driver(switch_id, fresh_login=ports is None)
        rpcs = driver.rpcs
        reading = driver.read(sorted(expected))
        expected = {p: v for p, v in expected.items() if p not in reading.unreadable}
        known = self._known.setdefault(switch_id, {})
        known.update(reading.allowed)
        limit = _lif_limit(self.conf.psvm_lif_limit, reading.lif_limit)
        ignored = frozenset(self.conf.psvm_ignore_vlans)
        plan = plans.make_plan(expected, reading.allowed, ignored, plans.Guards(
            lif_usage=reading.lif_usage, lif_limit=limit,
            max_removal_ratio=self.conf.psvm_max_removal_ratio,
            allowed_total=sum(len(v) for v in known.values() if v is not vlans.ALL),
            force=force))
        if not dry_run:
            self._check_kept(switch_id, driver)
            self._apply(driver, plan, reading.allowed, known)
        refusals = plan.refusals + tuple(
            plans.Refusal(plans.UNREADABLE_PORT, f'port {port} left alone: {message}')
            for port, message in sorted(reading.unreadable.items()))
        result = SyncResult(switch_id, tuple(sorted(expected)), plan.changes, refusals,
                            driver.rpcs - rpcs, time.monotonic() - started,
                            reading.lif_usage, limit, plan.drift, dry_run)
        self._audit(result)
        return result

    def _nodes_by_port(self, switch_id, ports):
        """port → compute node ids bound to it, for the ports asked for: a
        targeted sync reads only their bindings, whatever the switch's size."""
        wanted = None if ports is None else {port_names.normalise(p) for p in ports}
        nodes = {}
        for binding in self.database.list_bindings(switch_id=switch_id,
                                                   switch_ports=wanted):
            nodes.setdefault(binding['switch_port'], set()).add(binding['compute_node_id'])
        return nodes

    def _expected(self, nodes, intents, needs):
        """port → VLANs its hosts need, from ``needs`` or from nova (the
        nodes ``needs`` does not hold: bound since it was read).
        NovaUnavailable (RetryLater) passes through: without nova's word
        nothing is added nor removed."""
        unread = sorted(n for n in set().union(*nodes.values())
                        if needs is None or n not in needs)
        read = self.inventory.vlans_by_compute_node(unread, intents) if unread else {}

        def vlans_of(node):
            if node in read or needs is None:
                return read.get(node, frozenset())
            return needs.get(node, frozenset())
        return {port: frozenset().union(*map(vlans_of, ids)) for port, ids in nodes.items()}

    def _check_kept(self, switch_id, driver):
        """A switch forgotten while its sync ran (deleted, handed over to
        another listener, or this listener fenced: psvm_listener.coordination)
        gets no edit from that sync, even though its driver would reconnect."""
        with self._lock:
            kept = self._drivers.get(switch_id) is driver
        if not kept:
            raise errors.RetryLater(f'switch {switch_id}: forgotten during its sync '
                                    f'(deleted, handed over or fenced); nothing applied')

    def _apply(self, driver, plan, actual, known):
        if not plan.changes:
            return
        driver.apply(plan)
        known.update((c.port, c.applied_to(actual[c.port])) for c in plan.changes)
        if self.conf.switches.save_config:
            driver.save()

    def _driver(self, switch_id, fresh_login):
        """The switch's driver, reopened when its login changed in the database.

        The login (a query and a decryption) is read again by a full sync and
        after a failed sync; a targeted sync reuses the last one, so a
        changed login takes effect at the next full sync (the timer, or a
        resync cast), or at once when the old one stops working.  The old
        session is closed outside the lock: closing waits on the switch, and
        a switch that hangs must not hold up the others.
        """
        login = None if fresh_login else self._logins.get(switch_id)
        if login is None:
            login = driver_base.Login(**self.database.switch_login(switch_id))
            self._logins[switch_id] = login
        stale = None
        with self._lock:
            driver = self._drivers.get(switch_id)
            if driver is not None and driver.login != login:
                stale, driver = driver, None
            if driver is None:
                driver = self._drivers[switch_id] = self.driver_class(self.conf, login)
        if stale is not None:
            stale.close()
        return driver

    def _record(self, switch_id, result, lif_usage=None, drift=None):
        self.records.record(switch_id, at=datetime.datetime.now(datetime.timezone.utc),
                            result=result, lif_usage=lif_usage, drift=drift)

    @staticmethod
    def _audit(result):
        """One structured line per changed port: who changed what, when, why."""
        for change in result.changes:
            AUDIT.info('port sync switch=%s port=%s add=%s remove=%s replace=%s dry_run=%s',
                       result.switch_id, change.port, vlans.format(change.add),
                       vlans.format(change.remove),
                       '-' if change.replace is None else vlans.format(change.replace),
                       result.dry_run)
        for refusal in result.refusals:
            AUDIT.warning('sync refused switch=%s guard=%s reason=%s',
                          result.switch_id, refusal.guard, refusal.message)
