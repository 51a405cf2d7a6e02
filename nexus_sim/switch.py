"""LabSwitch: one simulated Nexus switch, its Python API for tests and benchmarks."""

import inspect
import time

from nexus_sim import model
from nexus_sim import nxapi
from nexus_sim import server
from nexus_sim import show
from nexus_sim import tls
from nexus_sim import vlans as vlan_sets
from nexus_sim.faults import Faults


class LabSwitch:
    """A Nexus 5K with FEX, reachable over SSH/NETCONF on ``address`` and, when
    ``nxapi_http_port`` or ``nxapi_https_port`` is given (0: any free port), over
    NX-API too: one switch model behind both, as a Nexus 5600/9000 serves both.

    Every read and change here is what an operator at the console would see
    or do; changes made this way are journalled with source 'operator'.
    """

    def __init__(self, users=None, ports='1/1-48', fex=(), port_channels=(),
                 lif_limit=32000, max_list_items=64, max_list_chars=512,
                 host='127.0.0.1', port=0, host_key_file=None, name='lab1', max_sessions=8,
                 nxapi_http_port=None, nxapi_https_port=None):
        self.name = name
        self.users = dict(users if users is not None else {'admin': 'secret'})
        self.limits = model.Limits(lif_limit, max_list_items, max_list_chars, max_sessions)
        self.state = model.SwitchState(model.switch_ports(ports, fex, port_channels),
                                       self.limits)
        self.faults = Faults(self.state.changed)
        self.renderer = show.InterfaceRenderer()
        self.host_key = server.load_host_key(host_key_file)
        self._stopped = False
        self._server = server.SshServer(self, host, port)
        self.tls = tls.Identity(name, host) if nxapi_https_port is not None else None
        self.nxapi = {}
        if nxapi_http_port is not None:
            self.nxapi['http'] = nxapi.NxapiServer(self, host, nxapi_http_port)
        if self.tls is not None:
            self.nxapi['https'] = nxapi.NxapiServer(self, host, nxapi_https_port,
                                                    self.tls.server_context())

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        self._server.start()
        for front in self.nxapi.values():
            front.start()
        return self

    def stop(self):
        with self.state.changed:
            self._stopped = True
            self.state.touch()
        self._server.stop()
        for front in self.nxapi.values():
            front.stop()

    def stopped(self):
        return self._stopped

    @property
    def address(self):
        return self._server.address

    @property
    def fingerprint(self):
        """'SHA256:<base64 without padding>', as OpenSSH prints it."""
        return self.host_key.fingerprint

    @property
    def tls_fingerprint(self):
        """The NX-API certificate's 'SHA256:<base64>', or None without HTTPS."""
        return self.tls.fingerprint if self.tls else None

    def nxapi_url(self, scheme='https'):
        """'https://127.0.0.1:PORT/ins'; KeyError when NX-API is off for ``scheme``."""
        return self.nxapi[scheme].url

    def ports(self):
        return self.state.ports()

    def allowed(self, port):
        return self.state.allowed(port)

    def apply(self, changes, source='netconf', check_lif=True):
        """Apply ``changes`` all or none, then render the changed ports."""
        applied = self.state.apply(changes, source, check_lif)
        allowed = self.state.allowed_map()
        for port in {change.port for change in applied} - {None}:
            self.renderer.block(port, allowed[port])

    def set_allowed(self, port, vlans):
        """The operator's manual change of a port's allowed list (drift)."""
        vlans = vlans if vlans is vlan_sets.ALL else frozenset(vlans)
        self.apply([model.Change('set', port, vlans)], source='operator', check_lif=False)

    def vlans(self):
        return self.state.vlans()

    def create_vlans(self, vlans):
        self.apply([model.Change('vlan-create', None, frozenset(vlans))],
                   source='operator', check_lif=False)

    def set_vlan_state(self, vlans, state=None, shutdown=None):
        """The operator's ``vlan LIST`` / ``state active|suspend`` / ``[no] shutdown``."""
        vlans = frozenset(vlans)
        changes = [model.vlan_state_change(state, vlans)] if state is not None else []
        if shutdown is not None:
            changes.append(model.Change('vlan-shutdown' if shutdown else 'vlan-no-shutdown',
                                        None, vlans))
        self.apply(changes, source='operator', check_lif=False)

    def passing(self, port):
        """The VLANs ``port`` carries traffic for: allowed, existing, active, not shut."""
        return self.state.passing(port)

    def lif_usage(self):
        return self.state.lif_usage()

    def journal(self, since=0):
        return self.state.journal(since)

    def rpc_counts(self):
        return self.state.rpc_counts()

    def concurrent_edits(self):
        """Pairs of NETCONF sessions that edited this switch at once (each
        between its read and its edit-config); [] when edits never overlapped."""
        return model.concurrent_edits(self.state.rpc_log())

    def sessions(self):
        return self._server.session_count()

    def reboot(self, down_for=0.0):
        """Running config back to startup config; every session is dropped,
        and for ``down_for`` seconds every connection is refused, as while
        a Nexus reloads.  It comes back with a new boot time."""
        self.faults.go_down(down_for)
        self.state.reboot(booted_at=time.time() + down_for)
        self._server.drop_connections()
        for front in self.nxapi.values():
            front.drop_connections()
        for port, vlans in self.state.allowed_map().items():
            self.renderer.block(port, vlans)

    def wait_for(self, predicate, timeout=10.0):
        """Wait until ``predicate()`` (or ``predicate(switch)``) is true.

        The predicate runs without the switch's lock held (it may talk to
        this switch), after every change and at least every 50 ms; returns
        its value, or raises TimeoutError.
        """
        check = predicate if not inspect.signature(predicate).parameters else (
            lambda: predicate(self))
        deadline = time.monotonic() + timeout
        while True:
            seen = self.state.version
            value = check()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f'{self.name}: condition not met in {timeout} s')
            with self.state.changed:
                if self.state.version == seen:
                    self.state.changed.wait(min(remaining, 0.05))
