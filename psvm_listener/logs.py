"""Logging of the psvm services: oslo.log, quieter libraries, the options in force.

A service logs every option value once at start (secrets masked by
oslo.config), so a support request's log says what the process ran with.
Libraries that log each SSH login, NETCONF RPC or AMQP channel at INFO
(paramiko, ncclient, kombu) are raised to WARNING: at INFO the log says
what psvm-listener did, not how its libraries did it; ``[DEFAULT]
default_log_levels`` in psvm.conf brings them back.
"""

import logging as std_logging

from oslo_log import log as logging

QUIETER_LIBRARIES = (
    'paramiko=WARN',
    'ncclient=WARN',
    'kombu=WARN',
    'amqp=WARN',
    'cheroot=WARN',
    'alembic=WARN',
    'oslo_policy=WARN',
    'tooz=WARN',
)


def register_options(conf):
    logging.register_options(conf)
    logging.set_defaults(default_log_levels=_quieter(logging.get_default_log_levels()))


def _quieter(levels):
    names = {entry.split('=', 1)[0] for entry in QUIETER_LIBRARIES}
    return [entry for entry in levels if entry.split('=', 1)[0] not in names] + list(
        QUIETER_LIBRARIES)


def log_options(conf, log):
    """Every option value once, at INFO; call once the service has registered
    every option it reads (oslo.messaging's register when a transport is
    made)."""
    conf.log_opt_values(log, std_logging.INFO)
