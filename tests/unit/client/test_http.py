import pytest
import requests

from psvm_listener.client import http


def response(status, body):
    made = requests.Response()
    made.status_code = status
    made._content = body
    made.reason = 'Reason'
    return made


@pytest.mark.parametrize('body, message', [
    (b'{"itemNotFound": {"code": 404, "message": "no switch with id 9"}}',
     'no switch with id 9'),
    (b'{"error": {"code": 401, "title": "Unauthorized", "message": "auth needed"}}',
     'auth needed'),
    (b'<html>proxy error</html>', '<html>proxy error</html>'),
    (b'', 'Reason'),
])
def test_fault_messages_of_every_shape(body, message):
    assert http._message(response(404, body)) == message
