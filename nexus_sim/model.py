"""The state of one lab Nexus switch: trunk ports, allowed VLAN sets, VLAN database.

A VLAN in the database is active or suspended (``state active|suspend``)
and shut or not (``shutdown``); a new one is active and not shut.  Only an
active VLAN that is not shut carries traffic: spanning tree runs for it, it
counts in the LIF usage, and a trunk port that allows it passes it.

Every change, from NETCONF or from the operator, goes through
``SwitchState.apply``: the whole list of changes is checked against a copy
and committed only if all of it is valid (NX-OS rollback-on-error), so a
rejected edit leaves nothing behind.  The LIF limit is checked after each
step, in the order sent, as NX-OS refuses the command that crosses it.  Every state change notifies
``SwitchState.changed``, the condition tests wait on.
"""

import collections
import dataclasses
import re
import threading
import time
from typing import NamedTuple

from nexus_sim import interfaces as port_names
from nexus_sim import vlans as vlan_sets
from nexus_sim.vlans import ALL

RESERVED = frozenset(range(3968, 4095))
DEFAULT_VLAN = 1


class EditRejected(Exception):
    """A change the switch refuses; the reply is an rpc-error with this text."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one switch accepts: list lengths per command, LIF budget, sessions."""

    lif_limit: int = 32000
    max_list_items: int = 64
    max_list_chars: int = 512
    max_sessions: int = 8


class Change(NamedTuple):
    """One configuration step: op is add, remove, set, except (on a port), or vlan-create,
    vlan-delete, vlan-suspend, vlan-activate, vlan-shutdown, vlan-no-shutdown."""

    op: str
    port: str | None
    vlans: object


_RANGED = re.compile(r'^(.*?)(\d+)(?:-(\d+))?$')


def expand_ports(spec):
    """'1/1-48,po20' → ['ethernet1/1', ..., 'ethernet1/48', 'port-channel20'].

    The last number of each item may be a range, as in NX-OS
    ``interface ethernet1/1-48``; an item without a kind is ethernet.
    """
    names = []
    for item in spec.split(','):
        item = item.strip()
        match = _RANGED.match(item)
        if not match:
            raise port_names.InvalidPortName(f'{item!r} is not a port or port range')
        prefix, low, high = match.group(1), int(match.group(2)), match.group(3)
        if not re.search('[a-z]', prefix, re.I):
            prefix = 'ethernet' + prefix
        high = int(high) if high else low
        if high < low:
            raise port_names.InvalidPortName(f'port range {item!r} runs backwards')
        names.extend(port_names.normalise(f'{prefix}{n}') for n in range(low, high + 1))
    return names


def switch_ports(ports='1/1-48', fex=(), port_channels=()):
    """Port names of a switch: its own ethernet ports, 48 per FEX, port-channels."""
    names = expand_ports(ports) if ports else []
    names += [name for fex_id in fex for name in expand_ports(f'{fex_id}/1/1-48')]
    names += [port_names.normalise(f'port-channel{pc}') for pc in port_channels]
    return names


VLAN_STATES = {'active': 'vlan-activate', 'suspend': 'vlan-suspend'}


def vlan_state_change(state, vlans):
    """``state active|suspend`` on ``vlans``."""
    if state not in VLAN_STATES:
        raise EditRejected(f'VLAN state {state!r} is not active or suspend')
    return Change(VLAN_STATES[state], None, vlans)


def parse_list(text, limits):
    """One add/remove/allowed list as sent in a command, within the switch's limits.

    A real device truncates an overlong list silently; the lab refuses it so
    that a driver that forgets to chunk is caught by its tests.
    """
    text = (text or '').strip()
    if not text:
        raise EditRejected('Incomplete command: the VLAN list is empty')
    items = text.split(',')
    if len(items) > limits.max_list_items:
        raise EditRejected(f'VLAN list has {len(items)} items, more than the '
                           f'{limits.max_list_items} this switch takes in one command')
    if len(text) > limits.max_list_chars:
        raise EditRejected(f'VLAN list is {len(text)} characters, more than the '
                           f'{limits.max_list_chars} this switch takes in one command')
    try:
        parsed = vlan_sets.parse(text)
    except vlan_sets.BadVlanList as exc:
        raise EditRejected(f'Invalid VLAN list {text!r}: {exc}')
    return parsed


def check_not_reserved(vlans):
    if vlans is not ALL and vlans & RESERVED:
        reserved = vlan_sets.format(vlans & RESERVED)
        raise EditRejected(f'VLAN(s) {reserved} are reserved for internal use')


def passing(vlans, carrying):
    """The VLANs a trunk port allowing ``vlans`` passes: those carrying traffic."""
    return carrying if vlans is ALL else vlans & carrying


def port_lif_usage(vlans, carrying):
    """STP logical interfaces of one trunk port: the VLANs it passes."""
    return len(passing(vlans, carrying))


def lif_usage(allowed, carrying):
    return sum(port_lif_usage(vlans, carrying) for vlans in allowed.values())


class _Config(NamedTuple):
    """One configuration; never changed once built, so readers need no lock."""

    allowed: dict
    vlans: frozenset
    lif_usage: int
    suspended: frozenset = frozenset()
    shut: frozenset = frozenset()

    @property
    def carrying(self):
        """The VLANs that exist, are active and are not shut."""
        return self.vlans - self.suspended - self.shut


class _Draft:
    """A configuration being changed, before it is checked and committed."""

    def __init__(self, config):
        self.allowed = dict(config.allowed)
        self.vlans = set(config.vlans)
        self.suspended = set(config.suspended)
        self.shut = set(config.shut)

    def config(self, lif):
        return _Config(self.allowed, frozenset(self.vlans), lif, frozenset(self.suspended),
                       frozenset(self.shut))


RPC_LOG_SIZE = 100_000
READ_KINDS = ('get', 'exec-command', 'cli_show', 'cli_show_ascii')
EDITING_KINDS = READ_KINDS + ('edit-config', 'cli_conf')


class RpcRecord(NamedTuple):
    session: int
    kind: str
    started: float
    ended: float
    commands: tuple = ()


def edit_windows(log):
    """(started, ended, session) of each read-modify-write: from a session's
    last read before an edit-config to the end of that edit."""
    last_read, windows = {}, []
    for record in sorted(log, key=lambda r: r.started):
        if record.kind in READ_KINDS:
            last_read[record.session] = record.started
        else:
            windows.append((last_read.pop(record.session, record.started), record.ended,
                            record.session))
    return sorted(windows)


def concurrent_edits(log):
    """Pairs of sessions whose read-modify-write windows overlapped: two
    clients editing one switch at once, each on what it read before the
    other's edit."""
    clashes, open_windows = [], []
    for started, ended, session in edit_windows(log):
        open_windows = [w for w in open_windows if w[1] > started]
        clashes += [(other, session) for _s, _e, other in open_windows if other != session]
        open_windows.append((started, ended, session))
    return clashes


class SwitchState:
    """Running and startup configuration, journal and RPC counts of one switch."""

    def __init__(self, ports, limits=Limits()):
        self.limits = limits
        self.changed = threading.Condition(threading.RLock())
        allowed = {port: ALL for port in ports}
        self._running = _Config(allowed, frozenset({DEFAULT_VLAN}), len(allowed))
        self._startup = self._running
        self._journal = []
        self._rpc_counts = {}
        self._rpc_log = collections.deque(maxlen=RPC_LOG_SIZE)
        self.version = 0
        self.booted_at = time.time()

    def touch(self):
        """Tell waiters the switch changed; call with ``changed`` held."""
        self.version += 1
        self.changed.notify_all()

    def ports(self):
        return list(self._running.allowed)

    def port(self, name):
        """The normalised name of a port this switch has, or EditRejected."""
        try:
            port = port_names.normalise(name)
        except port_names.InvalidPortName as exc:
            raise EditRejected(f'Invalid interface: {exc}')
        if port not in self._running.allowed:
            raise EditRejected(f'Invalid interface {name!r}: no such port on this switch')
        return port

    def allowed(self, port):
        return self._running.allowed[self.port(port)]

    def allowed_map(self):
        """Port → allowed VLAN set, one consistent snapshot."""
        return dict(self._running.allowed)

    def vlans(self):
        return self._running.vlans

    def suspended(self):
        return self._running.suspended

    def shut(self):
        return self._running.shut

    def carrying(self):
        return self._running.carrying

    def passing(self, port):
        """The VLANs ``port`` passes: allowed, existing, active and not shut."""
        return passing(self.allowed(port), self._running.carrying)

    def lif_usage(self):
        return self._running.lif_usage

    def journal(self, since=0):
        """Applied changes in order, from the ``since``-th on (to read only new ones)."""
        with self.changed:
            return [dict(entry) for entry in self._journal[since:]]

    def rpc_counts(self):
        with self.changed:
            return dict(self._rpc_counts)

    def count_rpc(self, kind):
        with self.changed:
            self._rpc_counts[kind] = self._rpc_counts.get(kind, 0) + 1
            self.touch()

    def record_rpc(self, session_id, kind, started, ended, commands=()):
        """Remember when a session read (which commands) or edited, to tell
        concurrent editors and full syncs apart."""
        if kind in EDITING_KINDS:
            with self.changed:
                self._rpc_log.append(RpcRecord(session_id, kind, started, ended, commands))

    def rpc_log(self):
        with self.changed:
            return list(self._rpc_log)

    def apply(self, changes, source='netconf', check_lif=True):
        """Apply every change or none; EditRejected says why none were.

        Returns the changes as applied (port names normalised)."""
        with self.changed:
            changes = [c._replace(port=self.port(c.port)) if c.port else c for c in changes]
            old = new = self._running
            ceiling = max(self.limits.lif_limit, old.lif_usage)
            for change in changes:
                draft = _Draft(new)
                _APPLY[change.op](draft, change)
                new = self._config(new, draft, {change.port})
                if check_lif and new.lif_usage > ceiling:
                    raise EditRejected(
                        f'Exceeded the logical interface limit: the change needs '
                        f'{new.lif_usage} ports*vlans, the limit is {self.limits.lif_limit}')
            self._running = new
            now = time.time()
            self._journal.extend(
                {'time': now, 'port': c.port, 'op': c.op, 'vlans': c.vlans, 'source': source}
                for c in changes)
            self.touch()
            return changes

    @staticmethod
    def _config(old, draft, touched):
        """The new configuration, its LIF usage counted again only where it changed."""
        new = draft.config(old.lif_usage)
        carrying = new.carrying
        if carrying != old.carrying:
            return new._replace(lif_usage=lif_usage(new.allowed, carrying))
        delta = sum(port_lif_usage(new.allowed[port], carrying)
                    - port_lif_usage(old.allowed[port], carrying) for port in touched - {None})
        return new._replace(lif_usage=old.lif_usage + delta)

    def save(self):
        """copy running-config startup-config."""
        with self.changed:
            self._startup = self._running
            self._log_event('copy')

    def reboot(self, booted_at=None):
        """Running configuration back to the startup configuration; the
        switch is up again at ``booted_at`` (time.time(); default now)."""
        with self.changed:
            self._running = self._startup
            self.booted_at = time.time() if booted_at is None else booted_at
            self._log_event('reboot')

    def _log_event(self, op):
        self._journal.append({'time': time.time(), 'port': None, 'op': op,
                              'vlans': frozenset(), 'source': 'switch'})
        self.touch()


def _add(draft, change):
    check_not_reserved(change.vlans)
    current = draft.allowed[change.port]
    if change.vlans is ALL or current is ALL:
        draft.allowed[change.port] = ALL
    else:
        draft.allowed[change.port] = current | change.vlans


def _remove(draft, change):
    check_not_reserved(change.vlans)
    current = draft.allowed[change.port]
    if change.vlans is ALL:
        draft.allowed[change.port] = frozenset()
    elif current is ALL:
        draft.allowed[change.port] = _ALL_IDS - change.vlans
    else:
        draft.allowed[change.port] = current - change.vlans


def _set(draft, change):
    check_not_reserved(change.vlans)
    draft.allowed[change.port] = change.vlans


def _except(draft, change):
    """``allowed vlan except LIST``: every id but those (reserved ones included)."""
    check_not_reserved(change.vlans)
    draft.allowed[change.port] = _ALL_IDS - change.vlans


def _vlan_ids(change):
    if change.vlans is ALL:
        raise EditRejected(f'{change.op} needs a VLAN list, not all')
    check_not_reserved(change.vlans)
    return change.vlans


def _create_vlans(draft, change):
    draft.vlans.update(_vlan_ids(change))


def _delete_vlans(draft, change):
    ids = _vlan_ids(change)
    if DEFAULT_VLAN in ids:
        raise EditRejected('VLAN 1 is the default VLAN and cannot be deleted')
    for vlan_set in (draft.vlans, draft.suspended, draft.shut):
        vlan_set.difference_update(ids)


def _vlan_setting(attribute, on):
    """A ``vlan LIST`` sub-command: entering the VLAN's mode creates it, as on NX-OS.

    VLAN 1 can be neither suspended nor shut on NX-OS."""
    def apply(draft, change):
        ids = _vlan_ids(change)
        if on and DEFAULT_VLAN in ids:
            raise EditRejected('VLAN 1 is the default VLAN: its state cannot be changed')
        draft.vlans.update(ids)
        setting = getattr(draft, attribute)
        if on:
            setting.update(ids)
        else:
            setting.difference_update(ids)
    return apply


_ALL_IDS = vlan_sets.IDS


_APPLY = {
    'add': _add,
    'remove': _remove,
    'set': _set,
    'except': _except,
    'vlan-create': _create_vlans,
    'vlan-delete': _delete_vlans,
    'vlan-suspend': _vlan_setting('suspended', True),
    'vlan-activate': _vlan_setting('suspended', False),
    'vlan-shutdown': _vlan_setting('shut', True),
    'vlan-no-shutdown': _vlan_setting('shut', False),
}
