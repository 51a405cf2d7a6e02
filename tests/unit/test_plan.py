import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from psvm_listener import plan
from psvm_listener import vlans

VLAN_SETS = st.frozensets(st.integers(1, 4094), max_size=40)
SMALL_SETS = st.frozensets(st.integers(1, 30), max_size=30)
ACTUAL = st.one_of(st.just(vlans.ALL), SMALL_SETS, VLAN_SETS)
PORTS = st.sampled_from(['ethernet1/1', 'ethernet1/2', 'ethernet101/1/7', 'port-channel20'])


def after(actual, change):
    return actual if actual is vlans.ALL and not change else change.applied_to(actual)


@given(expected=VLAN_SETS, actual=ACTUAL, ignored=SMALL_SETS)
def test_port_ends_with_expected_plus_what_ignore_list_keeps(expected, actual, ignored):
    change = plan.port_change('ethernet1/1', expected, actual, ignored)
    result = after(actual, change)
    if actual is vlans.ALL:
        assert result == (expected - plan.RESERVED) | ignored
    else:
        assert result - ignored - plan.RESERVED == expected - ignored - plan.RESERVED
        assert result & (ignored | plan.RESERVED) == actual & (ignored | plan.RESERVED)


@given(expected=VLAN_SETS, actual=ACTUAL, ignored=SMALL_SETS)
def test_ignored_vlans_are_never_added_nor_removed_from_a_list(expected, actual, ignored):
    change = plan.port_change('ethernet1/1', expected, actual, ignored)
    assert not change.add & ignored
    assert not change.remove & ignored


@given(expected=VLAN_SETS, actual=ACTUAL, ignored=SMALL_SETS)
def test_change_touches_only_what_differs(expected, actual, ignored):
    change = plan.port_change('ethernet1/1', expected, actual, ignored)
    assert not change.add & change.remove
    if actual is not vlans.ALL:
        assert change.add <= expected and not change.add & actual
        assert change.remove <= actual and not change.remove & expected


@given(expected=VLAN_SETS, ignored=SMALL_SETS)
def test_a_port_in_step_has_no_change(expected, ignored):
    assert not plan.port_change('ethernet1/1', expected, expected | ignored, ignored)


@given(st.dictionaries(PORTS, st.tuples(VLAN_SETS, ACTUAL), min_size=1), SMALL_SETS)
def test_unguarded_plan_creates_every_added_vlan_and_changes_ports_in_order(ports, ignored):
    expected = {port: pair[0] for port, pair in ports.items()}
    actual = {port: pair[1] for port, pair in ports.items()}
    result = plan.make_plan(expected, actual, ignored)
    assert all(r.guard == plan.RESERVED_VLANS for r in result.refusals)
    assert result.create == frozenset().union(
        *(c.add | ((c.replace or frozenset()) - ignored) for c in result.changes))
    assert not result.create & plan.RESERVED
    assert [c.port for c in result.changes] == sorted(c.port for c in result.changes)
    changed = {c.port: c for c in result.changes}
    for port in expected:
        change = changed.get(port, plan.PortChange(port))
        assert change == plan.port_change(port, expected[port], actual[port], ignored)


@given(st.dictionaries(PORTS, st.tuples(SMALL_SETS, SMALL_SETS), min_size=1),
       st.floats(0, 1), st.integers(0, 200), st.booleans())
def test_removal_guard_holds_back_every_removal_beyond_the_ratio(ports, ratio, extra, force):
    expected = {port: pair[0] for port, pair in ports.items()}
    actual = {port: pair[1] for port, pair in ports.items()}
    total = sum(len(v) for v in actual.values()) + extra
    guards = plan.Guards(max_removal_ratio=ratio, allowed_total=total, force=force)
    free = plan.make_plan(expected, actual)
    result = plan.make_plan(expected, actual, guards=guards)
    refused = not force and free.removed > ratio * total
    assert result.drift == free.drift == len(free.changes)
    guards_held = [r.guard for r in result.refusals if r.guard != plan.RESERVED_VLANS]
    assert guards_held == ([plan.REMOVAL_RATIO] if refused else [])
    assert result.removed == (0 if refused else free.removed)
    assert result.added == free.added


@given(st.dictionaries(PORTS, st.tuples(SMALL_SETS, SMALL_SETS), min_size=1),
       st.integers(0, 100), st.integers(0, 150))
def test_lif_guard_holds_back_additions_that_cross_the_limit(ports, usage, limit):
    expected = {port: pair[0] for port, pair in ports.items()}
    actual = {port: pair[1] for port, pair in ports.items()}
    guards = plan.Guards(lif_usage=usage, lif_limit=limit)
    free = plan.make_plan(expected, actual)
    result = plan.make_plan(expected, actual, guards=guards)
    refused = free.added > 0 and usage + free.added > limit
    assert [r.guard for r in result.refusals] == ([plan.LIF_LIMIT] if refused else [])
    assert result.added == (0 if refused else free.added)
    assert not refused or all(not c.add for c in result.changes)
    assert result.removed == free.removed


@given(st.dictionaries(PORTS, VLAN_SETS, min_size=1))
def test_initial_install_from_all_is_not_a_removal_refusal(expected):
    actual = dict.fromkeys(expected, vlans.ALL)
    guards = plan.Guards(max_removal_ratio=0.0, allowed_total=0)
    result = plan.make_plan(expected, actual, frozenset({1}), guards)
    assert all(r.guard == plan.RESERVED_VLANS for r in result.refusals)
    assert {c.port for c in result.changes} == set(expected)
    for change in result.changes:
        assert change.replace == (expected[change.port] - plan.RESERVED) | {1}


def test_refusal_message_names_the_option_and_the_figures():
    guards = plan.Guards(max_removal_ratio=0.5, allowed_total=10)
    result = plan.make_plan({'ethernet1/1': frozenset()},
                            {'ethernet1/1': frozenset(range(2, 10))}, guards=guards)
    assert result.refusals[0].message.startswith(
        'would remove 8 of the switch\'s 10 allowed VLANs, more than psvm_max_removal_ratio 0.5')
    assert result.changes == ()


@given(st.frozensets(st.integers(3968, 4094), min_size=1), SMALL_SETS)
def test_reserved_vlans_are_reported_and_never_configured(reserved, actual):
    result = plan.make_plan({'ethernet1/1': reserved}, {'ethernet1/1': actual})
    assert result.refusals[0].guard == plan.RESERVED_VLANS
    assert 'reserved for the switch' in result.refusals[0].message
    assert not result.create and result.added == 0


def test_lif_refusal_keeps_removals():
    guards = plan.Guards(lif_usage=99, lif_limit=100)
    result = plan.make_plan({'ethernet1/1': frozenset({5, 6})},
                            {'ethernet1/1': frozenset({7})}, guards=guards)
    assert result.changes == (plan.PortChange('ethernet1/1', remove=frozenset({7})),)
    assert 'past its limit of 100' in result.refusals[0].message
    assert dataclasses.replace(result, refusals=()).create == frozenset()


# A switch with VLANs 1-10, 40 trunk ports that allow ALL (400 LIFs) and a
# limit of 500: creating VLANs 11-13 first would cost 3 on each ALL port.
TEN = frozenset(range(1, 11))


def narrowing_plan(expected, limit=500, ports_all=40):
    guards = plan.Guards(lif_usage=400, lif_limit=limit, ports_all=ports_all,
                         vlan_database=TEN)
    return plan.make_plan(expected, dict.fromkeys(expected, vlans.ALL), frozenset({1}), guards)


def test_creating_vlans_counts_one_lif_per_port_that_allows_all():
    result = plan.make_plan({'ethernet1/1': frozenset({5})}, {'ethernet1/1': frozenset({5})},
                            guards=plan.Guards(lif_usage=400, lif_limit=500, ports_all=40,
                                               vlan_database=TEN))
    assert result.lif_peak == 400 and not result.refusals
    result = plan.make_plan({'ethernet1/1': frozenset({5, 11, 12, 13})},
                            {'ethernet1/1': frozenset({5})},
                            guards=plan.Guards(lif_usage=400, lif_limit=500, ports_all=40,
                                               vlan_database=TEN))
    assert [r.guard for r in result.refusals] == [plan.LIF_LIMIT]
    assert 'creating VLAN(s) 11-13 while 40 trunk ports allow ALL' in result.refusals[0].message
    assert result.changes == () and result.create == frozenset()


def test_narrowing_all_ports_runs_before_creating_when_only_that_fits():
    expected = {f'ethernet1/{n}': frozenset({2, 11, 12, 13}) for n in range(1, 41)}
    result = narrowing_plan(expected)
    assert result.order == plan.NARROW_FIRST and not result.refusals
    assert result.create == frozenset({2, 11, 12, 13})
    assert result.lif_peak == 40 * 5
    assert narrowing_plan(expected, limit=10_000).order == plan.CREATE_FIRST


def test_creation_that_crosses_the_limit_either_way_is_held_back_not_the_narrowing():
    expected = {'ethernet1/1': frozenset({2, 11, 12, 13})}
    result = narrowing_plan(expected, limit=420)
    assert [r.guard for r in result.refusals] == [plan.LIF_LIMIT]
    assert result.create == frozenset({2})
    assert result.changes[0].replace == frozenset({1, 2, 11, 12, 13})
    assert result.lif_peak <= 420
