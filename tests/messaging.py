"""oslo.messaging transports for tests, each on its own private ConfigOpts."""

import uuid

import kombu
from oslo_config import cfg

from psvm_listener import broker
from psvm_listener import transport

RABBIT = 'rabbit://guest:guest@127.0.0.1:5672/'
AMQP = 'amqp://guest:guest@127.0.0.1:5672//'


def config():
    conf = cfg.ConfigOpts()
    transport.register_opts(conf)
    conf([])
    return conf


def rpc_transport(url=RABBIT):
    return transport.rpc_transport(config(), url=url)


def notification_transport(url=RABBIT, exchange='nova', durable=False):
    """Transport whose notifiers publish to ``exchange``, as nova's do (with
    ``amqp_durable_queues`` as ``durable`` says)."""
    conf = config()
    conf.set_override('control_exchange', exchange)
    conf.set_override('amqp_durable_queues', durable, group='oslo_messaging_rabbit')
    return transport.notification_transport(conf, url=url)


def unique(prefix):
    """A name no other test (or test run) uses: exchanges, topics, pools."""
    return f'{prefix}-{uuid.uuid4().hex[:10]}'


def publish_raw(exchange, text, routing_key='notifications.info'):
    """Put ``text`` on the wire as a JSON message body, whatever it holds."""
    with kombu.Connection(AMQP) as conn:
        conn.Producer().publish(
            text, exchange=kombu.Exchange(exchange, type='topic', durable=False),
            routing_key=routing_key, content_type='application/json',
            content_encoding='utf-8')


# Pools made by this test session (names of durable queues on the shared
# broker); the session deletes them at its end (conftest).
_POOLS = set()


def pool():
    """A pool name of its own, deleted from the broker when the session ends."""
    return remember_pool(unique('psvm-listener'))


def remember_pool(name):
    """Delete pool ``name`` from the broker when the session ends."""
    _POOLS.add(name)
    return name


def delete_pool(name, url=RABBIT):
    """Remove a listener's durable pool queue and exchange from the broker."""
    broker.delete_pool(config_for(url), name)


def delete_pools():
    while _POOLS:
        delete_pool(_POOLS.pop())


def config_for(url):
    conf = config()
    conf.set_override('transport_url', url)
    return conf
