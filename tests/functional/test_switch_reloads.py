"""Reloads caught at once and saves at a bounded rate, through the running service."""

import time

from nexus_sim import vlans as sim_vlans
from tests import listener_rig
from tests import sync_rig

DOWN_FOR = 2.0


def narrowed(switch, ports, vlan_sets):
    return all(switch.allowed(port) == vlan_set
               for port, vlan_set in zip(ports, vlan_sets, strict=True))


def test_a_rebooted_switch_is_fully_resynced_within_2_s_of_its_return(tmp_path, lab_switch):
    rig = listener_rig.ListenerRig(tmp_path, lab_switch)
    try:
        rig.host('c1', 'ethernet1/1', vlans=(100,))
        rig.host('c2', 'ethernet101/1/2', vlans=(200, 201))
        rig.start()
        ports, wanted = ['ethernet1/1', 'ethernet101/1/2'], [{1, 100}, {1, 200, 201}]
        assert narrowed(lab_switch, ports, wanted)
        lab_switch.reboot(down_for=DOWN_FOR)
        back_at = time.monotonic() + DOWN_FOR
        assert lab_switch.allowed('ethernet1/1') is sim_vlans.ALL
        lab_switch.wait_for(lambda: narrowed(lab_switch, ports, wanted), timeout=15)
        assert time.monotonic() - back_at <= 2.0
        reloads = rig.service.metrics.reloads.labels(str(rig.switch_id))
        lab_switch.wait_for(lambda: reloads._value.get() == 1, timeout=5)
    finally:
        rig.close()


def test_a_reload_shown_by_a_read_alone_makes_the_sync_full(tmp_path, lab_switch):
    with sync_rig.Rig(tmp_path, lab_switch) as rig:
        rig.host('c1', 'ethernet1/1', vlans=(100,))
        rig.host('c2', 'ethernet1/2', vlans=(101,))
        assert not rig.sync().reloaded
        rig.plugin.close()
        lab_switch.reboot(down_for=DOWN_FOR)
        lab_switch.wait_for(lambda: not lab_switch.faults.down(), timeout=10)
        result = rig.sync(['ethernet1/1'])
        assert result.reloaded and result.ports == ('ethernet1/1', 'ethernet1/2')
        assert lab_switch.allowed('ethernet1/2') == {1, 101}
        assert rig.database.get_switch(rig.switch_id)['last_sync_result'] == (
            'ok: changed 2 of 2 ports after a reload')
        assert not rig.sync(['ethernet1/1']).reloaded


def test_with_save_config_a_burst_of_100_changes_causes_one_save(tmp_path, lab_switch):
    rig = listener_rig.ListenerRig(tmp_path, lab_switch, **{
        'switches.save_config': True, 'switches.save_delay': 5.0})
    try:
        hosts = [f'c{index}' for index in range(10)]
        for index, host in enumerate(hosts):
            rig.host(host, f'ethernet1/{index + 1}')
        rig.start()
        lab_switch.wait_for(lambda: [e['op'] for e in lab_switch.journal()].count('copy') == 1,
                            timeout=15)
        journal_start = len(lab_switch.journal())
        nova = rig.publisher()
        for index in range(100):
            host = hosts[index % 10]
            nova.create(rig.boot(host, 100 + index), host)
        wanted = [{1} | {100 + v for v in range(100) if v % 10 == n} for n in range(10)]
        ports = [f'ethernet1/{n + 1}' for n in range(10)]
        lab_switch.wait_for(lambda: narrowed(lab_switch, ports, wanted), timeout=15)
        assert rig.database.get_switch(rig.switch_id)['unsaved_since'] is not None
        lab_switch.wait_for(lambda: 'copy' in [e['op'] for e in lab_switch.journal(
            journal_start)], timeout=15)
        unsaved = rig.service.metrics.unsaved.labels(str(rig.switch_id))
        lab_switch.wait_for(lambda: unsaved._value.get() == 0, timeout=5)
        assert rig.service.reconciler.wait_idle(5)
        ops = [e['op'] for e in lab_switch.journal(journal_start)]
        assert ops.count('copy') == 1 and ops[-1] == 'copy'
        assert rig.database.get_switch(rig.switch_id)['unsaved_since'] is None
    finally:
        rig.close()
