"""The SSH side of the lab switch: password logins, subsystems xmlagent and netconf."""

import functools
import hmac
import logging
import socket
import threading

import paramiko

from nexus_sim import netconf

LOG = logging.getLogger(__name__)

SUBSYSTEMS = ('xmlagent', 'netconf')


def load_host_key(path=None):
    """The host key in ``path`` (created there if missing), or a fresh one."""
    if path is None:
        return paramiko.ECDSAKey.generate(bits=256)
    try:
        return paramiko.PKey.from_path(path)
    except (paramiko.SSHException, ValueError) as exc:
        raise ValueError(f'{path} does not hold an SSH private key: {exc}')
    except FileNotFoundError:
        key = paramiko.ECDSAKey.generate(bits=256)
        key.write_private_key_file(path)
        return key


class _Policy(paramiko.ServerInterface):
    """Who may log in and which channels they may open."""

    def __init__(self, server, transport):
        self.server = server
        self.transport = transport

    def get_allowed_auths(self, username):
        return 'password'

    def check_auth_password(self, username, password):
        switch = self.server.switch
        expected = switch.users.get(username)
        if (switch.faults.refuse_auth or expected is None
                or not hmac.compare_digest(expected.encode(), password.encode())):
            return paramiko.AUTH_FAILED
        return paramiko.AUTH_SUCCESSFUL

    def check_channel_request(self, kind, chanid):
        if kind == 'session':
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_subsystem_request(self, channel, name):
        if name not in SUBSYSTEMS:
            return False
        self.server.open_session(channel, self.transport)
        return True


class SshServer:
    """Listens on one address for one switch; one thread per connection and session."""

    def __init__(self, switch, host, port):
        self.switch = switch
        self._socket = socket.create_server((host, port))
        self.address = self._socket.getsockname()[:2]
        self._transports = set()
        self._sessions = {}
        self._next_id = 1
        self._accepting = threading.Thread(
            target=self._accept_loop, name=f'lab-{switch.name}-accept', daemon=True)

    def start(self):
        self._accepting.start()

    def _accept_loop(self):
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._serve(conn)

    def _serve(self, conn):
        transport = paramiko.Transport(conn)
        transport.add_server_key(self.switch.host_key)
        with self.switch.state.changed:
            if self.switch.stopped() or self.switch.faults.down():
                conn.close()
                return
            self._transports = {t for t in self._transports if t.is_active()}
            self._transports.add(transport)
        try:
            transport.start_server(event=threading.Event(), server=_Policy(self, transport))
        except paramiko.SSHException as exc:
            LOG.debug('SSH negotiation with a client of %s failed: %s', self.switch.name, exc)

    def open_session(self, channel, transport):
        """Start a NETCONF session on ``channel``, or refuse it past the limit."""
        with self.switch.state.changed:
            if len(self._sessions) >= self.switch.limits.max_sessions:
                run = functools.partial(netconf.refuse, channel)
            else:
                session = netconf.NetconfSession(self.switch, channel, transport,
                                                 self._next_id, self._release)
                self._sessions[self._next_id] = session
                self._next_id += 1
                self.switch.state.touch()
                run = session.run
        threading.Thread(target=run, daemon=True, name=f'lab-{self.switch.name}-session').start()

    def _release(self, session):
        with self.switch.state.changed:
            self._sessions.pop(session.session_id, None)
            self.switch.state.touch()

    def session_count(self):
        with self.switch.state.changed:
            return len(self._sessions)

    def drop_connections(self):
        """Close every SSH connection, as a reboot or a crash does."""
        with self.switch.state.changed:
            transports = list(self._transports)
            self._transports.clear()
        for transport in transports:
            transport.close()

    def stop(self):
        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._socket.close()
        self.drop_connections()
        if self._accepting.is_alive():
            self._accepting.join(timeout=5)
