"""psvm-api: serve the REST API over PSVM's switches, credentials and bindings."""

import signal
import sys
import threading

from oslo_log import log as logging

from psvm_listener import conf
from psvm_listener import errors
from psvm_listener import logs
from psvm_listener import reports
from psvm_listener.api import server

LOG = logging.getLogger(__name__)


def main(argv=None):
    logs.register_options(conf.CONF)
    reports.register_opts(conf.CONF)
    try:
        conf.load(sys.argv[1:] if argv is None else argv,
                  description=__doc__.splitlines()[0])
        logging.setup(conf.CONF, 'psvm-api')
        http = server.make_server(conf.CONF, server.application(conf.CONF))
        logs.log_options(conf.CONF, LOG)
    except (conf.ConfigError, errors.PsvmError, OSError) as exc:
        print(f'psvm-api: error: {exc}', file=sys.stderr)
        return 1
    reports.setup(conf.CONF, 'psvm-api')
    LOG.info('psvm-api serving on %s:%s (auth %s)', conf.CONF.api.bind_host,
             server.bound_port(http), conf.CONF.api.auth_strategy)
    serve_until_signalled(http)
    return 0


def serve_until_signalled(http):
    """Serve on a thread; SIGTERM or SIGINT stops the server from the main one.

    An exception raised by a signal handler inside cheroot's serve loop can
    land between two steps of its thread-pool bookkeeping and leave a worker
    that stop() then waits on forever; a plain event avoids that.
    """
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())

    def serve():
        try:
            http.serve()
        finally:
            stopping.set()

    serving = threading.Thread(target=serve, name='psvm-api-http')
    serving.start()
    stopping.wait()
    LOG.info('psvm-api stopping')
    http.stop()
    serving.join()


if __name__ == '__main__':
    sys.exit(main())
