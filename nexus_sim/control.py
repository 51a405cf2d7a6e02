"""Loopback control interface: the LabSwitch API for tests in another process.

HTTP with JSON bodies, bound to 127.0.0.1 only; VLAN sets travel as NX-OS
list text ("10-20,40", "none", "all").

    GET  /switches                      names, addresses, fingerprints
    GET  /switches/NAME                 ports, VLANs, LIF usage, sessions, RPC counts, faults
    GET  /switches/NAME/journal[?since=N]  applied changes with timestamps (from the Nth)
    POST /switches/NAME/faults          {latency, refuse_auth, stall, drop_after,
                                         fail_next_edits, refused_ports, clear}
    POST /switches/NAME/allowed         {"port": "e1/1", "vlans": "10-20"}   (drift)
    POST /switches/NAME/vlans           {"vlans": "10-20"}                   (create)
                                        [, "state": "active"|"suspend", "shutdown": bool]
    POST /switches/NAME/reboot          {"down_for": 2.0} (reload: refuses connections
                                         that long, then startup config, new boot time)
"""

import http.server
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

from nexus_sim import interfaces as port_names
from nexus_sim import model
from nexus_sim import vlans as vlan_sets


class ControlError(Exception):
    """The control interface refused a request; the text says why."""


class _BadRequest(Exception):
    status = 400


class _NotFound(Exception):
    status = 404


def describe(switch):
    host, port = switch.address
    return {'name': switch.name, 'host': host, 'port': port,
            'fingerprint': switch.fingerprint,
            'nxapi': {scheme: front.url for scheme, front in switch.nxapi.items()},
            'tls_fingerprint': switch.tls_fingerprint}


def state(switch, _query=None):
    allowed = switch.state.allowed_map()
    return dict(describe(switch),
                ports={port: vlan_sets.format(vlans) for port, vlans in allowed.items()},
                vlans=vlan_sets.format(switch.vlans()),
                suspended=vlan_sets.format(switch.state.suspended()),
                shut=vlan_sets.format(switch.state.shut()),
                passing={port: vlan_sets.format(model.passing(vlans, switch.state.carrying()))
                         for port, vlans in allowed.items()},
                lif_usage=switch.lif_usage(),
                sessions=switch.sessions(), rpc_counts=switch.rpc_counts(),
                faults=switch.faults.describe())


def journal(switch, query):
    try:
        since = int(query.get('since', ['0'])[0])
    except ValueError:
        since = -1
    if since < 0:
        raise _BadRequest('since must be a whole number')
    return [dict(entry, vlans=vlan_sets.format(entry['vlans']))
            for entry in switch.journal(since)]


def _vlans(body):
    try:
        return vlan_sets.parse(str(body['vlans']))
    except KeyError:
        raise _BadRequest('"vlans" is required')
    except vlan_sets.BadVlanList as exc:
        raise _BadRequest(str(exc))


def set_faults(switch, body):
    faults = switch.faults
    if body.get('clear'):
        faults.clear()
    try:
        latency = _not_negative(float, body, 'latency')
        drop_after = _not_negative(int, body, 'drop_after')
        fail_next_edits = _not_negative(int, body, 'fail_next_edits')
    except (TypeError, ValueError) as exc:
        raise _BadRequest(f'bad fault setting: {exc}')
    if latency is not None:
        faults.latency = latency
    if 'refuse_auth' in body:
        faults.refuse_auth = bool(body['refuse_auth'])
    if 'stall' in body:
        faults.stall = bool(body['stall'])
    if 'drop_after' in body:
        faults.drop_after(drop_after)
    if fail_next_edits is not None:
        faults.fail_next_edits(fail_next_edits)
    if 'refused_ports' in body:
        faults.refused_ports = _port_names(body['refused_ports'])
    return faults.describe()


def _port_names(names):
    if not isinstance(names, list):
        raise _BadRequest('refused_ports must be a list of port names')
    try:
        return frozenset(port_names.normalise(str(name)) for name in names)
    except port_names.InvalidPortName as exc:
        raise _BadRequest(str(exc))


def _not_negative(kind, body, name):
    """``body[name]`` as ``kind``, or None when absent; a negative or NaN
    value would make the switch's sessions sleep or count forever."""
    value = body.get(name)
    if value is None:
        return None
    value = kind(value)
    if not value >= 0 or value == float('inf'):
        raise ValueError(f'{name} must be a finite number >= 0, not {body[name]!r}')
    return value


def set_allowed(switch, body):
    if 'port' not in body:
        raise _BadRequest('"port" is required')
    switch.set_allowed(body['port'], _vlans(body))
    return {'port': port_names.normalise(body['port']),
            'vlans': vlan_sets.format(switch.allowed(body['port']))}


def create_vlans(switch, body):
    vlans = _vlans(body)
    if vlans is vlan_sets.ALL:
        raise _BadRequest('"vlans" must be a list, not all')
    if 'state' in body or 'shutdown' in body:
        shutdown = body.get('shutdown')
        if shutdown is not None and not isinstance(shutdown, bool):
            raise _BadRequest('"shutdown" must be true or false')
        switch.set_vlan_state(vlans, body.get('state'), shutdown)
    else:
        switch.create_vlans(vlans)
    return {'vlans': vlan_sets.format(switch.vlans()),
            'suspended': vlan_sets.format(switch.state.suspended()),
            'shut': vlan_sets.format(switch.state.shut())}


def reboot(switch, body):
    """``{"down_for": seconds}`` keeps the switch unreachable that long."""
    try:
        down_for = _not_negative(float, body, 'down_for') or 0.0
    except (TypeError, ValueError) as exc:
        raise _BadRequest(f'bad reboot setting: {exc}')
    switch.reboot(down_for)
    return {'rebooted': switch.name, 'down_for': down_for}


_READS = {None: state, 'journal': journal}
_WRITES = {'faults': set_faults, 'allowed': set_allowed, 'vlans': create_vlans,
           'reboot': reboot}


class _Handler(http.server.BaseHTTPRequestHandler):
    switches = {}

    def log_message(self, *args):
        """Quiet: tests and benchmarks read stdout."""

    def do_GET(self):
        self._answer(lambda switch, view, _body: self._route(_READS, view)(switch, self._query()))

    def do_POST(self):
        self._answer(lambda switch, action, body: self._route(_WRITES, action)(switch, body))

    @staticmethod
    def _route(table, name):
        if name not in table:
            raise _NotFound(f'no such resource {name!r}')
        return table[name]

    def _answer(self, call):
        try:
            document = self._dispatch(call)
            status = 200
        except (_BadRequest, _NotFound) as exc:
            document, status = {'error': str(exc)}, exc.status
        except (model.EditRejected, port_names.InvalidPortName) as exc:
            document, status = {'error': str(exc)}, 400
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _query(self):
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)

    def _dispatch(self, call):
        parts = urllib.parse.urlsplit(self.path).path.strip('/').split('/')
        if parts == ['switches'] and self.command == 'GET':
            return [describe(switch) for switch in self.switches.values()]
        if len(parts) not in (2, 3) or parts[0] != 'switches':
            raise _NotFound(f'no such resource {self.path!r}')
        switch = self.switches.get(parts[1])
        if switch is None:
            raise _NotFound(f'no switch named {parts[1]!r}')
        return call(switch, parts[2] if len(parts) == 3 else None, self._body())

    def _body(self):
        try:
            length = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            length = -1
        if length < 0:
            raise _BadRequest('Content-Length must be a whole number')
        if not length:
            return {}
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError as exc:
            raise _BadRequest(f'body is not JSON: {exc}')
        if not isinstance(body, dict):
            raise _BadRequest('body must be a JSON object')
        return body


class ControlServer:
    """Serves the control interface for ``switches`` on 127.0.0.1."""

    def __init__(self, switches, port=0):
        handler = type('Handler', (_Handler,), {'switches': {s.name: s for s in switches}})
        self._server = http.server.ThreadingHTTPServer(('127.0.0.1', port), handler)
        self._server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name='lab-control', daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


class ControlClient:
    """The control interface seen from another process."""

    def __init__(self, url, timeout=10):
        self.url = url.rstrip('/')
        self.timeout = timeout

    def _call(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data,
                                         headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise ControlError(json.loads(exc.read()).get('error', str(exc)))

    def switches(self):
        return self._call('/switches')

    def state(self, name):
        return self._call(f'/switches/{name}')

    def journal(self, name, since=0):
        return self._call(f'/switches/{name}/journal?since={int(since)}')

    def faults(self, name, **settings):
        return self._call(f'/switches/{name}/faults', settings)

    def set_allowed(self, name, port, vlans):
        return self._call(f'/switches/{name}/allowed', {'port': port, 'vlans': vlans})

    def create_vlans(self, name, vlans):
        return self._call(f'/switches/{name}/vlans', {'vlans': vlans})

    def set_vlan_state(self, name, vlans, state=None, shutdown=None):
        body = {'vlans': vlans, 'state': state, 'shutdown': shutdown}
        return self._call(f'/switches/{name}/vlans',
                          {key: value for key, value in body.items() if value is not None})

    def reboot(self, name, down_for=0.0):
        return self._call(f'/switches/{name}/reboot', {'down_for': down_for})
