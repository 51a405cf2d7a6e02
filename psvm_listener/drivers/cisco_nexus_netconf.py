"""Cisco Nexus over NETCONF (SSH, ncclient's ``nexus`` device handler).

Round trips are the cost (DESIGN.md §6), so a sync makes at most two: one
``exec-command`` that reads every port's running-config and the switch's LIF
figures, and one ``edit-config`` that carries the whole plan.  The session
stays open between syncs; reads, retries and reopening are drivers/nexus.py's.

NX-OS has 8 XML sessions for everyone.  A session whose RPC timed out is
abandoned at the socket level at once (a close-session RPC to a switch that
does not answer would only wait again), and this process never holds more
than ``[switches] max_sessions`` sessions on one switch, whatever the
switch does: a session counts from before it is opened until its socket
is closed.
"""

import collections
import logging
import threading

import paramiko
from lxml import etree
from ncclient import manager as nc_manager
from ncclient.operations import errors as op_errors
from ncclient.operations import rpc as nc_rpc
from ncclient.transport import errors as transport_errors
from ncclient.transport import session as nc_session

from psvm_listener.drivers import base
from psvm_listener.drivers import host_keys
from psvm_listener.drivers import netconf_session
from psvm_listener.drivers import nexus
from psvm_listener.drivers import nxos_xml

LOG = logging.getLogger(__name__)

SESSION_LIMIT_TEXT = 'xml session exceeded max allowed'
_BROKEN = (transport_errors.TransportError, OSError, EOFError, paramiko.SSHException)


def _discard(session):
    """Close a session whose connect failed, at whatever step it failed."""
    if session.transport is not None:
        session.close()


class _SessionBudget:
    """Sessions this process holds open, per switch address, shared by every
    driver object of that switch (one replaced after a login change may
    still be closing its own)."""

    def __init__(self):
        self._open = collections.Counter()
        self._changed = threading.Condition()

    def take(self, address, limit, timeout):
        """Count one more session on ``address``, waiting up to ``timeout`` s
        for one to close; SessionLimit if none does."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._open[address] < limit, timeout):
                raise base.SessionLimit(
                    f'switch {address[0]}:{address[1]}: psvm already holds {limit} '
                    f'sessions on it ([switches] max_sessions)')
            self._open[address] += 1

    def give_back(self, address):
        with self._changed:
            self._open[address] -= 1
            if self._open[address] <= 0:
                del self._open[address]
            self._changed.notify_all()

    def held(self, address):
        with self._changed:
            return self._open[address]


SESSIONS = _SessionBudget()


class _Manager(nc_manager.Manager):
    """ncclient's Manager that also hands back its SSH session, to close it."""

    @property
    def ssh_session(self):
        return self._session


class _LossListener(nc_session.SessionListener):
    """Tells the driver's owner when the switch ends a session we did not close."""

    def __init__(self, on_lost):
        self._on_lost = on_lost

    def callback(self, root, raw):
        """Replies are the RPC's business."""

    def errback(self, ex):
        LOG.info('session lost: %s', ex)
        self._on_lost()


class CiscoNexusNetconfDriver(nexus.NexusDriver):
    """Nexus 5K/FEX trunk ports over NX-OS's XML agent."""

    session_class = netconf_session.PromptSSHSession
    device_params = {'name': 'nexus'}

    def __init__(self, conf, login, on_lost=None):
        super().__init__(conf, login, on_lost)
        self._host_keys = host_keys.HostKeyPolicy(
            login.host_key, self.options.known_hosts_file, self.options.trust_on_first_use)
        self._manager = None

    def apply(self, plan):
        if not plan.changes and not plan.create:
            return
        config = nxos_xml.edit_config(plan, self.options.max_list_items,
                                      self.options.max_list_chars)
        self._request(lambda m: m.edit_config(target='running', config=config))

    def save(self):
        self._request(lambda m: m.exec_command(['copy running-config startup-config']))

    def close(self, politely=True):
        """Close the session: with a close-session RPC when ``politely``,
        else at the socket level only (the switch stopped answering)."""
        with self._lock:
            manager, self._manager = self._manager, None
        if manager is None:
            return
        try:
            if politely and manager.connected:
                try:
                    manager.close_session()
                except (*_BROKEN, op_errors.OperationError, op_errors.TimeoutExpiredError):
                    LOG.debug('switch %s: closing a broken session', self.login.name)
            manager.ssh_session.close()
        finally:
            SESSIONS.give_back(self._address)

    @property
    def _address(self):
        return (self.login.ip, self.login.port)

    def _show(self, commands):
        return self._reply_text(self._request(lambda m: m.exec_command(commands)))

    def _connected(self):
        return self._manager is not None

    def _request_once(self, call):
        manager = self._session()
        self.rpcs += 1
        try:
            return call(manager)
        except nc_rpc.RPCError as exc:
            raise self._rpc_error(exc)
        except op_errors.TimeoutExpiredError:
            self.close(politely=False)
            raise base.Timeout(f'switch {self.login.name} did not answer within '
                               f'{self.options.rpc_timeout:g} s')
        except _BROKEN as exc:
            self.close()
            raise self._broken(exc)

    def _rpc_error(self, exc):
        message = exc.message or str(exc)
        if SESSION_LIMIT_TEXT in message:
            self.close()
            return base.SessionLimit(f'switch {self.login.name}: {message.strip()}')
        return base.Rejected(f'switch {self.login.name} rejected the request: {message.strip()}')

    def _broken(self, exc):
        if SESSION_LIMIT_TEXT in str(exc):
            return base.SessionLimit(f'switch {self.login.name}: {SESSION_LIMIT_TEXT}')
        return base.Unreachable(f'switch {self.login.name}: session lost: {exc}',
                                retry_after=self.options.reconnect_interval)

    def _session(self):
        if self._manager is not None and self._manager.connected:
            return self._manager
        self.close()
        self._manager = self._connect()
        return self._manager

    def _connect(self):
        """Open a NETCONF session; the host key is checked before the password goes."""
        login, timeout = self.login, self.options.connect_timeout
        SESSIONS.take(self._address, self.options.max_sessions, timeout)
        try:
            return self._open_session(login, timeout)
        except BaseException:
            SESSIONS.give_back(self._address)
            raise

    def _open_session(self, login, timeout):
        device = nc_manager.make_device_handler(dict(self.device_params))
        session = self.session_class(device)

        def check_key(host, _md5_fingerprint):
            self._host_keys.check(host, login.port, session.transport.get_remote_server_key())
            return True

        try:
            session.connect(host=login.ip, port=login.port, username=login.user_name,
                            password=login.password, timeout=timeout,
                            unknown_host_cb=check_key, hostkey_verify=True,
                            allow_agent=False, look_for_keys=False)
        except transport_errors.AuthenticationError:
            _discard(session)
            raise base.AuthenticationFailed(
                f'switch {login.name} refused user {login.user_name!r}: wrong user name or '
                f'password (check the switch\'s credential)')
        except TimeoutError:
            _discard(session)
            raise base.Timeout(f'switch {login.name} did not answer within {timeout:g} s')
        except (base.HostKeyMismatch, transport_errors.SessionError) as exc:
            _discard(session)
            if isinstance(exc, base.HostKeyMismatch):
                raise
            raise base.Timeout(f'switch {login.name}: no NETCONF hello within {timeout:g} s')
        except _BROKEN as exc:
            _discard(session)
            raise self._broken(exc)
        if self.on_lost is not None:
            session.add_listener(_LossListener(self.on_lost))
        return _Manager(session, device, timeout=self.options.rpc_timeout)

    @staticmethod
    def _reply_text(reply):
        """The CLI text of a read's reply: every ``<data>`` element's text."""
        root = etree.fromstring(reply.xml.encode())
        return '\n'.join(''.join(node.itertext()) for node in root.iter('{*}data'))
