import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus_sim import interfaces as ports
from nexus_sim import model
from nexus_sim.vlans import ALL


def state(limits=None):
    return model.SwitchState(model.expand_ports('1/1-4'), limits or model.Limits())


def test_switch_ports_cover_ethernet_fex_and_port_channels():
    names = model.switch_ports('1/1-48', fex=(101, 102), port_channels=(20,))
    assert len(names) == 48 + 96 + 1
    assert names[0] == 'ethernet1/1'
    assert 'ethernet102/1/48' in names
    assert names[-1] == 'port-channel20'


@pytest.mark.parametrize('spec, expected', [
    ('1/1-3', ['ethernet1/1', 'ethernet1/2', 'ethernet1/3']),
    ('Eth101/1/7,po20', ['ethernet101/1/7', 'port-channel20']),
    ('ethernet1/5', ['ethernet1/5']),
])
def test_expand_ports_reads_nxos_ranges(spec, expected):
    assert model.expand_ports(spec) == expected


@pytest.mark.parametrize('spec', ['1/3-1', 'bogus', 'x1/1'])
def test_expand_ports_rejects_nonsense(spec):
    with pytest.raises(ports.InvalidPortName):
        model.expand_ports(spec)


def test_a_new_switch_allows_all_vlans_and_knows_vlan_1():
    switch = state()
    assert switch.allowed('e1/1') is ALL
    assert switch.vlans() == {1}
    assert switch.lif_usage() == 4


def test_add_and_remove_follow_nxos():
    switch = state()
    switch.apply([model.Change('add', 'ethernet1/1', frozenset({10}))])
    assert switch.allowed('ethernet1/1') is ALL
    switch.apply([model.Change('remove', 'ethernet1/1', frozenset({10}))])
    assert switch.allowed('ethernet1/1') == frozenset(range(1, 4095)) - {10}
    switch.apply([model.Change('set', 'ethernet1/1', frozenset())])
    switch.apply([model.Change('add', 'ethernet1/1', frozenset({20, 21}))])
    assert switch.allowed('ethernet1/1') == {20, 21}


def test_lif_usage_counts_only_existing_vlans():
    switch = state()
    switch.apply([model.Change('vlan-create', None, frozenset({10, 11}))])
    switch.apply([model.Change('set', 'ethernet1/1', frozenset({10, 12}))])
    assert switch.lif_usage() == 3 * 3 + 1


def test_a_failing_change_leaves_nothing_behind():
    switch = state()
    with pytest.raises(model.EditRejected, match='no such port'):
        switch.apply([model.Change('vlan-create', None, frozenset({10})),
                      model.Change('set', 'ethernet1/1', frozenset({10})),
                      model.Change('set', 'ethernet9/9', frozenset({10}))])
    assert switch.vlans() == {1}
    assert switch.allowed('ethernet1/1') is ALL
    assert switch.journal() == []


def test_an_edit_crossing_the_lif_limit_is_refused_whole():
    switch = state(model.Limits(lif_limit=10))
    switch.apply([model.Change('set', p, frozenset({10, 11, 12})) for p in switch.ports()])
    with pytest.raises(model.EditRejected, match='logical interface limit'):
        switch.apply([model.Change('vlan-create', None, frozenset({10, 11, 12}))])
    assert switch.vlans() == {1}
    switch.apply([model.Change('vlan-create', None, frozenset({10, 11}))])
    assert switch.lif_usage() == 8


def test_an_edit_that_lowers_usage_passes_even_above_the_limit():
    switch = state(model.Limits(lif_limit=2))
    switch.apply([model.Change('vlan-create', None, frozenset({10}))], check_lif=False)
    assert switch.lif_usage() == 8
    switch.apply([model.Change('set', 'ethernet1/1', frozenset({10}))])
    assert switch.lif_usage() == 7


@pytest.mark.parametrize('change', [
    model.Change('vlan-create', None, frozenset({3968})),
    model.Change('vlan-delete', None, frozenset({4094})),
    model.Change('add', 'ethernet1/1', frozenset({4000})),
])
def test_reserved_vlans_are_refused(change):
    with pytest.raises(model.EditRejected, match='reserved'):
        state().apply([change])


def test_vlan_1_cannot_be_deleted():
    with pytest.raises(model.EditRejected, match='default VLAN'):
        state().apply([model.Change('vlan-delete', None, frozenset({1}))])


@pytest.mark.parametrize('text, message', [
    (','.join(str(v) for v in range(2, 70, 2)), 'items'),
    ('1000-1010,' * 24 + '2000', 'characters'),
    ('10,5000', 'Invalid VLAN list'),
    ('ten', 'Invalid VLAN list'),
])
def test_parse_list_enforces_list_limits(text, message):
    limits = model.Limits(max_list_items=32, max_list_chars=200)
    with pytest.raises(model.EditRejected, match=message):
        model.parse_list(text, limits)


def test_reboot_returns_to_the_saved_configuration():
    switch = state()
    switch.apply([model.Change('set', 'ethernet1/1', frozenset({10}))])
    switch.save()
    switch.apply([model.Change('set', 'ethernet1/1', frozenset({20}))])
    switch.reboot()
    assert switch.allowed('ethernet1/1') == {10}
    assert [entry['op'] for entry in switch.journal()] == ['set', 'copy', 'set', 'reboot']


def test_journal_records_port_op_vlans_and_time():
    switch = state()
    switch.apply([model.Change('add', 'ethernet1/2', frozenset({10}))], source='operator')
    (entry,) = switch.journal()
    assert entry['port'] == 'ethernet1/2'
    assert entry['op'] == 'add'
    assert entry['vlans'] == {10}
    assert entry['source'] == 'operator'
    assert entry['time'] > 0


def test_journal_since_gives_only_newer_entries():
    switch = state()
    for vlan in (10, 11, 12):
        switch.apply([model.Change('add', 'ethernet1/1', frozenset({vlan}))])
    assert [e['vlans'] for e in switch.journal(since=1)] == [{11}, {12}]
    assert switch.journal(since=3) == []


_changes = st.lists(st.one_of(
    st.builds(model.Change, st.sampled_from(['add', 'remove', 'set']),
              st.sampled_from(['ethernet1/1', 'ethernet1/2', 'ethernet1/3']),
              st.one_of(st.just(ALL), st.frozensets(st.integers(1, 40), max_size=10))),
    st.builds(model.Change, st.sampled_from(['vlan-create', 'vlan-delete']), st.none(),
              st.frozensets(st.integers(2, 40), max_size=10))), max_size=12)


@given(st.lists(_changes, max_size=6))
def test_lif_usage_kept_up_to_date_equals_a_full_count(edits):
    switch = state(model.Limits(lif_limit=100))
    for changes in edits:
        try:
            switch.apply(changes)
        except model.EditRejected:
            pass
        assert switch.lif_usage() == model.lif_usage(switch.allowed_map(), switch.vlans())
        assert switch.lif_usage() <= 100


def test_a_suspended_or_shut_vlan_carries_no_traffic_and_costs_no_lif():
    switch = state()
    switch.apply([model.Change('vlan-create', None, frozenset({10, 11, 12})),
                  model.Change('set', 'ethernet1/1', frozenset({10, 11, 12}))])
    assert switch.lif_usage() == 3 * 4 + 3
    switch.apply([model.Change('vlan-suspend', None, frozenset({10})),
                  model.Change('vlan-shutdown', None, frozenset({11}))])
    assert switch.allowed('ethernet1/1') == {10, 11, 12}
    assert switch.passing('ethernet1/1') == {12}
    assert switch.passing('ethernet1/2') == {1, 12}
    assert switch.lif_usage() == 2 * 3 + 1
    switch.apply([model.Change('vlan-activate', None, frozenset({10})),
                  model.Change('vlan-no-shutdown', None, frozenset({11}))])
    assert switch.passing('ethernet1/1') == {10, 11, 12}
    assert switch.lif_usage() == 3 * 4 + 3


def test_vlan_settings_create_the_vlan_and_outlive_a_create_but_not_a_delete():
    switch = state()
    switch.apply([model.Change('vlan-suspend', None, frozenset({20}))])
    assert switch.vlans() == {1, 20} and switch.suspended() == {20}
    switch.apply([model.Change('vlan-create', None, frozenset({20}))])
    assert switch.suspended() == {20}
    switch.apply([model.Change('vlan-delete', None, frozenset({20})),
                  model.Change('vlan-create', None, frozenset({20}))])
    assert switch.suspended() == frozenset() and switch.carrying() == {1, 20}


def test_vlan_1_cannot_be_suspended_or_shut():
    switch = state()
    for op in ('vlan-suspend', 'vlan-shutdown'):
        with pytest.raises(model.EditRejected, match='default VLAN'):
            switch.apply([model.Change(op, None, frozenset({1}))])
    assert switch.carrying() == {1}
    with pytest.raises(model.EditRejected, match='not active or suspend'):
        model.vlan_state_change('dormant', frozenset({5}))
