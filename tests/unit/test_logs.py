"""At INFO a psvm service logs what it did, not each SSH login and NETCONF RPC
of its libraries ([DEFAULT] default_log_levels brings them back)."""

import logging as std_logging

import pytest
from oslo_config import cfg
from oslo_log import log as logging

from psvm_listener import logs


@pytest.fixture
def setup_logging():
    def setup(*args):
        conf = cfg.ConfigOpts()
        logs.register_options(conf)
        conf(list(args), default_config_files=[], default_config_dirs=[])
        logging.setup(conf, 'psvm-test')
    yield setup
    for name in ('ncclient', 'paramiko', 'kombu', 'oslo_messaging'):
        std_logging.getLogger(name).setLevel(std_logging.NOTSET)


@pytest.mark.parametrize('library', ['ncclient.transport.ssh', 'ncclient.operations.rpc',
                                     'paramiko.transport', 'kombu.connection'])
def test_libraries_that_log_every_session_are_quiet_at_info(setup_logging, library):
    setup_logging()
    assert not std_logging.getLogger(library).isEnabledFor(std_logging.INFO)
    assert std_logging.getLogger(library).isEnabledFor(std_logging.WARNING)
    assert std_logging.getLogger('psvm_listener.reconciler').isEnabledFor(std_logging.INFO)


def test_oslo_messaging_reconnects_stay_visible(setup_logging):
    setup_logging()
    assert std_logging.getLogger('oslo_messaging').isEnabledFor(std_logging.INFO)

