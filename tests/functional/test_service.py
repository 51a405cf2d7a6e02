"""The service as a whole keeps going through bad input."""

import json
import os

from psvm_listener import vlans
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
    with listener_rig.ListenerRig(tmp_path, lab_switch, psvm_sync_interval=1,
                                  psvm_sync_jitter=0.0) as rig:
        rig.host('c1', 'ethernet1/1', vlans=(120,))
        nova_file = rig.nova_url[len('sqlite:///'):]
        os.rename(nova_file, nova_file + '.away')
        rig.service.start()
        assert lab_switch.allowed('ethernet1/1') is vlans.ALL
        os.rename(nova_file + '.away', nova_file)
        lab_switch.wait_for(lambda: lab_switch.allowed('ethernet1/1') == {1, 120}, 30)
