"""What every sync reads of PSVM's database before it plans (the bindings
of its ports, the switch facts: psvm_switch_port and a few columns of
psvm_switch) and writes after it applies, in statements built once.

A sync of one port costs a millisecond or two of SQL, and building a
SQLAlchemy statement costs more than SQLite running it: the statements
here are module constants with bound parameters, and a sync runs two or
three of them each way.  db.api.Database's list_bindings (of one switch),
switch_facts and record_facts are the callers; they hold the transaction.
"""

import json

import sqlalchemy as sa

from psvm_listener import records
from psvm_listener import vlans
from psvm_listener.db import errors
from psvm_listener.db import models

SWITCHES = models.Switch.__table__
PORTS = models.SwitchPort.__table__
BINDINGS = models.SwitchportBinding.__table__
PLANS = models.PendingPlan.__table__

_SWITCH_ID = sa.bindparam('switch_id')

_SWITCH_BINDINGS = sa.select(*(BINDINGS.c[name] for name in records.BINDING.columns)).where(
    BINDINGS.c.switch_id == _SWITCH_ID, BINDINGS.c.deleted == 0).order_by(BINDINGS.c.id)
_PORT_BINDINGS = _SWITCH_BINDINGS.where(
    BINDINGS.c.switch_port.in_(sa.bindparam('ports', expanding=True)))
_LIVE_SWITCH = sa.and_(SWITCHES.c.id == _SWITCH_ID, SWITCHES.c.deleted == 0)

SWITCH_ROW = sa.select(
    SWITCHES.c.vlan_database, SWITCHES.c.booted_at, SWITCHES.c.managed_vlans,
    SWITCHES.c.unsaved_since,
    sa.select(sa.func.count()).select_from(PLANS).where(
        PLANS.c.switch_id == SWITCHES.c.id, PLANS.c.deleted == 0).scalar_subquery().label(
        'pending')).where(_LIVE_SWITCH)
"""The switch's own facts, and how many plans it has pending."""

_READ_PORT = sa.case((PORTS.c.port.in_(sa.bindparam('read_ports', expanding=True)),
                      PORTS.c.port), else_=sa.null()).label('read_port')
_BOUND = BINDINGS.c.id.is_not(None)
PORTS_BESIDE = sa.select(
    _READ_PORT, sa.func.max(PORTS.c.allowed),
    sa.func.coalesce(sa.func.sum(sa.case((_BOUND, PORTS.c.vlan_count), else_=0)), 0),
    sa.func.coalesce(sa.func.sum(sa.case((PORTS.c.vlan_count.is_(None), 1), else_=0)), 0),
).select_from(PORTS.outerjoin(BINDINGS, sa.and_(
    BINDINGS.c.switch_id == PORTS.c.switch_id, BINDINGS.c.switch_port == PORTS.c.port,
    BINDINGS.c.deleted == 0))).where(PORTS.c.switch_id == _SWITCH_ID).group_by(
    sa.literal_column('read_port'))
"""One row per stored port read (port, allowed), and one with port NULL
summing the others: the VLANs their bound ones list, how many allow ALL."""

EVERY_PORT = sa.select(PORTS.c.port, PORTS.c.allowed).where(PORTS.c.switch_id == _SWITCH_ID)
SOME_PORTS = EVERY_PORT.where(PORTS.c.port.in_(sa.bindparam('ports', expanding=True)))
PENDING = sa.select(PLANS.c.id, PLANS.c.ports, PLANS.c.changes).where(
    PLANS.c.switch_id == _SWITCH_ID, PLANS.c.deleted == 0)

LOCK_SWITCH = sa.select(SWITCHES.c.vlan_database, SWITCHES.c.booted_at,
                        SWITCHES.c.unsaved_since).where(
    _LIVE_SWITCH).with_for_update()
INSERT_PORTS = PORTS.insert()
DELETE_PORTS = PORTS.delete().where(
    PORTS.c.switch_id == _SWITCH_ID,
    PORTS.c.port.in_(sa.bindparam('ports', expanding=True)))


def bindings(session, switch_id, switch_ports):
    """The live bindings of a switch, of ``switch_ports`` only unless None."""
    if switch_ports is None:
        rows = session.execute(_SWITCH_BINDINGS, {'switch_id': switch_id})
    else:
        rows = session.execute(_PORT_BINDINGS, {'switch_id': switch_id,
                                                'ports': sorted(switch_ports)})
    return [dict(row._mapping) for row in rows]


def read(session, switch_id, read_ports):
    """The facts dict of db.api.Database.switch_facts."""
    switch = session.execute(SWITCH_ROW, {'switch_id': switch_id}).first()
    if switch is None:
        raise errors.NotFound(f'switch {switch_id} does not exist')
    facts = {'vlan_database': switch.vlan_database, 'booted_at': switch.booted_at,
             'managed_vlans': switch.managed_vlans, 'unsaved_since': switch.unsaved_since,
             'ports_listed': 0, 'ports_all': 0, 'stored': {}, 'pending': []}
    if read_ports is None:
        facts['stored'] = dict(session.execute(EVERY_PORT, {'switch_id': switch_id}).all())
    else:
        for port, allowed, listed, ports_all in session.execute(
                PORTS_BESIDE, {'switch_id': switch_id, 'read_ports': sorted(read_ports)}):
            if port is None:
                facts['ports_listed'], facts['ports_all'] = int(listed), int(ports_all)
            else:
                facts['stored'][port] = allowed
    if switch.pending:
        facts['pending'] = [(row.id, json.loads(row.ports), json.loads(row.changes))
                            for row in session.execute(PENDING, {'switch_id': switch_id})]
    return facts


def store(session, switch_id, facts, at):
    """Write db.api.PortFacts: only the ports whose list changed, and the
    switch's columns only when they change.  The switch row is locked
    first, so two writers of one switch's ports take turns."""
    switch = session.execute(LOCK_SWITCH, {'switch_id': switch_id}).first()
    if switch is None:
        raise errors.NotFound(f'switch {switch_id} does not exist')
    _store_ports(session, switch_id, facts, at)
    values = _switch_values(switch, facts, at)
    if values:
        session.execute(SWITCHES.update().where(SWITCHES.c.id == switch_id).values(**values))


def _store_ports(session, switch_id, facts, at):
    """Only the ports whose list changed, in one delete and one multi-row
    insert whatever their number: a full sync from ALL changes every port
    of the switch, and a statement per port was most of its time."""
    if facts.every_port:
        stored = dict(session.execute(EVERY_PORT, {'switch_id': switch_id}).all())
    else:
        stored = dict(session.execute(SOME_PORTS, {'switch_id': switch_id,
                                                   'ports': list(facts.allowed)}).all())
    changed = {port: fact for port, fact in facts.allowed.items()
               if stored.get(port) != fact[0]}
    stale = [port for port in changed if port in stored]
    if facts.every_port:
        stale += sorted(set(stored) - set(facts.allowed))
    if stale:
        session.execute(DELETE_PORTS, {'switch_id': switch_id, 'ports': stale})
    if changed:
        session.execute(INSERT_PORTS, [
            {'switch_id': switch_id, 'port': port, 'allowed': allowed, 'vlan_count': count,
             'read_at': at} for port, (allowed, count) in changed.items()])


def _switch_values(switch, facts, at):
    """The switch columns this sync changes: the VLAN database (replaced by
    a full read, grown by what a sync created), the boot time, and since
    when it has unsaved changes (none after a reload)."""
    known = switch.vlan_database
    if facts.every_port:
        known = facts.vlan_database
    elif facts.created and known is not None:
        known = vlans.format(vlans.parse(known) | vlans.parse(facts.created))
    unsaved = None if facts.reloaded else switch.unsaved_since
    if facts.changed and unsaved is None:
        unsaved = at
    values = {'vlan_database': known, 'booted_at': facts.booted_at or switch.booted_at,
              'unsaved_since': unsaved}
    return {name: value for name, value in values.items() if value != switch._mapping[name]}
