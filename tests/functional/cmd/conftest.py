"""A stand-in keystone for the client tests: it issues one admin token,
which psvm-api's keystonemiddleware (through its AuthTokenFixture) accepts."""

import dataclasses
import http.server
import json
import threading
import uuid

import pytest
from keystoneauth1 import fixture as ks_fixture
from keystonemiddleware import fixture as ksm_fixture


@dataclasses.dataclass
class Identity:
    url: str            # the v3 auth URL
    token: dict         # the token it issues; add_service() fills its catalog


class IdentityHandler(http.server.BaseHTTPRequestHandler):
    """Keystone's POST /v3/auth/tokens, answering with one fixed token."""

    token_id = None
    token = None

    def do_GET(self):  # noqa: N802 (keystoneauth's version discovery)
        assert self.path.rstrip('/') == '/v3', self.path
        url = f'http://127.0.0.1:{self.server.server_address[1]}/v3/'
        self._answer(200, {'version': {'id': 'v3.14', 'status': 'stable',
                                       'links': [{'rel': 'self', 'href': url}]}})

    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers['Content-Length']))
        assert self.path == '/v3/auth/tokens', self.path
        self._answer(201, self.token, {'X-Subject-Token': self.token_id})

    def _answer(self, status, document, headers=None):
        body = json.dumps(document).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def identity():
    """A keystone that issues an admin token, which psvm-api's
    keystonemiddleware (through its AuthTokenFixture) accepts."""
    tokens = ksm_fixture.AuthTokenFixture()
    tokens.setUp()
    token = ks_fixture.V3Token(user_name='operator', project_name='ops')
    token.add_role(name='admin')
    handler = type('Handler', (IdentityHandler,), {'token_id': uuid.uuid4().hex,
                                                    'token': token})
    tokens.add_token(token, token_id=handler.token_id)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Identity(f'http://127.0.0.1:{server.server_address[1]}/v3', token)
    server.shutdown()
    tokens.cleanUp()


