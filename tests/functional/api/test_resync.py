"""A change through psvm-api reaches a listener's resync endpoint over RabbitMQ."""

import threading

import pytest
import webob

from psvm_listener import rpc
from psvm_listener import transport as psvm_transport
from psvm_listener.api import server
from tests import messaging
from tests.functional.api import serving


class MarkedSwitches:
    """The reconciler side of rpc.ResyncEndpoint: which switches were marked."""

    def __init__(self):
        self.switch_ids = []
        self.marked = threading.Condition()

    def mark_switch(self, switch_id, reason):
        with self.marked:
            self.switch_ids.append((switch_id, reason))
            self.marked.notify_all()

    def mark_hosts(self, hosts, reason):
        raise AssertionError(f'psvm-api resyncs switches, not hosts {hosts}')

    def mark_all(self, reason):
        raise AssertionError('psvm-api never asks for a full sync')

    def wait_for(self, count, timeout=30):
        with self.marked:
            self.marked.wait_for(lambda: len(self.switch_ids) >= count, timeout)
            return list(self.switch_ids)


@pytest.fixture
def transport():
    transport = messaging.rpc_transport()
    yield transport
    transport.cleanup()


@pytest.fixture
def resync_listener(transport):
    """A listener's resync RPC server on its own topic: (topic, what it marked)."""
    topic = messaging.unique('psvm-api-resync')
    marks = MarkedSwitches()
    listener = rpc.get_server(transport, marks, topic=topic,
                              server=messaging.unique('listener'))
    listener.start()
    yield topic, marks
    listener.stop()
    listener.wait()


def test_switch_and_binding_changes_cast_resyncs_to_the_listener(tmp_path, transport,
                                                                  resync_listener):
    topic, marks = resync_listener
    options = serving.config(tmp_path, auth_strategy='noauth')
    client = rpc.ResyncClient(transport, topic=topic)
    with serving.running(options, f'sqlite:///{tmp_path}/psvm.sqlite', tmp_path,
                         resync_client=client) as api:
        cred = api.call('POST', '/v2/os-psvmcred', json={
            'psvmcred': {'user_name': 'admin', 'password': 'secret'}}).json()
        switch = api.call('POST', '/v2/os-psvm', json={'psvm': {
            'ip': '192.0.2.9', 'switch_cred_id': cred['psvmcred']['id']}}).json()
        switch_id = switch['psvm']['id']
        assert marks.wait_for(1) == [(switch_id, 'rpc')]
        api.call('POST', '/v2/os-psvmpbind', json={'psvmpbind': {
            'switch_id': switch_id, 'compute_node_id': 3, 'switch_port': 'e1/3'}})
        assert marks.wait_for(2) == [(switch_id, 'rpc')] * 2


def test_psvm_api_casts_on_the_configured_rpc_topic(tmp_path, resync_listener):
    topic, marks = resync_listener
    options = serving.config(tmp_path, auth_strategy='noauth')
    psvm_transport.register_opts(options)
    options.set_override('transport_url', messaging.RABBIT)
    options.set_override('rpc_topic', topic, 'listener')
    database = serving.fresh_database(f'sqlite:///{tmp_path}/psvm.sqlite', tmp_path)
    try:
        api = server.application(options, database=database)
        cred = database.create_credential(user_name='admin', password='secret')
        created = webob.Request.blank('/v2/os-psvm', method='POST', json={'psvm': {
            'ip': '192.0.2.9', 'switch_cred_id': cred['id']}}).get_response(api)
        assert created.status_code == 200, created.text
        assert marks.wait_for(1) == [(created.json['psvm']['id'], 'rpc')]
    finally:
        database.close()


def test_a_broker_that_is_down_does_not_fail_the_change(tmp_path):
    """The change is stored and answered; the listener's timer catches up."""
    dead = messaging.rpc_transport('rabbit://guest:guest@127.0.0.1:9/')
    options = serving.config(tmp_path, auth_strategy='noauth')
    with serving.running(options, f'sqlite:///{tmp_path}/psvm.sqlite', tmp_path,
                         resync_client=rpc.ResyncClient(dead)) as api:
        cred = api.call('POST', '/v2/os-psvmcred', json={
            'psvmcred': {'user_name': 'admin', 'password': 'secret'}}).json()
        created = api.call('POST', '/v2/os-psvm', json={'psvm': {
            'ip': '192.0.2.9', 'switch_cred_id': cred['psvmcred']['id']}})
        assert created.status_code == 200
        assert [s['ip'] for s in api.database.list_switches()] == ['192.0.2.9']
