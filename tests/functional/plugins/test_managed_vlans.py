"""VLANs outside the managed range stay as the operator set them, whatever the sync."""

from nexus_sim import vlans as sim_vlans
from tests import sync_rig

STORAGE = 3000


def test_a_vlan_outside_the_managed_range_survives_every_kind_of_sync(tmp_path, lab_switch,
                                                                      family):
    with sync_rig.Rig(tmp_path, lab_switch, family=family,
                      psvm_managed_vlans='100-2999') as rig:
        rig.host('compute-1', 'ethernet1/1', vlans=(100, STORAGE + 1))
        rig.host('compute-2', 'ethernet1/2', vlans=(101,))
        rig.sync()
        narrowed = lab_switch.allowed('ethernet1/1')
        assert {1, 100, 50, STORAGE} <= narrowed and 101 not in narrowed
        assert STORAGE + 1 in narrowed     # kept from ALL, never added by nova's word
        lab_switch.set_allowed('ethernet1/2', {1, 101, 102, STORAGE})
        rig.sync(['ethernet1/2'])
        assert lab_switch.allowed('ethernet1/2') == {1, 101, STORAGE}
        rig.nova.delete_network(rig.network(101))
        rig.sync(force=True)
        rig.sync()
        assert lab_switch.allowed('ethernet1/2') == {1, STORAGE}
        assert STORAGE + 1 not in lab_switch.allowed('ethernet1/2')


def test_a_switch_overrides_the_managed_range_and_ignored_vlans_stay_ignored(
        tmp_path, lab_switch, family):
    with sync_rig.Rig(tmp_path, lab_switch, family=family, psvm_ignore_vlans=[1, 5]) as rig:
        rig.database.update_switch(rig.switch_id, managed_vlans='100-199')
        rig.host('compute-1', 'ethernet1/3', vlans=(150, 500))
        lab_switch.set_allowed('ethernet1/3', {5, 160, 600})
        rig.sync()
        assert lab_switch.allowed('ethernet1/3') == {5, 150, 600}
        rig.database.update_switch(rig.switch_id, managed_vlans='')
        rig.sync()
        assert lab_switch.allowed('ethernet1/3') == {5, 150, 500}
        assert lab_switch.allowed('ethernet1/4') is sim_vlans.ALL
