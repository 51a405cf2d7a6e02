"""One log line per request (method, path, status, time), never a body.

It also makes the request's oslo.context current on the serving thread,
so this line and every other one logged while serving carry the request
id that oslo.middleware's RequestId gave the request (and returned in
``x-openstack-request-id``).
"""

import time

from oslo_context import context
from oslo_log import log as logging
from oslo_middleware import request_id

LOG = logging.getLogger(__name__)
MAX_PATH = 200


class RequestLog:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        context.RequestContext(request_id=environ.get(request_id.ENV_REQUEST_ID))
        started = time.monotonic()
        statuses = []

        def remember_status(status, headers, exc_info=None):
            statuses.append(status.split(' ', 1)[0])
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, remember_status)
        finally:
            LOG.info('%s "%s %s" status: %s time: %.3f', environ.get('REMOTE_ADDR', '-'),
                     _printable(environ.get('REQUEST_METHOD', '')), _path(environ),
                     statuses[0] if statuses else '-', time.monotonic() - started)


def _path(environ):
    path = environ.get('PATH_INFO', '')
    if environ.get('QUERY_STRING'):
        path += '?' + environ['QUERY_STRING']
    return _printable(path[:MAX_PATH])


def _printable(text):
    """No control character from a caller reaches the log as such."""
    return text.encode('unicode_escape').decode('ascii')
