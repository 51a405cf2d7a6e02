"""NX-API CLI, the HTTP(S) front end of the lab switch (Nexus 9000/3000, 5600 with 7.x).

POST ``/ins`` with HTTP basic login; the reply sets the ``nxapi_auth``
cookie, which later requests may send instead.  Two formats (DESIGN.md §6):

- ``ins_api`` (``application/json``): ``type`` cli_show (structured bodies),
  cli_show_ascii (text) or cli_conf; ``input`` holds commands separated by
  `` ;``.  In cli_conf a failing command stops the rest (``rollback``:
  stop-on-error, the default; continue-on-error; rollback-on-error) and its
  output says which, with ``clierror``.
- JSON-RPC 2.0 (``application/json-rpc``): a list of ``cli``/``cli_ascii``
  calls, answered in order; the first that fails ends the batch.

Same switch model, limits, faults and journal as the NETCONF side; changes
are journalled with source 'nxapi'.
"""

import base64
import hmac
import http.server
import json
import logging
import secrets
import socket
import threading
import time

from nexus_sim import cli_config
from nexus_sim import model
from nexus_sim import show

LOG = logging.getLogger(__name__)

COOKIE = 'nxapi_auth'
COOKIE_SECONDS = 600
_SUCCESS = {'code': '200', 'msg': 'Success'}
_ACTIONS = ('stop-on-error', 'continue-on-error', 'rollback-on-error')


class BadRequest(Exception):
    """A request NX-API refuses as a whole, with this HTTP status."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _output(command, body=None, error=None):
    if error is None:
        return dict(_SUCCESS, input=command, body=body)
    if isinstance(error, show.NoStructuredOutput):
        return {'input': command, 'code': '501', 'msg': 'Structured output unsupported',
                'clierror': str(error)}
    return {'input': command, 'code': '400', 'msg': 'Input CLI command error',
            'clierror': str(error) if str(error).startswith('%') else f'% {error}\n'}


def _is_show(command):
    words = command.split()
    return bool(words) and words[0].lower() in ('show', 'copy')


class Requests:
    """What one request asks of ``switch``; the protocol-free half of NX-API."""

    def __init__(self, switch):
        self.switch = switch

    def ins_api(self, document):
        request = document.get('ins_api') if isinstance(document, dict) else None
        if not isinstance(request, dict):
            raise BadRequest(400, 'the body must be {"ins_api": {...}}')
        kind, text = request.get('type'), request.get('input')
        if kind not in ('cli_show', 'cli_show_ascii', 'cli_conf') or not isinstance(text, str):
            raise BadRequest(400, 'ins_api needs "type" cli_show, cli_show_ascii or cli_conf '
                                  'and an "input" string')
        if request.get('output_format', 'json') != 'json':
            raise BadRequest(400, 'only output_format json is served by this switch')
        action = request.get('rollback', 'stop-on-error')
        if action not in _ACTIONS:
            raise BadRequest(400, f'rollback must be one of {", ".join(_ACTIONS)}')
        commands = [command.strip() for command in text.split(' ;')]
        if kind == 'cli_conf':
            outputs = self.configure(commands, action)
        else:
            outputs = [self._show(command, kind == 'cli_show_ascii') for command in commands]
        return {'ins_api': {'type': kind, 'version': request.get('version', '1.0'),
                            'sid': 'eoc',
                            'outputs': {'output': outputs[0] if len(outputs) == 1 else outputs}}}

    def _show(self, command, ascii_):
        try:
            body = (show.run(self.switch, command) if ascii_
                    else show.structured(self.switch, command))
        except model.EditRejected as exc:
            return _output(command, error=exc)
        return _output(command, body)

    def configure(self, commands, action='stop-on-error'):
        """Run config commands; outputs up to the failing one (all, on continue)."""
        session = cli_config.ConfigSession(self.switch)
        if self.switch.faults.take_edit_failure():
            return [_output(commands[0], error=model.EditRejected('injected fault'))]
        if action == 'rollback-on-error':
            return self._all_or_nothing(session, commands)
        outputs = []
        for command in commands:
            try:
                self.switch.apply(session.run(command), source='nxapi')
            except model.EditRejected as exc:
                outputs.append(_output(command, error=exc))
                if action == 'stop-on-error':
                    break
            else:
                outputs.append(_output(command, {}))
        return outputs

    def _all_or_nothing(self, session, commands):
        changes, outputs = [], []
        for command in commands:
            try:
                changes.extend(session.run(command))
            except model.EditRejected as exc:
                return outputs + [_output(command, error=exc)]
            outputs.append(_output(command, {}))
        try:
            self.switch.apply(changes, source='nxapi')
        except model.EditRejected as exc:
            return [_output(commands[-1], error=exc)]
        return outputs

    def json_rpc(self, document):
        batch = document if isinstance(document, list) else [document]
        session, answers = cli_config.ConfigSession(self.switch), []
        for call in batch:
            answer = self._call(session, call)
            answers.append(answer)
            if 'error' in answer:
                break
        return answers if isinstance(document, list) else answers[0]

    def _call(self, session, call):
        if not isinstance(call, dict) or call.get('jsonrpc') != '2.0':
            return _rpc_error(None, -32600, 'Invalid request')
        ident, params = call.get('id'), call.get('params')
        if call.get('method') not in ('cli', 'cli_ascii'):
            return _rpc_error(ident, -32601, 'Method not found')
        if not isinstance(params, dict) or not isinstance(params.get('cmd'), str):
            return _rpc_error(ident, -32602, 'Invalid params', 'params needs "cmd"')
        command = params['cmd'].strip()
        try:
            if not _is_show(command):
                if self.switch.faults.take_edit_failure():
                    raise model.EditRejected('injected fault')
                self.switch.apply(session.run(command), source='nxapi')
                result = None
            elif call['method'] == 'cli_ascii':
                result = {'msg': show.run(self.switch, command)}
            else:
                result = {'body': show.structured(self.switch, command)}
        except show.NoStructuredOutput as exc:
            return _rpc_error(ident, -32602, 'Structured output unsupported', str(exc))
        except model.EditRejected as exc:
            return _rpc_error(ident, -32602, 'Invalid params', str(exc))
        return {'jsonrpc': '2.0', 'result': result, 'id': ident}


def _rpc_error(ident, code, message, text=None):
    error = {'code': code, 'message': message}
    if text is not None:
        error['data'] = {'msg': text}
    return {'jsonrpc': '2.0', 'error': error, 'id': ident}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'nginx'
    front = None

    def log_message(self, *args):
        """Quiet: tests and benchmarks read stdout."""

    def setup(self):
        super().setup()
        self.front.opened(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            self.front.closed(self.connection)

    def do_GET(self):
        self._send(405, {'error': 'NX-API takes POST /ins'})

    def do_POST(self):
        """Login, then the request counted, then faults, as the NETCONF side
        counts an RPC before it drops, stalls or delays it."""
        switch, faults = self.front.switch, self.front.switch.faults
        body = self._body()
        cookie = None if body is None else self._login()
        if cookie is None:
            return
        try:
            kind, request = self._parse(body)
        except BadRequest as exc:
            self._send(exc.status, {'error': str(exc)}, cookie)
            return
        switch.state.count_rpc(kind)
        if faults.take_drop() or faults.down():
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        faults.wait_while_stalled(switch.stopped)
        if faults.latency:
            time.sleep(faults.latency)
        with self.front.worker() as free:
            if not free:
                self._send(503, {'error': 'NX-API: every worker is busy'})
                return
            started = time.monotonic()
            try:
                status, document = 200, request()
                switch.state.record_rpc(id(self.connection), kind, started, time.monotonic(),
                                        () if kind == 'json-rpc' else _inputs(body))
            except BadRequest as exc:
                status, document = exc.status, {'error': str(exc)}
            except Exception:
                LOG.exception('%s: NX-API request failed inside the lab switch', switch.name)
                status, document = 500, {'error': 'internal error of the lab switch'}
        self._send(status, document, cookie)

    def _body(self):
        if self.path.split('?')[0] != '/ins':
            self._send(404, {'error': f'no such resource {self.path!r}; NX-API is POST /ins'})
            return None
        try:
            length = int(self.headers.get('Content-Length') or '')
        except ValueError:
            self._send(411, {'error': 'Content-Length is required'})
            return None
        return self.rfile.read(length)

    def _parse(self, body):
        """(the kind counted, a function that answers the request)."""
        media = (self.headers.get('Content-Type') or '').split(';')[0].strip().lower()
        if media not in ('application/json', 'application/json-rpc'):
            raise BadRequest(415, 'Content-Type must be application/json (ins_api) or '
                                  'application/json-rpc')
        requests = Requests(self.front.switch)
        try:
            document = json.loads(body)
        except ValueError as exc:
            if media != 'application/json-rpc':
                raise BadRequest(400, f'the body is not JSON: {exc}')
            error = _rpc_error(None, -32700, 'Parse error', str(exc))
            return 'json-rpc', lambda: error
        if media == 'application/json-rpc':
            return 'json-rpc', lambda: requests.json_rpc(document)
        request = document.get('ins_api') if isinstance(document, dict) else None
        kind = request.get('type') if isinstance(request, dict) else None
        return str(kind), lambda: requests.ins_api(document)

    def _login(self):
        """The cookie to set ('' when the request's own is still good), or None
        after answering 401."""
        front = self.front
        if front.switch.faults.refuse_auth:
            return self._refuse()
        if front.valid_cookie(self.headers.get('Cookie')):
            return ''
        user, _, password = _basic(self.headers.get('Authorization'))
        expected = front.switch.users.get(user)
        if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
            return self._refuse()
        return front.new_cookie(user)

    def _refuse(self):
        self._send(401, {'error': 'Authentication failed'},
                   headers={'WWW-Authenticate': 'Basic realm="nxapi"'})
        return None

    def _send(self, status, document, cookie='', headers=None):
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json-rpc' if isinstance(document, list)
                         else 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        if cookie:
            self.send_header('Set-Cookie', f'{COOKIE}={cookie}; Path=/; HttpOnly; '
                                           f'Max-Age={COOKIE_SECONDS}')
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _inputs(body):
    """The commands of a parsed ins_api request, for the switch's RPC log."""
    request = json.loads(body)['ins_api']
    return tuple(command.strip() for command in request['input'].split(' ;'))


def _basic(header):
    """(user, ':', password) from an Authorization header, or ('', '', '')."""
    scheme, _, encoded = (header or '').partition(' ')
    if scheme.lower() != 'basic':
        return '', '', ''
    try:
        return base64.b64decode(encoded, validate=True).decode().partition(':')
    except ValueError:
        return '', '', ''


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    context = None

    def get_request(self):
        conn, address = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.context is not None:
            conn = self.context.wrap_socket(conn, server_side=True,
                                            do_handshake_on_connect=False)
        return conn, address

    def handle_error(self, request, client_address):
        LOG.debug('NX-API connection from %s ended badly', client_address, exc_info=True)


class NxapiServer:
    """NX-API of one switch on one address, HTTP or (with ``context``) HTTPS."""

    def __init__(self, switch, host, port, context=None):
        self.switch = switch
        self.scheme = 'https' if context is not None else 'http'
        handler = type('Handler', (_Handler,), {'front': self})
        self._server = _Server((host, port), handler)
        self._server.context = context
        self.address = self._server.server_address[:2]
        self.url = f'{self.scheme}://{self.address[0]}:{self.address[1]}/ins'
        self._cookies = {}
        self.logins = 0
        self._connections = set()
        self._busy = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name=f'lab-{switch.name}-nxapi', daemon=True)

    def start(self):
        self._thread.start()

    def new_cookie(self, user):
        """The cookie of a fresh basic login; ``logins`` counts them."""
        cookie = secrets.token_urlsafe(24)
        with self._lock:
            self._cookies[cookie] = (user, time.monotonic() + COOKIE_SECONDS)
            self.logins += 1
        return cookie

    def valid_cookie(self, header):
        for part in (header or '').split(';'):
            name, _, value = part.strip().partition('=')
            if name == COOKIE:
                with self._lock:
                    known = self._cookies.get(value)
                if known and known[1] > time.monotonic() and known[0] in self.switch.users:
                    return True
        return False

    def worker(self):
        return _Worker(self)

    def opened(self, connection):
        with self._lock:
            self._connections.add(connection)

    def closed(self, connection):
        with self._lock:
            self._connections.discard(connection)

    def drop_connections(self):
        """Close every connection and forget every cookie, as a reboot does."""
        with self._lock:
            connections = list(self._connections)
            self._cookies.clear()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self.drop_connections()


class _Worker:
    """One of the switch's NX-API workers, if one is free (``max_sessions`` of them)."""

    def __init__(self, front):
        self.front = front
        self.free = False

    def __enter__(self):
        with self.front._lock:
            self.free = self.front._busy < self.front.switch.limits.max_sessions
            if self.free:
                self.front._busy += 1
        return self.free

    def __exit__(self, *exc_info):
        if self.free:
            with self.front._lock:
                self.front._busy -= 1
