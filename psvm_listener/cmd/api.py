"""psvm-api: serve the REST API over PSVM's switches, credentials and bindings."""

import signal
import sys

from oslo_log import log as logging

from psvm_listener import conf
from psvm_listener import errors
from psvm_listener.api import server

LOG = logging.getLogger(__name__)


def main(argv=None):
    logging.register_options(conf.CONF)
    try:
        conf.load(sys.argv[1:] if argv is None else argv)
        logging.setup(conf.CONF, 'psvm-api')
        http = server.make_server(conf.CONF, server.application(conf.CONF))
    except (conf.ConfigError, errors.PsvmError, OSError) as exc:
        print(f'psvm-api: error: {exc}', file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _exit_on_signal)
    LOG.info('psvm-api serving on %s:%s (auth %s)', conf.CONF.api.bind_host,
             server.bound_port(http), conf.CONF.api.auth_strategy)
    try:
        http.serve()
    except (KeyboardInterrupt, SystemExit):
        LOG.info('psvm-api stopping')
    finally:
        http.stop()
    return 0


def _exit_on_signal(signum, frame):
    """Unwind serve() in the main thread; stopping the server from inside a
    signal handler would wait on the very loop it interrupted."""
    raise SystemExit(0)


if __name__ == '__main__':
    sys.exit(main())
