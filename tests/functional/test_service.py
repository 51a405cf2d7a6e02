"""The service as a whole keeps going through bad input."""

import json

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
