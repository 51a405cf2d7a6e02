"""oslo.messaging transports on any ConfigOpts, not only the global one.

oslo.messaging registers its metrics and tracing options on ``cfg.CONF``
only, yet reads them from whatever ConfigOpts the transport was built on;
and a notifier's exchange (``control_exchange``) must be set before its
transport is made.  So every option is registered up front on the one
given (as oslo.messaging's own ConfFixture does, without needing the
``fixtures`` package).
"""

import importlib

import oslo_messaging
from oslo_config import cfg
from oslo_messaging import opts as messaging_opts

NOVA_EXCHANGE = 'nova'

_GLOBAL_ONLY_OPTS = (
    ('oslo_messaging._metrics.client', 'oslo_messaging_metrics'),
    ('oslo_messaging._tracing.client', 'oslo_messaging_tracing'),
)


def register_opts(conf):
    for group, opts in messaging_opts.list_opts():
        conf.register_opts(opts, group=group)
    for module, name in _GLOBAL_ONLY_OPTS:
        opts = getattr(importlib.import_module(module), name)
        conf.register_opts(opts, group=name)


_IN_PROCESS = {}


def _transport(factory, conf, url):
    """A transport from ``factory``; one per process for the ``fake`` driver.

    The fake driver (psvm-lab without a broker) keeps its queues inside the
    transport object, so the listener, the API and psvm-manage in one
    process reach each other only through the same one.
    """
    register_opts(conf)
    url = url or conf.transport_url
    if not in_process(conf, url):
        return factory(conf, url=url)
    key = (factory, url)
    if key not in _IN_PROCESS:
        _IN_PROCESS[key] = factory(conf, url=url)
    return _IN_PROCESS[key]


def release(transport):
    """Clean up a transport, unless it is the process's shared in-process one:
    the fake driver's cleanup empties every in-process queue at once."""
    if transport not in _IN_PROCESS.values():
        transport.cleanup()


def rpc_transport(conf, url=None):
    return _transport(oslo_messaging.get_rpc_transport, conf, url)


def notification_transport(conf, url=None):
    return _transport(oslo_messaging.get_notification_transport, conf, url)


def in_process(conf, url=None):
    """Whether ``url`` (default: transport_url) is the in-process fake driver."""
    return (url or conf.transport_url or '').startswith('fake:')


def durable_notification_transport(conf, url=None):
    """A notification transport whose consumers declare durable exchanges and
    queues (``amqp_durable_queues``), on a private copy of ``conf``: the RPC
    transport keeps the operator's setting, as its exchange is shared."""
    register_opts(conf)
    private = cfg.ConfigOpts()
    register_opts(private)
    private([], project='psvm', default_config_files=[], default_config_dirs=[])
    for group, opts in messaging_opts.list_opts():
        section = conf if group is None else conf[group]
        for opt in opts:
            private.set_override(opt.dest, section[opt.dest], group)
    private.set_override('transport_url', url or conf.transport_url)
    private.set_override('amqp_durable_queues', True, 'oslo_messaging_rabbit')
    return oslo_messaging.get_notification_transport(private, url=url or conf.transport_url)
