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


def delete_pool(pool, url=AMQP):
    """Remove a listener's durable pool queue and exchange (psvm_listener.broker)
    from the shared broker: durable ones would outlive even its restarts."""
    with kombu.Connection(url) as conn:
        channel = conn.channel()
        channel.queue_delete(pool)
        channel.exchange_delete(broker.own_exchange(pool))
