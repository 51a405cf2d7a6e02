import pytest
from hypothesis import given
from hypothesis import strategies as st

from psvm_listener import vlans

vlan_sets = st.frozensets(st.integers(min_value=1, max_value=4094), max_size=600)


@given(vlan_sets)
def test_format_then_parse_gives_back_the_set(vlan_set):
    assert vlans.parse(vlans.format(vlan_set)) == vlan_set


@given(vlan_sets, st.integers(min_value=1, max_value=64),
       st.integers(min_value=9, max_value=400))
def test_chunks_cover_exactly_the_set_within_limits(vlan_set, items, chars):
    parts = vlans.chunks(vlan_set, max_items=items, max_chars=chars)
    covered = [vlans.parse(part) for part in parts]
    assert frozenset().union(*covered) == vlan_set
    assert sum(len(c) for c in covered) == len(vlan_set)
    assert all(len(part.split(',')) <= items for part in parts)
    assert all(len(part) <= chars for part in parts)


@given(vlan_sets)
def test_allowed_lines_read_back_as_the_set(vlan_set):
    lines = vlans.allowed_lines(vlan_set)
    assert all(len(line) <= 80 for line in lines)
    assert vlans.allowed_from_config('\n'.join(lines)) == vlan_set


def test_format_compresses_ranges():
    assert vlans.format({1, 10, 11, 12, 40}) == '1,10-12,40'
    assert vlans.format(set()) == 'none'
    assert vlans.format(vlans.ALL) == 'all'


@pytest.mark.parametrize('text, expected', [
    ('1,10-12,40', {1, 10, 11, 12, 40}),
    (' 5 ', {5}),
    ('none', set()),
    ('', set()),
    ('4094', {4094}),
])
def test_parse(text, expected):
    assert vlans.parse(text) == expected


def test_parse_all_is_not_a_set():
    assert vlans.parse('all') is vlans.ALL


@pytest.mark.parametrize('text', ['0', '4095', '10-5', 'abc', '1,,2', '1-2-3', '-4'])
def test_parse_rejects_bad_lists(text):
    with pytest.raises(vlans.InvalidVlanList):
        vlans.parse(text)


def test_no_allowed_line_means_all():
    config = 'interface Ethernet1/19\n  switchport mode trunk\n'
    assert vlans.allowed_from_config(config) is vlans.ALL


def test_continuation_lines_are_all_read():
    config = '\n'.join([
        'interface Ethernet101/1/7',
        '  switchport mode trunk',
        '  switchport trunk allowed vlan 1,10-20,300',
        '  switchport trunk allowed vlan add 597,600-610',
        '  switchport trunk allowed vlan add 700',
    ])
    expected = {1, 300, 597, 700} | set(range(10, 21)) | set(range(600, 611))
    assert vlans.allowed_from_config(config) == expected


def test_allowed_none_line():
    config = '  switchport trunk allowed vlan none\n'
    assert vlans.allowed_from_config(config) == set()


def test_all_is_a_singleton_that_survives_pickling():
    import pickle
    assert pickle.loads(pickle.dumps(vlans.ALL)) is vlans.ALL
