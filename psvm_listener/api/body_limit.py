"""Every request body over ``[api] max_request_body_size`` is a 413 with a
JSON fault, whether it came with a Content-Length or chunked.

cheroot's own limit answers plain text to the first and fails the second
with a 500 (an OSError out of the body read), so it is off and this reads
at most one byte past the limit instead; a chunked body that is not
chunked as HTTP says is a 400.
"""

import webob.dec

from psvm_listener.api import faults


class BodyLimit:
    def __init__(self, app, limit):
        self.app = app
        self.limit = limit

    @webob.dec.wsgify
    def __call__(self, request):
        length = request.content_length
        if length is not None and length > self.limit:
            return self._too_large()
        if length is None and request.environ.get('HTTP_TRANSFER_ENCODING'):
            body_file = request.body_file_raw
            if hasattr(body_file, 'maxlen'):
                # cheroot's chunked reader then refuses a chunk that would
                # cross the limit before reading it (one may claim 2**80 bytes)
                body_file.maxlen = self.limit
            try:
                body = body_file.read(self.limit + 1)
            except ValueError as exc:  # cheroot: a chunk size that is not hex
                return _closing(400, f'the chunked body is malformed: {str(exc)[:100]}')
            except OSError:  # cheroot: "Request Entity Too Large"
                return self._too_large()
            if len(body) > self.limit:
                return self._too_large()
            request.body = body
        return request.get_response(self.app)

    def _too_large(self):
        return _closing(413, f'the request body is over {self.limit} bytes')


def _closing(status, message):
    """The rest of the body is left unread, so the connection closes."""
    return faults.response(status, message, {'Connection': 'close'})
