"""The intelligent sync as a pure function: expected vs actual → a plan.

Nothing here talks to a switch or a database, so every rule of DESIGN.md §7
that decides *what* to change is tested exhaustively (tests/unit/test_plan.py)
without either.  The plugin reads, calls ``make_plan``, and hands the plan to
the driver, which applies it in the order the plan states (``Plan.order``):
create VLANs, replace, add, remove; or, when creating VLANs first would
cross the LIF limit because of the ports that still allow ALL, replace
(narrow those ports) before creating.
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

CREATE_FIRST = ('create', 'replace', 'add', 'remove')
NARROW_FIRST = ('replace', 'create', 'add', 'remove')


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
    """What one sync does to one switch, in the steps of ``order``: create
    VLANs, replace the lists of ports that allowed ALL, add, remove."""

    changes: tuple = ()
    create: frozenset = frozenset()
    refusals: tuple = ()
    drift: int = 0
    """Ports that differ from what nova expects, whether or not a guard held
    their change back."""
    order: tuple = CREATE_FIRST
    lif_peak: int | None = None
    """The most logical interfaces the switch carries while the plan runs
    (None: no LIF limit known)."""

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
    most it may carry.  Creating a VLAN costs one logical interface on each
    of the switch's ``ports_all`` trunk ports that allow ALL (those of this
    plan included); ``vlan_database`` (the VLANs the switch has, None when
    unknown: then every VLAN created counts as new) tells which are new.
    ``max_removal_ratio`` is the largest share of the switch's listed
    allowed VLANs one sync may remove, measured against ``allowed_total``
    (every bound port of the switch, as the switch last said, not only the
    ports in this sync).  ``force`` lifts the removal guard, never the LIF
    limit.
    """

    lif_usage: int = 0
    lif_limit: int | None = None
    max_removal_ratio: float = 1.0
    allowed_total: int = 0
    force: bool = False
    ports_all: int = 0
    vlan_database: frozenset | None = None


def port_change(port, expected, actual, ignored=frozenset()):
    """Missing → add, excess → remove; ignored VLANs are never touched.

    ``ignored`` is every VLAN this sync must leave as it is: the ignore list
    and the VLANs outside the switch's managed range.  A port that allows
    ALL gets its list replaced by exactly expected ∪ ignored, so it keeps
    every such VLAN it carried.  Reserved VLANs are left alone like ignored
    ones, and never listed.
    """
    return _Untouched(ignored).change(port, expected, actual)


class _Untouched:
    """The VLANs a plan leaves alone, made once per plan, not once per port:
    outside a managed range they are thousands, and a full sync plans
    100,000 ports."""

    def __init__(self, ignored):
        self.kept = frozenset(ignored) - RESERVED
        self.vlans = self.kept | RESERVED

    def change(self, port, expected, actual):
        expected = frozenset(expected) - self.vlans
        if actual is vlans.ALL:
            return PortChange(port, replace=expected | self.kept)
        return PortChange(port, add=expected - actual,
                          remove=frozenset(actual - expected - self.vlans))


def make_plan(expected, actual, ignored=frozenset(), guards=Guards()):
    """The plan for the ports in ``expected`` ({port: VLAN set}).

    ``actual`` maps each of those ports to its allowed VLAN set or ALL.  The
    removal guard drops every removal.  The LIF guard picks the order whose
    peak stays within the limit; when neither does, it drops every addition,
    and then, if creating the VLANs that the narrowed lists name would still
    cross it, their creation.  Each dropped part is reported as a Refusal.
    """
    untouched = _Untouched(ignored)
    changes = [untouched.change(port, expected[port], actual[port])
               for port in sorted(expected)]
    changes = [change for change in changes if change]
    drift = len(changes)
    refusals = [refusal for refusal in [_reserved_refusal(expected)] if refusal]
    refusal = _removal_refusal(changes, guards)
    if refusal:
        refusals.append(refusal)
        changes = [dataclasses.replace(c, remove=frozenset()) for c in changes]
    create = _created(changes, ignored)
    order, peak = _order(changes, create, guards)
    if order is None:
        refusals.append(_lif_refusal(changes, create, peak, guards))
        changes = [dataclasses.replace(c, add=frozenset()) for c in changes]
        create = _created(changes, ignored)
        order, peak = _order(changes, create, guards)
        if order is None:
            create = create & (guards.vlan_database or frozenset())
            order, peak = _order(changes, create, guards)
    changes = tuple(change for change in changes if change)
    return Plan(changes=changes, create=create, refusals=tuple(refusals), drift=drift,
                order=order, lif_peak=peak if guards.lif_limit is not None else None)


def _created(changes, ignored):
    """Every VLAN a port will list that this sync manages: made sure to exist."""
    return frozenset().union(
        *(c.add | ((c.replace or frozenset()) - ignored) for c in changes))


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


def _order(changes, create, guards):
    """(order, peak): creating VLANs first when that stays within the limit,
    else narrowing ALL ports first when that does; (None, lower peak) when
    neither does.  A plan that never rises above today's usage always fits,
    even on a switch already past its limit."""
    peaks = _lif_peaks(changes, create, guards)
    if guards.lif_limit is None:
        return CREATE_FIRST, peaks[CREATE_FIRST]
    ceiling = max(guards.lif_limit, guards.lif_usage)
    for order in (CREATE_FIRST, NARROW_FIRST):
        if peaks[order] <= ceiling:
            return order, peaks[order]
    return None, min(peaks.values())


def _lif_peaks(changes, create, guards):
    """The most logical interfaces the switch carries in either order.

    A trunk port counts once per VLAN it allows that exists; a port that
    allows ALL, once per VLAN of the switch.  So creating a VLAN costs one
    on every ALL port not yet narrowed, and narrowing an ALL port saves what
    its new list leaves out of the VLANs that exist by then.  Both orders
    end at the same usage; removals run last and only lower it.
    """
    existing = guards.vlan_database or frozenset()
    new = create if guards.vlan_database is None else create - existing
    replaced = [c.replace for c in changes if c.replace is not None]
    added = sum(len(c.add) for c in changes)
    ports_all = max(guards.ports_all, len(replaced))
    usage = guards.lif_usage
    narrowed = usage - sum(len(existing) - len(r & existing) for r in replaced)
    final = (narrowed + len(new) * (ports_all - len(replaced))
             + sum(len(r & new) for r in replaced) + added)
    return {CREATE_FIRST: max(usage + len(new) * ports_all, final),
            NARROW_FIRST: max(narrowed, final)}


def _lif_refusal(changes, create, peak, guards):
    added = sum(len(change.add) for change in changes)
    new = create if guards.vlan_database is None else create - guards.vlan_database
    parts = [f'adding {added} port VLANs' if added else '',
             f'creating VLAN(s) {vlans.format(new)} while {guards.ports_all} trunk '
             f'ports allow ALL' if new and guards.ports_all else '']
    return Refusal(LIF_LIMIT,
                   f'{" and ".join(filter(None, parts)) or "this plan"} would bring the '
                   f'switch to {peak} logical interfaces, past its limit of '
                   f'{guards.lif_limit} (now {guards.lif_usage}); additions held back')
