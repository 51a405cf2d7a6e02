"""The intelligent sync end to end: nova DB → plugin → driver → lab switch, for each
family: NETCONF over real SSH and NX-API over real HTTPS."""

import logging

import pytest

from nexus_sim import LabSwitch
from nexus_sim import vlans as sim_vlans
from psvm_listener import plan
from psvm_listener.drivers import base as driver_base
from psvm_listener.inventory import NovaUnavailable
from tests import databases
from tests import sync_rig


@pytest.mark.parametrize('kind', databases.KINDS)
def test_initial_install_narrows_every_bound_port_from_all(tmp_path, lab_switch, family,
                                                           kind):
    with databases.fresh_database(kind, tmp_path) as nova_url, \
            sync_rig.Rig(tmp_path, lab_switch, nova_url=nova_url, family=family) as rig:
        rig.host('compute-1', 'Ethernet1/19', vlans=(100, 101, 105))
        rig.host('compute-2', 'eth101/1/7', vlans=(100, 300))
        rig.host('compute-3', 'po20', vlans=(200,))
        result = rig.sync()
        assert lab_switch.allowed('ethernet1/19') == {1, 100, 101, 105}
        assert lab_switch.allowed('ethernet101/1/7') == {1, 100, 300}
        assert lab_switch.allowed('port-channel20') == {1, 200}
        assert lab_switch.allowed('ethernet1/20') is sim_vlans.ALL
        assert {100, 101, 105, 200, 300} <= lab_switch.vlans()
        assert result.rpcs == 2 and lab_switch.rpc_counts() == {
            family.reads: 1, family.edits: 1}
        assert [c.port for c in result.changes] == [
            'ethernet1/19', 'ethernet101/1/7', 'port-channel20']
        assert rig.database.get_switch(rig.switch_id)['last_sync_result'] == (
            'ok: changed 3 of 3 ports')


def test_one_cloud_mixes_switch_families_each_on_its_own_driver(tmp_path, lab_switch):
    nine = LabSwitch(ports='1/1-4', nxapi_https_port=0, name='n9k').start()
    try:
        with sync_rig.Rig(tmp_path, lab_switch) as rig:
            nine_id = rig.add_switch(nine, family=sync_rig.NXAPI)
            rig.database.update_switch(nine_id, driver='cisco_nexus_nxapi')
            rig.host('compute-1', 'ethernet1/1', vlans=(100,))
            rig.host('compute-2', 'ethernet1/1', vlans=(200,), switch_id=nine_id)
            rig.sync()
            rig.plugin.sync(nine_id)
            assert lab_switch.allowed('ethernet1/1') == {1, 100}
            assert nine.allowed('ethernet1/1') == {1, 200}
            assert lab_switch.rpc_counts() == {'exec-command': 1, 'edit-config': 1}
            assert nine.rpc_counts() == {'cli_show_ascii': 1, 'cli_conf': 1}
            rig.database.update_switch(nine_id, driver=None, port=nine.address[1],
                                       host_key=nine.fingerprint)
            nine.set_allowed('ethernet1/1', {1, 200, 300})
            rig.plugin.sync(nine_id)
            assert nine.allowed('ethernet1/1') == {1, 200}
            assert nine.rpc_counts()['edit-config'] == 1
    finally:
        nine.stop()


def test_sync_in_step_is_one_read_and_changes_nothing(rig):
    rig.host('compute-1', 'ethernet1/1', vlans=(100,))
    rig.sync()
    before = len(rig.switch.journal())
    result = rig.sync()
    assert result.changes == () and result.rpcs == 1 and result.drift == 0
    assert len(rig.switch.journal()) == before


def test_drift_both_ways_is_repaired_with_an_audit_line(rig, caplog):
    rig.host('compute-1', 'ethernet1/5', vlans=(100, 101))
    rig.sync()
    rig.switch.set_allowed('ethernet1/5', {1, 100, 666})
    caplog.set_level(logging.INFO, logger='psvm_listener.audit')
    caplog.clear()
    result = rig.sync()
    assert [r.getMessage() for r in caplog.records if r.name == 'psvm_listener.audit'] == [
        f'port sync switch={rig.switch_id} port=ethernet1/5 add=101 remove=666 replace=- '
        f'dry_run=False']
    assert rig.switch.allowed('ethernet1/5') == {1, 100, 101}
    assert result.changes == (plan.PortChange('ethernet1/5', add=frozenset({101}),
                                              remove=frozenset({666})),)
    assert result.drift == 1


def test_ignored_vlans_are_kept_and_never_added(tmp_path, lab_switch, family):
    with sync_rig.Rig(tmp_path, lab_switch, family=family, psvm_ignore_vlans=[1, 999]) as rig:
        rig.host('compute-1', 'ethernet1/6', vlans=(100,))
        rig.host('compute-2', 'ethernet1/7', vlans=(100,))
        lab_switch.set_allowed('ethernet1/6', {1, 999, 500})
        lab_switch.set_allowed('ethernet1/7', {500})
        rig.sync(force=True)
        assert lab_switch.allowed('ethernet1/6') == {1, 999, 100}
        assert lab_switch.allowed('ethernet1/7') == {100}


# A switch that takes 8 items per VLAN list (NX-OS: 64), and psvm told so:
# lists of 24 VLANs are three commands each and wrap over continuation
# lines, without the nova networks that 64-item lists would need.
LIST_ITEMS = 8


def test_continuation_lines_are_read_and_long_lists_chunked(tmp_path, family):
    with LabSwitch(users={'admin': 'secret'}, ports='1/1-8', nxapi_https_port=0,
                   max_list_items=LIST_ITEMS) as switch, \
            sync_rig.Rig(tmp_path, switch, family=family,
                         **{'switches.max_list_items': LIST_ITEMS}) as rig:
        wanted = set(range(100, 100 + 6 * LIST_ITEMS, 2))
        rig.host('compute-1', 'ethernet1/8', vlans=sorted(wanted))
        rig.sync()
        assert switch.allowed('ethernet1/8') == wanted | {1}
        extra = set(range(401, 401 + 6 * LIST_ITEMS, 2))
        switch.create_vlans(extra)
        switch.set_allowed('ethernet1/8', wanted | extra | {1})
        result = rig.sync(force=True)
        assert switch.allowed('ethernet1/8') == wanted | {1}
        assert result.changes[0].remove == extra and result.rpcs == 2
        assert switch.concurrent_edits() == []


def test_targeted_sync_touches_only_the_ports_asked_for(rig):
    rig.host('compute-1', 'ethernet1/9', vlans=(100,))
    rig.host('compute-2', 'ethernet1/10', vlans=(101,))
    result = rig.sync(['e1/9'])
    assert [c.port for c in result.changes] == ['ethernet1/9']
    assert rig.switch.allowed('ethernet1/10') is sim_vlans.ALL


def test_lif_limit_refuses_additions_and_reports_usage(rig):
    rig.host('compute-1', 'ethernet1/11', vlans=(100,))
    usage = rig.sync().lif_usage
    rig.conf.set_override('psvm_lif_limit', usage + 5)
    for vlan in range(101, 110):
        rig.boot('compute-1', vlan)
    result = rig.sync()
    assert rig.switch.allowed('ethernet1/11') == {1, 100}
    assert [r.guard for r in result.refusals] == [plan.LIF_LIMIT]
    assert f'past its limit of {usage + 5}' in result.refusals[0].message
    record = rig.database.get_switch(rig.switch_id)
    assert record['lif_usage'] == result.lif_usage == rig.switch.lif_usage()
    assert 'refused: adding 9 port VLANs' in record['last_sync_result']


def test_removal_guard_refuses_mass_removal_unless_forced(rig):
    rig.host('compute-1', 'ethernet1/12', vlans=(100, 101, 102, 103, 104))
    rig.sync()
    for vlan in (101, 102, 103, 104):
        rig.nova.delete_network(rig.network(vlan))
    refused = rig.sync(['ethernet1/12'])
    assert [r.guard for r in refused.refusals] == [plan.REMOVAL_RATIO]
    assert refused.refusals[0].message.startswith(
        "would remove 4 of the switch's 6 allowed VLANs, more than psvm_max_removal_ratio 0.5")
    assert rig.switch.allowed('ethernet1/12') == {1, 100, 101, 102, 103, 104}
    forced = rig.sync(['ethernet1/12'], force=True)
    assert forced.refusals == ()
    assert rig.switch.allowed('ethernet1/12') == {1, 100}


def test_dry_run_returns_the_plan_and_changes_nothing(rig):
    rig.host('compute-1', 'ethernet1/14', vlans=(100,))
    result = rig.sync(dry_run=True)
    assert result.changes == (plan.PortChange('ethernet1/14', replace=frozenset({1, 100})),)
    assert rig.switch.allowed('ethernet1/14') is sim_vlans.ALL
    assert rig.family.edits not in rig.switch.rpc_counts()
    assert rig.database.get_switch(rig.switch_id)['last_sync_result'] is None


def test_nova_db_down_removes_nothing(tmp_path, lab_switch, family):
    with sync_rig.Rig(tmp_path, lab_switch, family=family) as rig:
        rig.host('compute-1', 'ethernet1/15', vlans=(100,))
        rig.sync()
        lab_switch.set_allowed('ethernet1/15', {1, 100, 555})
        rig.plugin.inventory = rig.inventory.__class__(
            'mysql+pymysql://root@127.0.0.1:1/nova')
        with pytest.raises(NovaUnavailable, match='cannot read the nova database'):
            rig.sync()
        assert lab_switch.allowed('ethernet1/15') == {1, 100, 555}
        assert lab_switch.rpc_counts()[family.edits] == 1
        assert rig.database.get_switch(rig.switch_id)['last_sync_result'].startswith(
            'failed: NovaUnavailable')


def test_session_dropped_mid_sync_is_reopened_and_converges(rig):
    rig.host('compute-1', 'ethernet1/16', vlans=(100,))
    rig.sync()
    rig.boot('compute-1', 101)
    rig.switch.faults.drop_after(1)
    result = rig.sync()
    assert rig.switch.allowed('ethernet1/16') == {1, 100, 101}
    assert result.rpcs == 3
    assert rig.switch.rpc_counts()[rig.family.edits] == 3


def test_rejected_edit_is_a_permanent_error_and_recorded(rig):
    rig.host('compute-1', 'ethernet1/17', vlans=(100,))
    rig.switch.faults.fail_next_edits(1)
    with pytest.raises(driver_base.Rejected, match='injected fault'):
        rig.sync()
    assert rig.switch.allowed('ethernet1/17') is sim_vlans.ALL
    assert 'failed: Rejected' in rig.database.get_switch(rig.switch_id)['last_sync_result']
    rig.sync()
    assert rig.switch.allowed('ethernet1/17') == {1, 100}


def test_a_switch_without_bindings_is_not_contacted(rig):
    result = rig.sync()
    assert result.rpcs == 0 and rig.switch.rpc_counts() == {}


def test_a_save_makes_the_sync_survive_a_reboot_and_clears_unsaved_changes(rig):
    rig.host('compute-1', 'ethernet1/18', vlans=(100,))
    assert rig.sync().unsaved
    assert rig.database.get_switch(rig.switch_id)['unsaved_since'] is not None
    rig.plugin.save(rig.switch_id)
    assert rig.database.get_switch(rig.switch_id)['unsaved_since'] is None
    assert not rig.sync().unsaved
    rig.switch.reboot()
    assert rig.switch.allowed('ethernet1/18') == {1, 100}
    assert [e['op'] for e in rig.switch.journal()][-2:] == ['copy', 'reboot']


def test_without_save_config_a_reboot_loses_the_sync(rig):
    rig.host('compute-1', 'ethernet1/18', vlans=(100,))
    rig.sync()
    rig.switch.reboot()
    assert rig.switch.allowed('ethernet1/18') is sim_vlans.ALL
    assert rig.sync().changes and rig.switch.allowed('ethernet1/18') == {1, 100}


def test_a_binding_to_a_port_the_switch_lacks_does_not_stop_the_others(rig):
    rig.host('compute-1', 'ethernet1/21', vlans=(100,))
    rig.host('compute-2', 'ethernet1/99', vlans=(101,))
    result = rig.sync()
    assert rig.switch.allowed('ethernet1/21') == {1, 100}
    assert [c.port for c in result.changes] == ['ethernet1/21']
    [refusal] = result.refusals
    assert refusal.guard == plan.UNREADABLE_PORT
    assert refusal.message.startswith('port ethernet1/99 left alone: ')
    assert 'no such port' in refusal.message
