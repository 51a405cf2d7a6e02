"""The service as a whole keeps going through bad input."""

import json
import os

from nexus_sim import vlans as sim_vlans
from tests import listener_rig
from tests import messaging


def test_malformed_messages_do_not_stop_the_service(tmp_path, lab_switch, caplog):
    with listener_rig.ListenerRig(tmp_path, lab_switch) as rig:
        rig.host('c1', 'ethernet1/1')
        rig.start()
        for text in ('{not json', json.dumps([1, 2]), json.dumps({'priority': 'INFO'}),
                     json.dumps({'priority': 'INFO', 'event_type': 'instance.create.end',
                                 'publisher_id': 'nova-compute:c1',
                                 'payload': {'nova_object.data': 'broken'},
                                 '_context_auth_token': 'token-never-logged'})):
            messaging.publish_raw(rig.exchange, text)
        rig.publisher().create(rig.boot('c1', 160), 'c1')
        rig.switch.wait_for(lambda: rig.switch.allowed('ethernet1/1') == {1, 160})
        dropped = rig.service.metrics.dropped.labels('instance.create.end', 'malformed')
        rig.switch.wait_for(lambda: dropped._value.get() == 1)
    assert 'token-never-logged' not in caplog.text


def test_starts_while_nova_is_unreadable_and_syncs_once_it_is_back(tmp_path, lab_switch):
    """No timer helps here (one sync an hour): the start-up sync is retried
    and the notification taken meanwhile is requeued, not acknowledged."""
    with listener_rig.ListenerRig(tmp_path, lab_switch, psvm_sync_interval=3600,
                                  **{'listener.bindings_wait': 0.1}) as rig:
        rig.host('c1', 'ethernet1/1', vlans=(120,))
        rig.host('c2', 'ethernet1/2')
        instance = rig.boot('c2', 130)
        nova_file = rig.nova_url[len('sqlite:///'):]
        os.rename(nova_file, nova_file + '.away')
        rig.service.start()
        rig.publisher().create(instance, 'c2')
        metrics = rig.service.metrics
        event = 'compute.instance.create.end'
        lab_switch.wait_for(lambda: metrics.requeued.labels(event)._value.get() >= 1, 30)
        assert lab_switch.allowed('ethernet1/1') is sim_vlans.ALL
        os.rename(nova_file + '.away', nova_file)
        lab_switch.wait_for(lambda: lab_switch.allowed('ethernet1/1') == {1, 120}, 30)
        lab_switch.wait_for(lambda: lab_switch.allowed('ethernet1/2') == {1, 130}, 30)
        lab_switch.wait_for(lambda: metrics.handled.labels(event)._value.get() == 1, 30)


def test_stop_syncs_the_ports_marked_before_it(tmp_path, lab_switch):
    with listener_rig.ListenerRig(tmp_path, lab_switch,
                                  **{'listener.shutdown_timeout': 15.0}) as rig:
        for index in range(1, 11):
            rig.host(f'c{index}', f'ethernet1/{index}')
        rig.start()
        lab_switch.faults.latency = 1.5
        nova = rig.publisher()
        for index in range(1, 11):
            nova.create(rig.boot(f'c{index}', 200 + index), f'c{index}')
        handled = rig.service.metrics.handled.labels('compute.instance.create.end')
        lab_switch.wait_for(lambda: handled._value.get() == 10, 30)
        rig.service.stop()
        assert {index: lab_switch.allowed(f'ethernet1/{index}') for index in range(1, 11)} == {
            index: {1, 200 + index} for index in range(1, 11)}
