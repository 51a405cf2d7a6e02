"""The guards measured against the switch's own facts, over each family's
driver (NETCONF over SSH, NX-API over HTTPS) and real databases."""

import pytest

from nexus_sim import LabSwitch
from psvm_listener import inventory
from psvm_listener import plan
from psvm_listener import plugins
from psvm_listener.db import api
from tests import databases
from tests import sync_rig

# The rig's plugin and fresh_plugin's stand for two processes, each with its
# own session on the switch: one process here, so two session slots.
TWO_PROCESSES = {'switches.max_sessions': 2}


def fresh_plugin(rig):
    """A plugin as a process that never synced this switch builds it."""
    database = api.Database(rig.conf.database.connection, str(rig.key_file))
    nova = inventory.Inventory(rig.nova_url)
    return plugins.load(rig.conf, database, nova), (database, nova)


@pytest.mark.parametrize('kind', databases.KINDS)
def test_removal_guard_gives_the_same_verdict_in_a_fresh_and_a_warm_process(
        tmp_path, lab_switch, family, kind):
    with databases.fresh_database(kind, tmp_path) as psvm_url, \
            sync_rig.Rig(tmp_path, lab_switch, psvm_url=psvm_url, family=family,
                         **TWO_PROCESSES) as rig:
        rig.host('compute-1', 'ethernet1/1')
        small = [rig.boot('compute-1', vlan) for vlan in (10, 11, 12, 13)]
        rig.host('compute-2', 'ethernet1/2', vlans=range(100, 120))
        rig.host('compute-3', 'ethernet1/3', vlans=range(100, 120))
        rig.sync()
        for instance in small[:3]:
            rig.nova.delete(instance)
        fresh, closing = fresh_plugin(rig)
        try:
            verdicts = [p.sync(rig.switch_id, ['ethernet1/1'], dry_run=True).refusals
                        for p in (fresh, rig.plugin)]
            assert verdicts == [(), ()]
            result = fresh.sync(rig.switch_id, ['ethernet1/1'])
            assert result.refusals == () and lab_switch.allowed('ethernet1/1') == {1, 13}
            for vlan in range(100, 120):
                rig.nova.delete_network(rig.network(vlan))
            verdicts = [p.sync(rig.switch_id, ['ethernet1/2', 'ethernet1/3'],
                               dry_run=True).refusals for p in (fresh, rig.plugin)]
            assert verdicts[0] == verdicts[1]
            assert [r.message for r in verdicts[0]] == [
                "would remove 40 of the switch's 44 allowed VLANs, more than "
                "psvm_max_removal_ratio 0.5; removals held back (force the sync to apply "
                "them)"]
        finally:
            fresh.close()
            for part in closing:
                part.close()


def lif_switch(lif_limit):
    """Four trunk ports allowing ALL on a switch with VLANs 1-50: 200 LIFs."""
    switch = LabSwitch(ports='1/1-4', lif_limit=lif_limit, name='lif', nxapi_https_port=0)
    switch.create_vlans(range(2, 51))
    return switch


def test_narrowing_all_ports_goes_before_a_vlan_creation_that_would_cross_the_limit(
        tmp_path, family):
    with lif_switch(202) as switch, sync_rig.Rig(tmp_path, switch, family=family) as rig:
        for n in range(1, 5):
            rig.host(f'compute-{n}', f'ethernet1/{n}', vlans=(2, 100))
        assert switch.lif_usage() == 200
        result = rig.sync()
        assert result.refusals == ()
        assert all(switch.allowed(f'ethernet1/{n}') == {1, 2, 100} for n in range(1, 5))
        assert 100 in switch.vlans() and switch.lif_usage() == 12
        ops = [entry['op'] for entry in switch.journal()]
        assert ops.index('vlan-create', 1) > max(i for i, op in enumerate(ops) if op == 'set')


def test_a_vlan_creation_that_ports_allowing_all_would_push_past_the_limit_is_never_sent(
        tmp_path, family):
    with lif_switch(153) as switch, \
            sync_rig.Rig(tmp_path, switch, family=family, **TWO_PROCESSES) as rig:
        rig.host('compute-1', 'ethernet1/1', vlans=(10,))
        rig.sync()
        assert switch.lif_usage() == 152
        edits = switch.rpc_counts()[family.edits]
        rig.boot('compute-1', 100)
        fresh, closing = fresh_plugin(rig)
        try:
            result = fresh.sync(rig.switch_id, ['ethernet1/1'])
        finally:
            fresh.close()
            for part in closing:
                part.close()
        assert [r.guard for r in result.refusals] == [plan.LIF_LIMIT]
        assert result.refusals[0].message.startswith(
            'adding 1 port VLANs and creating VLAN(s) 100 while 3 trunk ports allow ALL '
            'would bring the switch to 156 logical interfaces, past its limit of 153')
        assert switch.rpc_counts()[family.edits] == edits
        assert 100 not in switch.vlans() and switch.allowed('ethernet1/1') == {1, 10}
        assert rig.database.get_switch(rig.switch_id)['last_sync_result'].startswith(
            'refused: ')
