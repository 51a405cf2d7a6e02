"""The intelligent sync as a pure function: expected vs actual → a plan.

Nothing here talks to a switch or a database, so every rule of DESIGN.md §7
that decides *what* to change is tested exhaustively (tests/unit/test_plan.py)
without either.  The plugin reads, calls ``make_plan``, and hands the plan to
the driver, which applies it in the order the plan states: create VLANs,
replace, add, remove.
"""

import dataclasses

from psvm_listener import vlans

RESERVED = frozenset(range(3968, 4095))
"""Internal VLANs of NX-OS (3968-4047 and 4094 on Nexus 5000, the whole block
on later platforms): never configured, whatever nova says."""

LIF_LIMIT = 'lif_limit'
REMOVAL_RATIO = 'removal_ratio'
RESERVED_VLANS = 'reserved_vlans'
UNREADABLE_PORT = 'unreadable_port'


@dataclasses.dataclass(frozen=True)
class PortChange:
    """One port's allowed list: replaced (when it was ALL), added to, removed from."""

    port: str
    add: frozenset = frozenset()
    remove: frozenset = frozenset()
    replace: frozenset | None = None

    def __bool__(self):
        return bool(self.add or self.remove) or self.replace is not None

    def applied_to(self, actual):
        """The allowed list once this change ran."""
        start = actual if self.replace is None else self.replace
        return (start | self.add) - self.remove


@dataclasses.dataclass(frozen=True)
class Refusal:
    """A guard that held back part of a plan, and why, in words."""

    guard: str
    message: str


@dataclasses.dataclass(frozen=True)
class Plan:
    """What one sync does to one switch, in order: create VLANs, replace the
    lists of ports that allowed ALL, add, remove."""

    changes: tuple = ()
    create: frozenset = frozenset()
    refusals: tuple = ()
    drift: int = 0
    """Ports that differ from what nova expects, whether or not a guard held
    their change back."""

    @property
    def added(self):
        return sum(len(change.add) for change in self.changes)

    @property
    def removed(self):
        return sum(len(change.remove) for change in self.changes)


@dataclasses.dataclass(frozen=True)
class Guards:
    """The limits a plan is held to (DESIGN.md §7).

    ``lif_usage`` is the switch's current ports×VLANs count; ``lif_limit`` the
    most it may carry.  ``max_removal_ratio`` is the largest share of the
    switch's listed allowed VLANs one sync may remove, measured against
    ``allowed_total`` (every known port of the switch, not only the ports in
    this sync).  ``force`` lifts the removal guard, never the LIF limit.
    """

    lif_usage: int = 0
    lif_limit: int | None = None
    max_removal_ratio: float = 1.0
    allowed_total: int = 0
    force: bool = False


def port_change(port, expected, actual, ignored=frozenset()):
    """Missing → add, excess → remove; ignored VLANs are never touched.

    A port that allows ALL gets its list replaced by exactly expected ∪
    ignored.  Reserved VLANs are left alone like ignored ones.
    """
    expected = frozenset(expected) - RESERVED
    if actual is vlans.ALL:
        return PortChange(port, replace=expected | frozenset(ignored))
    untouched = frozenset(ignored) | RESERVED
    return PortChange(port, add=expected - actual - untouched,
                      remove=frozenset(actual - expected - untouched))


def make_plan(expected, actual, ignored=frozenset(), guards=Guards()):
    """The plan for the ports in ``expected`` ({port: VLAN set}).

    ``actual`` maps each of those ports to its allowed VLAN set or ALL.  The
    removal guard drops every removal and the LIF guard every addition
    (additions run before removals, so the peak is usage + additions); each
    dropped part is reported as a Refusal.
    """
    changes = [port_change(port, expected[port], actual[port], ignored)
               for port in sorted(expected)]
    changes = [change for change in changes if change]
    drift = len(changes)
    refusals = [refusal for refusal in [_reserved_refusal(expected)] if refusal]
    refusal = _removal_refusal(changes, guards)
    if refusal:
        refusals.append(refusal)
        changes = [dataclasses.replace(c, remove=frozenset()) for c in changes]
    refusal = _lif_refusal(changes, guards)
    if refusal:
        refusals.append(refusal)
        changes = [dataclasses.replace(c, add=frozenset()) for c in changes]
    changes = tuple(change for change in changes if change)
    create = frozenset().union(
        *(c.add | ((c.replace or frozenset()) - ignored) for c in changes))
    return Plan(changes=changes, create=create, refusals=tuple(refusals), drift=drift)


def _reserved_refusal(expected):
    wanted = frozenset().union(*expected.values()) & RESERVED
    if not wanted:
        return None
    return Refusal(RESERVED_VLANS,
                   f'VLAN(s) {vlans.format(wanted)} are reserved for the switch\'s '
                   f'internal use and are never configured')


def _removal_refusal(changes, guards):
    """Removals from listed ports beyond the share the switch allows.

    Narrowing a port from ALL is the initial install, not a loss of VLANs a
    host had been given, so it is not counted.
    """
    removed = sum(len(c.remove) for c in changes)
    if guards.force or not removed:
        return None
    total = max(guards.allowed_total, removed)
    if removed <= guards.max_removal_ratio * total:
        return None
    return Refusal(REMOVAL_RATIO,
                   f'would remove {removed} of the switch\'s {total} allowed '
                   f'VLANs, more than psvm_max_removal_ratio '
                   f'{guards.max_removal_ratio:g}; removals held back '
                   f'(force the sync to apply them)')


def _lif_refusal(changes, guards):
    added = sum(len(change.add) for change in changes)
    if not added or guards.lif_limit is None:
        return None
    peak = guards.lif_usage + added
    if peak <= guards.lif_limit:
        return None
    return Refusal(LIF_LIMIT,
                   f'adding {added} port VLANs would bring the switch to '
                   f'{peak} logical interfaces, past its limit of '
                   f'{guards.lif_limit} (now {guards.lif_usage}); additions '
                   f'held back')
