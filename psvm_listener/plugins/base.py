"""What a sync plugin does, and the trunk-port sync every plugin shares.

A plugin decides; its driver talks (DESIGN.md §3).  ``TrunkPortPlugin.sync``
is the intelligent sync: expected VLANs per port from nova (through the
port's bindings), actual VLANs from the switch in one read, a plan from
psvm_listener.plan, then one apply.  It is level-based: it never trusts what
a notification said, only what nova and the switch say now, so running it
again is always safe.

The guards measure a plan against the whole switch, not only the ports of
this sync.  What the other ports allow comes from PSVM's database, where
every read and write of a port stores what the switch said (a full sync
reads every trunk port and the VLAN database): so every process, warm or
fresh, listener or psvm-manage, gives the same verdict on the same facts,
at the cost of the ports this sync reads, never of every port.
"""

import abc
import dataclasses
import datetime
import functools
import logging
import threading
import time

from psvm_listener import drivers
from psvm_listener import errors
from psvm_listener import intents
from psvm_listener import plan as plans
from psvm_listener import ports as port_names
from psvm_listener import sync_records
from psvm_listener import vlans
from psvm_listener.db.api import PortFacts
from psvm_listener.drivers import base as driver_base

LOG = logging.getLogger(__name__)
AUDIT = logging.getLogger('psvm_listener.audit')


RELOAD_SLACK = datetime.timedelta(seconds=1)
"""A boot time read from the uptime moves by up to a second between reads."""


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
    reloaded: bool = False
    """The switch booted since its last full sync (this sync was made full)."""
    unsaved: bool = False
    """The switch's running configuration has changes not saved to startup."""
    before: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)
    """What each port of ``ports`` allowed when read (a VLAN set or ALL)."""
    pending_plan: int | None = None
    """The pending plan that keeps what a guard refused, for an operator."""

    @property
    def summary(self):
        """One line for the switch's last-sync record: a sync a guard held
        back is 'refused', not 'ok'."""
        verb = 'would change' if self.dry_run else 'changed'
        text = f'{verb} {len(self.changes)} of {len(self.ports)} ports'
        if self.reloaded:
            text += ' after a reload'
        if self.pending_plan is not None:
            text += (f'; kept as pending plan {self.pending_plan} '
                     f'(psvm-manage plan approve {self.pending_plan})')
        if self.refusals:
            return 'refused: ' + '; '.join(r.message for r in self.refusals) + '; ' + text
        return 'ok: ' + text

    def as_dict(self):
        return {
            'switch_id': self.switch_id, 'ports': len(self.ports),
            'changes': [change_dict(change) for change in self.changes],
            'refusals': [dataclasses.asdict(r) for r in self.refusals],
            'rpcs': self.rpcs, 'duration': round(self.duration, 6),
            'lif_usage': self.lif_usage, 'lif_limit': self.lif_limit,
            'drift': self.drift, 'dry_run': self.dry_run, 'reloaded': self.reloaded,
            'unsaved': self.unsaved, 'pending_plan': self.pending_plan,
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


def _reloaded(stored, read):
    """Did the switch boot after the boot time stored by its last full sync?"""
    return stored is not None and read is not None and read - stored > RELOAD_SLACK


class PlanChanged(errors.Permanent):
    """A pending plan is no longer what a sync would do: nova or the switch
    changed since it was refused."""


def _removal_refused(plan):
    return any(r.guard == plans.REMOVAL_RATIO for r in plan.refusals)


def _news(reading, facts):
    """Did the read show a port allowing other than PSVM's database says?"""
    stored = facts['stored']
    return any(stored.get(port) != _allowed_text(allowed)[0]
               for port, allowed in reading.allowed.items())


def _nodes_by_port(bindings):
    """port → compute node ids bound to it, from (port, node) pairs."""
    nodes = {}
    for port, node in bindings:
        nodes.setdefault(port, set()).add(node)
    return nodes


@functools.lru_cache(maxsize=8192)
def _allowed_text(allowed):
    """(NX-OS list or 'all', VLAN count or None): a port as PSVM's database keeps it.

    Kept per VLAN set: a full sync writes every port's list down, and the
    driver hands back the same set for a port whose config did not change,
    so a sync in step formats nothing again."""
    if allowed is vlans.ALL:
        return 'all', None
    return vlans.format(allowed), len(allowed)


class Plugin(abc.ABC):
    """Keeps the trunk ports of switches in step with nova."""

    def __init__(self, conf, database, inventory, records=None):
        self.conf = conf
        self.database = database
        self.inventory = inventory
        self.records = records or sync_records.SyncRecords(database)

    @abc.abstractmethod
    def sync(self, switch_id, ports=None, *, force=False, dry_run=False, needs=None,
             bindings=None):
        """Sync ``ports`` (normalised names; None: every bound port) of a switch.

        The moves held in PSVM's database (psvm_listener.intents) are read
        with the bindings, so every caller, listener or psvm-manage, keeps a
        move's destination VLANs.  ``needs``, when given, maps every bound
        compute node to the VLANs it needs (one nova read shared by a full
        sync of every switch) in place of a nova read of this switch's own.
        ``bindings``, when given, is every binding of the switch as the
        caller last read it (db.facts.SwitchBindings), which a sync of
        every port takes while PSVM's database still holds that version.
        Returns a SyncResult; raises RetryLater or Permanent subclasses.
        """

    @abc.abstractmethod
    def save(self, switch_id):
        """Persist the switch's running configuration (``[switches] save_config``)."""

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
        self.on_lost = None
        """``on_lost(switch_id)``, called when a switch drops a session."""
        self._drivers = {}
        self._logins = {}
        self._lock = threading.Lock()

    def sync(self, switch_id, ports=None, *, force=False, dry_run=False, needs=None,
             bindings=None, expect=None):
        """``expect``: the changes a pending plan holds; PlanChanged (and
        nothing applied) when the forced plan is no longer exactly those."""
        started = time.monotonic()
        try:
            result, facts = self._sync(switch_id, ports, force, dry_run, needs, started,
                                       expect=expect, known=bindings)
        except errors.PsvmError as exc:
            self._logins.pop(switch_id, None)
            if not dry_run:
                self._record(switch_id, f'failed: {type(exc).__name__}: {exc}')
            raise
        if not dry_run:
            if facts is not None:
                self._store_facts(switch_id, facts)
            self._record(switch_id, result.summary, result.lif_usage, result.drift)
        return result

    def forget(self, switch_id):
        """A deleted switch keeps no session: NX-OS has only 8 for everyone."""
        with self._lock:
            driver = self._drivers.pop(switch_id, None)
            self._logins.pop(switch_id, None)
        if driver is not None:
            driver.close()

    def close(self):
        with self._lock:
            drivers_, self._drivers = list(self._drivers.values()), {}
        for driver in drivers_:
            driver.close()

    def _sync(self, switch_id, ports, force, dry_run, needs, started, reloaded=False,
              expect=None, known=None):
        every_port = ports is None
        moves, bound, facts = self.database.sync_view(
            switch_id, None if every_port else {port_names.normalise(p) for p in ports},
            known)
        if not bound:
            return SyncResult(switch_id, (), (), (), 0, time.monotonic() - started,
                              None, None, 0, dry_run), None
        nodes = _nodes_by_port(bound)
        expected = self._expected(nodes, intents.by_destination(moves), needs)
        driver = self._driver(switch_id, fresh_login=every_port)
        rpcs = driver.rpcs
        reading = driver.read(sorted(expected), every_port=every_port)
        expected = {p: v for p, v in expected.items() if p not in reading.unreadable}
        if reading.unreadable and not every_port:
            facts = self.database.switch_facts(switch_id, sorted(reading.allowed))
        if not every_port and _reloaded(facts['booted_at'], reading.booted_at):
            LOG.warning('switch %s reloaded since its last full sync: syncing every port',
                        switch_id)
            return self._sync(switch_id, None, force, dry_run, None, started, True)
        limit = _lif_limit(self.conf.psvm_lif_limit, reading.lif_limit)
        untouched = self._untouched(facts)
        guards = self._guards(facts, nodes, reading, limit, force)
        plan = plans.make_plan(expected, reading.allowed, untouched, guards)
        if expect is not None and [change_dict(c) for c in plan.changes] != expect:
            raise PlanChanged(f'switch {switch_id}: nova or the switch changed since the '
                              f'plan was refused; it is no longer the same plan, nothing '
                              f'applied')
        pending = None
        if not dry_run and (facts['pending'] or _removal_refused(plan)):
            forced = plans.make_plan(expected, reading.allowed, untouched,
                                     dataclasses.replace(guards, force=True))
            self._expire_pending(facts['pending'], forced, set(expected))
            if _removal_refused(plan):
                pending = self.database.store_pending_plan(
                    switch_id, sorted(expected), [change_dict(c) for c in forced.changes],
                    [r.message for r in plan.refusals])['id']
        if not dry_run:
            self._check_kept(switch_id, driver)
            self._apply(driver, plan)
        refusals = plan.refusals + tuple(
            plans.Refusal(plans.UNREADABLE_PORT, f'port {port} left alone: {message}')
            for port, message in sorted(reading.unreadable.items()))
        reloaded = reloaded or _reloaded(facts['booted_at'], reading.booted_at)
        changed = bool(plan.changes or plan.create) and not dry_run
        result = SyncResult(switch_id, tuple(sorted(expected)), plan.changes, refusals,
                            driver.rpcs - rpcs, time.monotonic() - started,
                            reading.lif_usage, limit, plan.drift, dry_run, reloaded,
                            changed or (facts['unsaved_since'] is not None and not reloaded),
                            {port: reading.allowed[port] for port in expected}, pending)
        self._audit(result)
        if dry_run or not (every_port or changed or reloaded or _news(reading, facts)):
            return result, None
        return result, self._facts(reading, plan, every_port, reloaded)

    def _untouched(self, facts):
        """VLANs this switch's syncs leave alone: the ignore list, and every
        VLAN outside the switch's managed range (its own, else
        ``psvm_managed_vlans``)."""
        managed = vlans.parse(facts['managed_vlans'] or self.conf.psvm_managed_vlans or 'all')
        ignored = frozenset(self.conf.psvm_ignore_vlans)
        return ignored if managed is vlans.ALL else ignored | (vlans.EVERY_VLAN - managed)

    def _guards(self, facts, nodes, reading, limit, force):
        """The guards, from this reading and, for the ports it did not cover,
        what PSVM's database holds from earlier reads of the switch."""
        read = reading.allowed
        listed = sum(len(read[port]) for port in nodes
                     if port in read and read[port] is not vlans.ALL)
        known = reading.vlan_database
        if known is None and facts['vlan_database'] is not None:
            known = vlans.parse(facts['vlan_database'])
        return plans.Guards(
            lif_usage=reading.lif_usage, lif_limit=limit,
            max_removal_ratio=self.conf.psvm_max_removal_ratio,
            allowed_total=facts['ports_listed'] + listed, force=force,
            ports_all=facts['ports_all'] + sum(1 for v in read.values() if v is vlans.ALL),
            vlan_database=known)

    @staticmethod
    def _facts(reading, plan, every_port, reloaded):
        """What this sync leaves PSVM's database knowing of the switch."""
        allowed = dict(reading.allowed)
        allowed.update((c.port, c.applied_to(allowed[c.port])) for c in plan.changes)
        return PortFacts(
            allowed={port: _allowed_text(vlan_set) for port, vlan_set in allowed.items()},
            every_port=every_port,
            vlan_database=(None if reading.vlan_database is None
                           else vlans.format(reading.vlan_database | plan.create)),
            created=vlans.format(plan.create),
            booted_at=reading.booted_at if every_port else None,
            changed=bool(plan.changes or plan.create), reloaded=reloaded)

    def _expected(self, nodes, held, needs):
        """port → VLANs its hosts need, from ``needs`` or from nova (the
        nodes ``needs`` does not hold: bound since it was read).
        NovaUnavailable (RetryLater) passes through: without nova's word
        nothing is added nor removed."""
        unread = sorted(n for n in set().union(*nodes.values())
                        if needs is None or n not in needs)
        read = self.inventory.vlans_by_compute_node(unread, held) if unread else {}

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

    @staticmethod
    def _apply(driver, plan):
        if plan.changes:
            driver.apply(plan)

    def save(self, switch_id):
        """Copy the switch's running configuration to its startup one, and
        record that it has no unsaved changes (but those made meanwhile)."""
        started = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        self._driver(switch_id, fresh_login=False).save()
        self.database.record_saved(switch_id, started)

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
                driver_class = (self.driver_class if login.driver is None
                                else drivers.driver_class(self.conf, login.driver))
                driver = self._drivers[switch_id] = driver_class(
                    self.conf, login, on_lost=lambda: self._lost(switch_id))
        if stale is not None:
            stale.close()
        return driver

    def _expire_pending(self, pending, forced, synced):
        """A pending plan of ports this sync covered, that the forced plan of
        those ports no longer matches, would not be the same plan: expired."""
        for plan_id, ports, changes in pending:
            if set(ports) <= synced and changes != [
                    change_dict(c) for c in forced.changes if c.port in set(ports)]:
                try:
                    self.database.close_pending_plan(plan_id, 'expired')
                except errors.PsvmError as exc:
                    LOG.info('pending plan %s: %s', plan_id, exc)

    def approve(self, plan_id):
        """Apply a pending plan once, exactly as it was kept, or expire it
        when it would no longer be the same plan (PlanChanged)."""
        plan = self.database.close_pending_plan(plan_id, 'applied')
        try:
            return self.sync(plan['switch_id'], plan['ports'], force=True,
                             expect=plan['changes'])
        except PlanChanged:
            self.database.reopen_pending_plan(plan_id)
            self.database.close_pending_plan(plan_id, 'expired')
            raise
        except errors.PsvmError:
            self.database.reopen_pending_plan(plan_id)
            raise

    def _store_facts(self, switch_id, facts):
        try:
            self.database.record_facts(switch_id, facts)
        except errors.PsvmError as exc:
            LOG.warning('switch %s: could not store what its ports allow: %s', switch_id, exc)

    def _lost(self, switch_id):
        if self.on_lost is not None:
            self.on_lost(switch_id)

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
