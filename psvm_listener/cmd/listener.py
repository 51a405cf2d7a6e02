"""psvm-listener: keep switch ports in step with nova, driven by its events."""

import signal
import sys
import threading

from oslo_log import log as logging

from psvm_listener import conf
from psvm_listener import errors
from psvm_listener import logs
from psvm_listener import memory
from psvm_listener import reports
from psvm_listener import service

LOG = logging.getLogger(__name__)


MALLOC_ARENAS = 2


def main(argv=None):
    memory.limit_arenas(MALLOC_ARENAS)
    memory.space_collections()
    logs.register_options(conf.CONF)
    reports.register_opts(conf.CONF)
    stop = threading.Event()
    try:
        conf.load(sys.argv[1:] if argv is None else argv,
                  description=__doc__.splitlines()[0])
        logging.setup(conf.CONF, 'psvm-listener')
        listener = service.Service(conf.CONF)
        logs.log_options(conf.CONF, LOG)
    except (conf.ConfigError, errors.PsvmError, OSError) as exc:
        print(f'psvm-listener: error: {exc}', file=sys.stderr)
        return 1
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    reports.setup(conf.CONF, 'psvm-listener', listener.report_sections())
    try:
        listener.start()
    except (conf.ConfigError, errors.PsvmError, OSError) as exc:
        LOG.error('psvm-listener could not start: %s', exc)
        listener.stop()
        return 1
    stop.wait()
    LOG.info('psvm-listener stopping')
    listener.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
