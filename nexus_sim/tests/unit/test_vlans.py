import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus_sim import vlans
from nexus_sim.tests.readback import allowed_from_config


@pytest.mark.parametrize('text, ids', [
    ('10', {10}),
    ('10-12,40', {10, 11, 12, 40}),
    (' 10 - 12 , 40 ', {10, 11, 12, 40}),
    ('1-1', {1}),
    ('4094', {4094}),
    ('none', set()),
    ('NONE', set()),
])
def test_lists_the_cli_takes(text, ids):
    assert vlans.parse(text) == ids


def test_all_is_not_the_list_1_to_4094():
    assert vlans.parse('all') is vlans.ALL
    assert vlans.parse('1-4094') == vlans.IDS
    assert vlans.format(vlans.ALL) == 'all'


@pytest.mark.parametrize('text, message', [
    ('0', 'VLAN ids run 1-4094'),
    ('4095', 'VLAN ids run 1-4094'),
    ('20-10', 'first id is above the last'),
    ('10,,11', 'not a VLAN id'),
    ('ten', 'not a VLAN id'),
    ('-5', 'not a VLAN id'),
    ('', 'empty'),
])
def test_lists_the_cli_refuses(text, message):
    with pytest.raises(vlans.BadVlanList, match=message):
        vlans.parse(text)


def test_printed_as_maximal_ranges():
    assert vlans.format({40, 10, 11, 12, 14}) == '10-12,14,40'
    assert vlans.format(set()) == 'none'


def test_running_config_wraps_a_long_list_onto_add_lines_of_80_columns():
    wanted = frozenset(range(100, 1300, 2))
    lines = vlans.allowed_lines(wanted)
    assert lines[0].startswith('switchport trunk allowed vlan 100,102,')
    assert all(line.startswith('switchport trunk allowed vlan add ') for line in lines[1:])
    assert max(len('  ' + line) for line in lines) <= 80
    assert allowed_from_config('\n'.join(lines)) == wanted


def test_running_config_of_all_and_none():
    assert vlans.allowed_lines(vlans.ALL) == []
    assert vlans.allowed_lines(frozenset()) == ['switchport trunk allowed vlan none']


@given(st.frozensets(st.integers(1, 4094), min_size=1))
def test_what_is_printed_reads_back(ids):
    assert vlans.parse(vlans.format(ids)) == ids
    assert allowed_from_config('\n'.join(vlans.allowed_lines(ids))) == ids
