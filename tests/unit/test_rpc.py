import threading

import pytest

from psvm_listener import rpc
from tests import messaging as messaging_fixtures


class RecordingReconciler:
    def __init__(self):
        self.marks = []
        self.done = threading.Event()

    def _record(self, *mark):
        self.marks.append(mark)
        self.done.set()

    def mark_hosts(self, hosts, reason):
        self._record('hosts', tuple(hosts), reason)

    def mark_switch(self, switch_id, reason):
        self._record('switch', switch_id, reason)

    def mark_all(self, reason):
        self._record('all', reason)


@pytest.fixture
def transport():
    transport = messaging_fixtures.rpc_transport('fake:/')
    yield transport
    transport.cleanup()


@pytest.mark.parametrize('kwargs, expected', [
    ({'host': 'c1'}, ('hosts', ('c1',), 'rpc')),
    ({'switch_id': 7}, ('switch', 7, 'rpc')),
    ({}, ('all', 'rpc')),
    ({'host': 'c1', 'full': True}, ('all', 'rpc')),
])
def test_cast_reaches_the_reconciler(transport, kwargs, expected):
    reconciler = RecordingReconciler()
    server = rpc.get_server(transport, reconciler, topic='t-rpc')
    server.start()
    try:
        rpc.ResyncClient(transport, topic='t-rpc').resync(**kwargs)
        assert reconciler.done.wait(10)
    finally:
        server.stop()
        server.wait()
    assert reconciler.marks == [expected]


def test_fanned_out_cast_reaches_every_member(transport):
    """Several listeners, one per host: each gets the cast and marks what it owns."""
    members = [RecordingReconciler() for _ in range(2)]
    servers = [rpc.get_server(transport, rec, topic='t-fan', server=f'host-{i}')
               for i, rec in enumerate(members)]
    for server in servers:
        server.start()
    try:
        rpc.ResyncClient(transport, topic='t-fan', fanout=True).resync(switch_id=3)
        assert all(rec.done.wait(10) for rec in members)
        assert [rec.marks for rec in members] == [[('switch', 3, 'rpc')]] * 2
    finally:
        for server in servers:
            server.stop()
            server.wait()
