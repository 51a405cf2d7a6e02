"""One psvm-listener service among several (tooz on a private Redis) while its
coordination backend goes away and comes back."""

from psvm_listener.lab.scenario import wait_until
from tests import coordination_backends as backends
from tests import listener_rig

EVENT = 'compute.instance.create.end'


def test_cut_from_the_backend_a_member_marks_but_syncs_nothing_then_recovers(
        tmp_path, lab_switch):
    with backends.private(tmp_path, 'redis') as server, listener_rig.ListenerRig(
            tmp_path, lab_switch, psvm_sync_interval=3600, host='member-1', **{
                'coordination.backend_url': server.url,
                'coordination.group': backends.unique_group(),
                'coordination.heartbeat_interval': 0.2}) as rig:
        rig.host('c1', 'ethernet1/1', vlans=(120,))
        rig.start()
        assert lab_switch.allowed('ethernet1/1') == {1, 120}
        metrics, member = rig.service.metrics, rig.service.coordination
        registry = metrics.registry
        assert registry.get_sample_value('psvm_coordination_members') == 1
        assert registry.get_sample_value('psvm_switches_owned', {'member': 'member-1'}) == 1
        assert registry.get_sample_value('psvm_switch_lock_wait_seconds_count') >= 1
        server.freeze()
        wait_until(member.fenced, backends.LEASE, 'fenced without heartbeats')
        rig.publisher().create(rig.boot('c1', 121), 'c1')
        refused = metrics.failures.labels(str(rig.switch_id))
        wait_until(lambda: metrics.handled.labels(EVENT)._value.get() == 1
                   and refused._value.get() >= 1, 30, 'consumed and marked, sync refused')
        assert lab_switch.allowed('ethernet1/1') == {1, 120}, 'no sync while fenced'
        server.thaw()
        lab_switch.wait_for(lambda: lab_switch.allowed('ethernet1/1') == {1, 120, 121}, 30)
