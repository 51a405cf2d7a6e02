"""Resync over RPC: psvm-manage and the REST API ask the listener to look again.

A resync is a cast, never a call: the caller only wants the ports marked
dirty, and the listener's reconciler does the work in its own time.  A
caller therefore never waits on a switch, and a listener that is down simply
finds the message in its queue when it starts (and runs its start-up full
sync anyway).

Among several listeners each server is named after its ``[DEFAULT] host``
and casts are fanned out to every member: each marks the switches it owns,
so a cast reaches the owner whoever that is at the moment (a fanout queue
lives only while its member runs; a member that starts runs a full sync of
its switches anyway).
"""

import oslo_messaging as messaging

TOPIC = 'psvm-listener'
VERSION = '1.0'


class ResyncEndpoint:
    """Server side: turns ``resync`` casts into marks on the reconciler.

    ``reconciler`` needs ``mark_hosts(hosts)``, ``mark_switch(switch_id)``
    and ``mark_all()``.
    """

    target = messaging.Target(version=VERSION)

    def __init__(self, reconciler):
        self.reconciler = reconciler

    def resync(self, ctxt, host=None, switch_id=None, full=False):
        if full or (host is None and switch_id is None):
            self.reconciler.mark_all(reason='rpc')
            return
        if host is not None:
            self.reconciler.mark_hosts([host], reason='rpc')
        if switch_id is not None:
            self.reconciler.mark_switch(switch_id, reason='rpc')


class ResyncClient:
    """Client side: ``ResyncClient(transport).resync(host=..., ...)``.

    ``retry``: connection attempts before a cast fails with
    MessageDeliveryFailure (None: keep trying, oslo.messaging's default).
    ``fanout``: to every listener on the topic (several, coordinated)
    rather than to one.
    """

    def __init__(self, transport, topic=TOPIC, retry=None, fanout=False):
        target = messaging.Target(topic=topic, version=VERSION, fanout=fanout)
        self._client = messaging.get_rpc_client(transport, target, retry=retry)

    def resync(self, host=None, switch_id=None, full=False):
        """Ask every listener to resync ``host``, ``switch_id`` or everything.

        With no argument at all, or ``full=True``, every port of every switch
        is resynced.  Returns once the cast is handed to the broker.
        """
        self._client.cast({}, 'resync', host=host, switch_id=switch_id,
                          full=full)


def client(conf, transport, retry=None):
    """The ResyncClient ``conf`` calls for: ``[listener] rpc_topic``, fanned
    out when ``[coordination] backend_url`` makes several listeners."""
    return ResyncClient(transport, topic=conf.listener.rpc_topic, retry=retry,
                        fanout=bool(conf.coordination.backend_url))


def get_server(transport, reconciler, topic=TOPIC, server='psvm-listener'):
    """RPC server on ``topic`` named ``server`` (``[DEFAULT] host``), with
    the threading executor (no eventlet)."""
    target = messaging.Target(topic=topic, server=server)
    return messaging.get_rpc_server(transport, target,
                                    [ResyncEndpoint(reconciler)],
                                    executor='threading')
