"""A pool queue that survives a RabbitMQ restart, and a full sync after each one.

oslo.messaging's kombu driver declares a consumer's exchange and queue with
one flag (``amqp_durable_queues``): a durable queue needs a durable
exchange.  nova, on oslo.messaging's defaults, declares its exchange
``nova`` non-durable, and an exchange cannot be redeclared with other
arguments (a durable ``nova`` would make nova's own publishers fail).  So
psvm-listener consumes from an exchange of its own (``<pool>.exchange``),
durable, with its durable pool queue; and an exchange-to-exchange binding
carries the notification topics of ``nova`` into it.  A broker restart
keeps psvm's exchange, the queue, their bindings and the persistent
messages waiting in it (oslo.messaging publishes persistent messages).

What a restart does lose is the binding from a non-durable ``nova``
(bindings die with their exchange), and so what nova publishes between the
broker's return and psvm's new binding: the broker routes it to nova's own
default queue (``notifications.info``), never to psvm's.  No AMQP client can
close that window on an exchange it does not own; ``BindingKeeper`` keeps it
short and covers it.  It holds its own connection to the broker and, while
the broker is away, tries again every ``RECONNECT_CAP`` seconds at most
(nova's publishers wait up to 30 s between tries, so psvm is nearly always
bound first); every time it connects again it declares the binding again,
then asks for a full sync, which repairs whatever was published unbound (a
sync reads nova's database, not the lost messages).  With
``amqp_durable_queues = True`` in nova.conf and psvm.conf alike (as
deployments with quorum queues set), ``nova`` and the binding survive the
restart and nothing is lost at all.
"""

import threading

import kombu
import oslo_messaging
from oslo_log import log as logging

from psvm_listener import workqueue

LOG = logging.getLogger(__name__)

POLL = 1.0
# Seconds between tries to reach a broker that is away, at most: the window
# in which nova publishes into an unbound ``nova`` is as long as this.
RECONNECT_BASE = 0.1
RECONNECT_CAP = 0.5


def own_exchange(pool):
    """The name of psvm-listener's durable exchange, after its pool (never
    nova's exchange, even where the pool is named like it, as psvm-lab's is)."""
    return f'{pool}.exchange'


def _poll_interval(heartbeat_timeout, heartbeat_rate):
    """Seconds between two looks at the connection (heartbeats, a stop): as
    often as oslo.messaging's own consumers wake (a heartbeat timeout over
    twice its rate), at most every POLL seconds."""
    if heartbeat_timeout <= 0:
        return POLL
    return min(POLL, heartbeat_timeout / heartbeat_rate / 2)


def kombu_url(conf, url):
    """The kombu URL (failover hosts joined by ``;``) of an oslo.messaging URL."""
    parsed = oslo_messaging.TransportURL.parse(conf, url or conf.transport_url)
    vhost = parsed.virtual_host or ''
    return ';'.join(
        f'amqp://{host.username or "guest"}:{host.password or "guest"}@'
        f'{host.hostname}:{host.port or 5672}/{vhost}' for host in parsed.hosts)


def delete_pool(conf, pool):
    """Delete ``pool``'s durable queue and exchange from the broker: a pool
    used once (psvm-lab's, a member removed for good) would outlive even
    broker restarts, filling with every notification nova sends."""
    with kombu.Connection(kombu_url(conf, conf.transport_url),
                          ssl=conf.oslo_messaging_rabbit.ssl) as connection:
        channel = connection.channel()
        channel.queue_delete(pool)
        channel.exchange_delete(own_exchange(pool))


class BindingKeeper:
    """Keeps ``nova``'s notification topics bound into psvm's own exchange.

    ``on_reconnect()`` runs after every connection but the first (the
    start-up full sync covers the first).
    """

    def __init__(self, conf, exchange, pool, topics, on_reconnect):
        self.url = kombu_url(conf, conf.transport_url)
        self.ssl = conf.oslo_messaging_rabbit.ssl
        self.heartbeat = conf.oslo_messaging_rabbit.heartbeat_timeout_threshold
        self.poll = _poll_interval(self.heartbeat, conf.oslo_messaging_rabbit.heartbeat_rate)
        # The source exchange is declared (if nova has not yet) the way nova
        # declares it: services sharing an exchange share amqp_durable_queues.
        self.source = kombu.Exchange(exchange, type='topic',
                                     durable=conf.oslo_messaging_rabbit.amqp_durable_queues)
        self.destination = kombu.Exchange(own_exchange(pool), type='topic', durable=True)
        self.keys = [f'{topic}.*' for topic in topics]
        self.on_reconnect = on_reconnect
        probe = kombu.Connection(self.url)
        self._lost = probe.connection_errors + probe.channel_errors + (OSError,)
        self.backoff = workqueue.Backoff(RECONNECT_BASE, RECONNECT_CAP)
        self.connections = 0
        self._bound = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name='broker bindings', daemon=True)

    def start(self, timeout):
        """Start; wait up to ``timeout`` s for the first binding (a broker that
        is down does not stop the listener: oslo.messaging waits for it too)."""
        self._thread.start()
        if not self._bound.wait(timeout):
            LOG.warning('RabbitMQ does not answer yet; binding %s to %s when it does',
                        self.source.name, self.destination.name)

    def stop(self):
        self._stop.set()
        self._thread.join(10)

    def _run(self):
        while not self._stop.is_set():
            try:
                with kombu.Connection(self.url, ssl=self.ssl, heartbeat=self.heartbeat,
                                      connect_timeout=10) as connection:
                    connection.connect()
                    self._bind(connection)
                    self.backoff.succeeded()
                    self._connected()
                    self._watch(connection)
            except self._lost as exc:
                if self._stop.is_set():
                    return
                delay = self.backoff.failed()
                # Once per outage at WARNING: the tries come twice a second.
                log = LOG.warning if self.backoff.failures == 1 else LOG.debug
                log('Connection to RabbitMQ for the notification bindings lost '
                    '(%s: %s); trying again every %.1f s at most', type(exc).__name__, exc,
                    RECONNECT_CAP)
                self._stop.wait(delay)

    def _bind(self, connection):
        channel = connection.default_channel
        try:
            self.source.bind(channel).declare(passive=True)
        except connection.channel_errors:
            # Absent (a broker that restarted before nova published again):
            # declared as nova would; the passive check closed the channel.
            channel = connection.channel()
            self.source.bind(channel).declare()
        destination = self.destination.bind(channel)
        destination.declare()
        for key in self.keys:
            destination.bind_to(self.source, routing_key=key)
        self._bound.set()

    def _connected(self):
        self.connections += 1
        if self.connections == 1:
            LOG.info('Notifications of %s bound into %s', self.source.name,
                     self.destination.name)
            return
        LOG.warning('Reconnected to RabbitMQ (%d); full sync, as notifications may '
                    'have been lost while it was away', self.connections - 1)
        try:
            self.on_reconnect()
        except Exception:
            LOG.exception('Full sync after a reconnect to RabbitMQ failed; the timers '
                          'will sync')

    def _watch(self, connection):
        """Wait until the connection breaks (or stop), answering heartbeats."""
        while not self._stop.is_set():
            try:
                connection.drain_events(timeout=self.poll)
            except TimeoutError:
                connection.heartbeat_check()
