"""What every sync reads of PSVM's database before it plans (the moves
held, the bindings of its ports, the switch facts: psvm_switch_port and a
few columns of psvm_switch) and writes after it applies, in statements
built once.

A sync of one port costs a millisecond or two of SQL, and building a
SQLAlchemy statement costs more than SQLite running it: the statements
here are module constants with bound parameters, and a sync runs three or
four of them each way, its reads in one transaction (``view``), its
writes in another.  db.api.Database's sync_view, list_bindings (of one
switch), list_moves, switch_facts and record_facts are the callers; they
hold the transaction.

The guards weigh a plan against the whole switch (plugins.base), but a
one-port sync must not read every port: the switch row keeps the two sums
they need (``ports_listed``, ``ports_all``), moved by every write of a
port's facts and of a binding, each under the switch row's lock, and
counted again from every port by each full sync.
"""

import dataclasses
import hashlib
import json
import sys

import sqlalchemy as sa

from psvm_listener import records
from psvm_listener import vlans
from psvm_listener.db import errors
from psvm_listener.db import models

SWITCHES = models.Switch.__table__
PORTS = models.SwitchPort.__table__
BINDINGS = models.SwitchportBinding.__table__
PLANS = models.PendingPlan.__table__
MOVES = models.MoveIntent.__table__

_SWITCH_ID = sa.bindparam('switch_id')


@dataclasses.dataclass(frozen=True)
class SwitchBindings:
    """Every live binding of one switch, as read at ``version``
    (SWITCH_BINDINGS_VERSION): ``pairs`` of (switch_port, compute_node_id)."""

    version: tuple
    pairs: tuple


def _live_bindings(*columns):
    """Every live binding, oldest first."""
    return sa.select(*columns).where(BINDINGS.c.deleted == 0).order_by(BINDINGS.c.id)


def _bindings_of_switch(*columns):
    """(every live binding of a switch, those of some ports) of ``columns``."""
    every = _live_bindings(*columns).where(BINDINGS.c.switch_id == _SWITCH_ID)
    return every, every.where(BINDINGS.c.switch_port.in_(sa.bindparam('ports', expanding=True)))


_BINDINGS = _bindings_of_switch(*(BINDINGS.c[name] for name in records.BINDING.columns))
_SYNC_BINDINGS = _bindings_of_switch(BINDINGS.c.switch_port, BINDINGS.c.compute_node_id)
"""What a sync needs of its bindings (and of its moves, _SYNC_MOVES): a full
sync reads a row per port, and the times of each row, and each column's
description, cost PyMySQL more than the rest of it."""
EVERY_SYNC_BINDING = _live_bindings(
    BINDINGS.c.switch_id, BINDINGS.c.switch_port, BINDINGS.c.compute_node_id)

_VERSION = (sa.func.count(), sa.func.max(BINDINGS.c.id), sa.func.max(BINDINGS.c.updated_at))
"""(live bindings, highest id, latest change): it moves whenever a binding
is created (ids are never reused), deleted or changed (``updated_at`` has
microseconds on every backend), so a reader can tell without reading them
that the bindings are as it last read them."""
BINDINGS_VERSION = sa.select(*_VERSION).where(BINDINGS.c.deleted == 0)
SWITCH_BINDINGS_VERSION = BINDINGS_VERSION.where(BINDINGS.c.switch_id == _SWITCH_ID)
VERSIONS_BY_SWITCH = sa.select(BINDINGS.c.switch_id, *_VERSION).where(
    BINDINGS.c.deleted == 0).group_by(BINDINGS.c.switch_id)


def _live_moves(*columns):
    """Every move held and not yet expired at ``now``, oldest first."""
    return sa.select(*columns).where(
        MOVES.c.deleted == 0, MOVES.c.expires_at > sa.bindparam('now')).order_by(MOVES.c.id)


_MOVES = _live_moves(*(MOVES.c[name] for name in records.MOVE_INTENT.columns))
_SYNC_MOVES = _live_moves(MOVES.c.instance_uuid, MOVES.c.dest_host)

_LIVE_SWITCH = sa.and_(SWITCHES.c.id == _SWITCH_ID, SWITCHES.c.deleted == 0)

SWITCH_ROW = sa.select(
    SWITCHES.c.vlan_database, SWITCHES.c.booted_at, SWITCHES.c.managed_vlans,
    SWITCHES.c.unsaved_since, SWITCHES.c.ports_listed, SWITCHES.c.ports_all,
    sa.select(sa.func.count()).select_from(PLANS).where(
        PLANS.c.switch_id == SWITCHES.c.id, PLANS.c.deleted == 0).scalar_subquery().label(
        'pending')).where(_LIVE_SWITCH)
"""The switch's own facts and sums, and how many plans it has pending."""

_PORTS_AND_BINDINGS = PORTS.outerjoin(BINDINGS, sa.and_(
    BINDINGS.c.switch_id == PORTS.c.switch_id, BINDINGS.c.switch_port == PORTS.c.port,
    BINDINGS.c.deleted == 0))
"""Each stored port with its live binding, if any (a port has one at most)."""
_BOUND = BINDINGS.c.id.is_not(None)
EVERY_PORT = sa.select(PORTS.c.port, PORTS.c.allowed, PORTS.c.vlan_count,
                       _BOUND.label('bound')).select_from(_PORTS_AND_BINDINGS).where(
    PORTS.c.switch_id == _SWITCH_ID)
"""Every stored port of a switch: port, allowed, vlan_count, bound."""
SOME_PORTS = EVERY_PORT.where(PORTS.c.port.in_(sa.bindparam('ports', expanding=True)))
BOUND_PORTS = sa.select(BINDINGS.c.switch_port).where(
    BINDINGS.c.switch_id == _SWITCH_ID, BINDINGS.c.deleted == 0)
SOME_BOUND_PORTS = BOUND_PORTS.where(
    BINDINGS.c.switch_port.in_(sa.bindparam('ports', expanding=True)))
PORT_COUNT = sa.select(PORTS.c.vlan_count).where(
    PORTS.c.switch_id == _SWITCH_ID, PORTS.c.port == sa.bindparam('port')).with_for_update()
MOVE_LISTED = SWITCHES.update().where(SWITCHES.c.id == _SWITCH_ID).values(
    ports_listed=SWITCHES.c.ports_listed + sa.bindparam('delta'))
PENDING = sa.select(PLANS.c.id, PLANS.c.ports, PLANS.c.changes).where(
    PLANS.c.switch_id == _SWITCH_ID, PLANS.c.deleted == 0)

LOCK_SWITCH = sa.select(SWITCHES.c.vlan_database, SWITCHES.c.booted_at,
                        SWITCHES.c.unsaved_since, SWITCHES.c.ports_listed,
                        SWITCHES.c.ports_all, SWITCHES.c.ports_digest).where(
    _LIVE_SWITCH).with_for_update()
COUNTED = sa.select(
    sa.func.coalesce(sa.func.sum(sa.case((_BOUND, PORTS.c.vlan_count))), 0),
    sa.func.coalesce(sa.func.sum(sa.case((PORTS.c.vlan_count.is_(None), 1), else_=0)), 0)
).select_from(_PORTS_AND_BINDINGS).where(PORTS.c.switch_id == _SWITCH_ID)
"""The switch's sums (ports_listed, ports_all) counted from its stored ports."""
INSERT_PORTS = PORTS.insert()
DELETE_PORTS = PORTS.delete().where(
    PORTS.c.switch_id == _SWITCH_ID,
    PORTS.c.port.in_(sa.bindparam('ports', expanding=True)))


def view(session, switch_id, switch_ports, at, known=None):
    """(moves held at ``at`` (instance_uuid, dest_host), bindings
    (switch_port, compute_node_id) pairs of ``switch_ports`` (None: every
    port), the facts dict of their switch beside the bound ones, or None
    when none is bound): all a sync reads before it asks nova and the
    switch, in the caller's one transaction.

    ``known``: every binding of the switch as last read (SwitchBindings),
    taken for the bindings of a sync of every port while the switch's
    version of them is still ``known.version``: a full sync of 1,000 ports
    reads one row, not a thousand."""
    held = moves(session, at, _SYNC_MOVES)
    if switch_ports is None and known is not None and tuple(session.execute(
            SWITCH_BINDINGS_VERSION, {'switch_id': switch_id}).one()) == known.version:
        bound = list(known.pairs)
    else:
        bound = [tuple(row) for row in _rows(session, switch_id, switch_ports, _SYNC_BINDINGS)]
    if not bound:
        return held, bound, None
    read_ports = None if switch_ports is None else {port for port, _ in bound}
    return held, bound, read(session, switch_id, read_ports)


def bindings_by_switch(session):
    """{switch_id: SwitchBindings} of every live binding: the versions are
    read before the rows, so rows newer than their version (a binding made
    in between, outside a snapshot) only make a sync read them again."""
    versions = {row.switch_id: tuple(row)[1:] for row in session.execute(VERSIONS_BY_SWITCH)}
    pairs = {}
    for switch_id, port, node in session.execute(EVERY_SYNC_BINDING):
        pairs.setdefault(switch_id, []).append((sys.intern(port), node))
    return {switch_id: SwitchBindings(versions.get(switch_id), tuple(rows))
            for switch_id, rows in pairs.items()}


def moves(session, at, statement=_MOVES):
    return [dict(row._mapping) for row in session.execute(statement, {'now': at})]


def bindings(session, switch_id, switch_ports, statements=_BINDINGS):
    """The live bindings of a switch, of ``switch_ports`` only unless None."""
    return [dict(row._mapping) for row in _rows(session, switch_id, switch_ports, statements)]


def _rows(session, switch_id, switch_ports, statements):
    every, some = statements
    if switch_ports is None:
        return session.execute(every, {'switch_id': switch_id})
    return session.execute(some, {'switch_id': switch_id, 'ports': sorted(switch_ports)})


def read(session, switch_id, read_ports):
    """The facts dict of db.api.Database.switch_facts."""
    switch = session.execute(SWITCH_ROW, {'switch_id': switch_id}).first()
    if switch is None:
        raise errors.NotFound(f'switch {switch_id} does not exist')
    facts = {'vlan_database': switch.vlan_database, 'booted_at': switch.booted_at,
             'managed_vlans': switch.managed_vlans, 'unsaved_since': switch.unsaved_since,
             'ports_listed': 0, 'ports_all': 0, 'stored': {}, 'pending': []}
    if read_ports is not None:
        rows = session.execute(SOME_PORTS, {'switch_id': switch_id,
                                            'ports': sorted(read_ports)}).all()
        listed, ports_all = _sums((row.vlan_count, row.bound) for row in rows)
        facts['ports_listed'] = switch.ports_listed - listed
        facts['ports_all'] = switch.ports_all - ports_all
        facts['stored'] = {row.port: row.allowed for row in rows}
    if switch.pending:
        facts['pending'] = [(row.id, json.loads(row.ports), json.loads(row.changes))
                            for row in session.execute(PENDING, {'switch_id': switch_id})]
    return facts


def _sums(ports):
    """(VLANs the bound ones list, how many allow ALL) of ports given as
    (vlan_count, bound) pairs."""
    listed = ports_all = 0
    for vlan_count, bound in ports:
        if vlan_count is None:
            ports_all += 1
        elif bound:
            listed += vlan_count
    return listed, ports_all


def store(session, switch_id, facts, at):
    """Write db.api.PortFacts: only the ports whose list changed, and the
    switch's columns only when they change.  The switch row is locked
    first, so two writers of one switch's ports take turns.

    A full sync whose ports hash to the switch's ``ports_digest`` changed
    none of them since the last full sync wrote that digest (any targeted
    write of a port clears it): it writes no port and reads none back, and
    the sums are counted on the server (a row per port through PyMySQL
    was a quarter of a full sync with nothing to do)."""
    switch = session.execute(LOCK_SWITCH, {'switch_id': switch_id}).first()
    if switch is None:
        raise errors.NotFound(f'switch {switch_id} does not exist')
    digest = _digest(facts.allowed) if facts.every_port else switch.ports_digest
    if facts.every_port and digest == switch.ports_digest:
        sums = tuple(int(total) for total in session.execute(
            COUNTED, {'switch_id': switch_id}).one())
    else:
        sums, written = _store_ports(session, switch_id, facts, at,
                                     (switch.ports_listed, switch.ports_all))
        if written and not facts.every_port:
            digest = None
    values = _switch_values(switch, facts, at, sums, digest)
    if values:
        session.execute(SWITCHES.update().where(SWITCHES.c.id == switch_id).values(**values))


def _digest(allowed):
    """SHA-256 of every port and its stored list (PortFacts.allowed)."""
    lines = ''.join(f'{port}\t{fact[0]}\n' for port, fact in sorted(allowed.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def _store_ports(session, switch_id, facts, at, sums):
    """Only the ports whose list changed, in one delete and one multi-row
    insert whatever their number: a full sync from ALL changes every port
    of the switch, and a statement per port was most of its time.

    Returns (the switch's sums once written: moved by what changed, or,
    after a full sync, counted again from every port; whether any port was
    written)."""
    if facts.every_port:
        rows = session.execute(EVERY_PORT, {'switch_id': switch_id})
    else:
        rows = session.execute(SOME_PORTS, {'switch_id': switch_id,
                                            'ports': list(facts.allowed)})
    stored = {row.port: row for row in rows}
    bound = _bound(session, switch_id, stored, facts)
    changed = {port: fact for port, fact in facts.allowed.items()
               if port not in stored or stored[port].allowed != fact[0]}
    stale = [port for port in changed if port in stored]
    if facts.every_port:
        stale += sorted(set(stored) - set(facts.allowed))
    if stale:
        session.execute(DELETE_PORTS, {'switch_id': switch_id, 'ports': stale})
    if changed:
        session.execute(INSERT_PORTS, [
            {'switch_id': switch_id, 'port': port, 'allowed': allowed, 'vlan_count': count,
             'read_at': at} for port, (allowed, count) in changed.items()])
    written = bool(stale or changed)
    if facts.every_port:
        return _sums((count, port in bound)
                     for port, (_, count) in facts.allowed.items()), written
    old_listed, old_all = _sums((stored[port].vlan_count, port in bound) for port in stale)
    new_listed, new_all = _sums((count, port in bound) for port, (_, count) in changed.items())
    listed, ports_all = sums
    return (listed - old_listed + new_listed, ports_all - old_all + new_all), written


def _bound(session, switch_id, stored, facts):
    """The bound ports among those stored and those ``facts`` writes: the
    stored ones say it themselves, the others (a port read for the first
    time) are asked for."""
    bound = {port for port, row in stored.items() if row.bound}
    unstored = [port for port in facts.allowed if port not in stored]
    if unstored and facts.every_port:
        bound.update(session.scalars(BOUND_PORTS, {'switch_id': switch_id}))
    elif unstored:
        bound.update(session.scalars(SOME_BOUND_PORTS, {'switch_id': switch_id,
                                                        'ports': unstored}))
    return bound


def rebind(session, unbound=None, bound=None):
    """A binding ended (``unbound``) or began (``bound``): its port's listed
    VLANs leave or join its switch's ``ports_listed``.  The switch row is
    locked before the port's count is read, and that read takes the row's
    own lock too, so it sees what a sync of the switch just committed."""
    for binding, sign in ((unbound, -1), (bound, 1)):
        if binding is None:
            continue
        switch_id = binding['switch_id']
        session.execute(LOCK_SWITCH, {'switch_id': switch_id})
        count = session.execute(PORT_COUNT, {'switch_id': switch_id,
                                             'port': binding['switch_port']}).scalar()
        if count:
            session.execute(MOVE_LISTED, {'switch_id': switch_id, 'delta': sign * count})


def _switch_values(switch, facts, at, sums, digest):
    """The switch columns this sync changes: the VLAN database (replaced by
    a full read, grown by what a sync created), the boot time, since when
    it has unsaved changes (none after a reload), its ``sums`` and the
    ``digest`` of its ports."""
    known = switch.vlan_database
    if facts.every_port:
        known = facts.vlan_database
    elif facts.created and known is not None:
        known = vlans.format(vlans.parse(known) | vlans.parse(facts.created))
    unsaved = None if facts.reloaded else switch.unsaved_since
    if facts.changed and unsaved is None:
        unsaved = at
    values = {'vlan_database': known, 'booted_at': facts.booted_at or switch.booted_at,
              'unsaved_since': unsaved, 'ports_listed': sums[0], 'ports_all': sums[1],
              'ports_digest': digest}
    return {name: value for name, value in values.items() if value != switch._mapping[name]}
