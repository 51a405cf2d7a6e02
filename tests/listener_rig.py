"""A running psvm-listener service over the lab: real RabbitMQ, DBs and switch.

Each rig has its own exchange, pool and RPC topic, so tests (and test runs)
never see each other's messages.
"""

from psvm_listener import rpc
from psvm_listener import service
from psvm_listener import transport
from psvm_listener.lab import publisher
from tests import messaging
from tests import sync_rig

# oslo.messaging's RabbitMQ listeners wait for messages in slices of
# heartbeat_timeout_threshold / heartbeat_rate / 2 seconds (10 by default,
# capped at 5), and a server's stop waits out the current slice: at 60 per
# 60 s a service stops in about a second, its heartbeats unchanged.
HEARTBEAT_RATE = 60


def write_config(path, rig, exchange, default_lines='', pool=None):
    """psvm.conf for a psvm-listener process over ``rig``'s databases, with its
    own exchange, pool and RPC topic; ``default_lines`` go under [DEFAULT]."""
    config = path / 'psvm.conf'
    config.write_text(
        f'[DEFAULT]\npsvm = True\ntransport_url = {messaging.RABBIT}\n'
        f'log_file = {path}/listener.log\n{default_lines}'
        f'[database]\nconnection = {rig.conf.database.connection}\n'
        f'[nova]\nconnection = {rig.nova_url}\n'
        f'[credentials]\nkey_file = {rig.key_file}\n'
        f'[listener]\nexchange = {exchange}\nmetrics_port = 0\n'
        f'pool = {pool or messaging.pool()}\n'
        f'rpc_topic = {messaging.unique("psvm-listener")}\n'
        f'[oslo_messaging_rabbit]\nheartbeat_rate = {HEARTBEAT_RATE}\n')
    return config


class ListenerRig(sync_rig.Rig):
    """sync_rig.Rig plus a psvm-listener service and nova-like publishers."""

    def __init__(self, tmp_path, switch, **overrides):
        self.exchange = messaging.unique('nova')
        self.rpc_topic = messaging.unique('psvm-listener')
        self.pool = messaging.pool()
        super().__init__(tmp_path, switch, **{
            'psvm': True,
            'listener.exchange': self.exchange,
            'listener.pool': self.pool,
            'listener.rpc_topic': self.rpc_topic,
            'listener.metrics_port': 0,
            'listener.retry_base': 0.05,
            'listener.shutdown_timeout': 5.0,
            **overrides})
        transport.register_opts(self.conf)
        self.conf.set_override('transport_url', messaging.RABBIT)
        self.conf.set_override('heartbeat_rate', HEARTBEAT_RATE, 'oslo_messaging_rabbit')
        self.service = service.Service(self.conf)
        self._transports = []

    def start(self):
        """Start the service and wait for its start-up full sync."""
        self.service.start()
        assert self.service.reconciler.wait_idle(30)
        return self

    def publisher(self, driver='messaging', versioned=False):
        notify = messaging.notification_transport(exchange=self.exchange)
        self._transports.append(notify)
        return publisher.NovaPublisher(notify, driver=driver, versioned=versioned)

    def resync_client(self):
        rpc_transport = messaging.rpc_transport()
        self._transports.append(rpc_transport)
        return rpc.ResyncClient(rpc_transport, topic=self.rpc_topic)

    def close(self):
        self.service.stop()
        for used in self._transports:
            used.cleanup()
        messaging.delete_pool(self.service.notification_pool())
        super().close()
