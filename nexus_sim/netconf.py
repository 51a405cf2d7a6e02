"""One NETCONF 1.0 session of the lab switch: hello, then framed RPCs until close."""

import logging
import time

import paramiko

from nexus_sim import model
from nexus_sim import nxos_xml
from nexus_sim import show

LOG = logging.getLogger(__name__)

DELIM = b']]>]]>'
SESSION_LIMIT_MESSAGE = b'xml session exceeded max allowed\n'
_READ_SIZE = 65536


def read_messages(channel):
    """Yield each ]]>]]>-framed message until the peer closes the channel."""
    buffer = bytearray()
    while True:
        data = channel.recv(_READ_SIZE)
        if not data:
            return
        start = max(0, len(buffer) - len(DELIM) + 1)
        buffer += data
        end = buffer.find(DELIM, start)
        while end >= 0:
            yield bytes(buffer[:end])
            del buffer[:end + len(DELIM)]
            end = buffer.find(DELIM)


def refuse(channel):
    """What NX-OS does past its session limit: read the hello, say so, hang up.

    Waiting for the client's first bytes also guarantees the subsystem
    request was granted before the channel closes, so the client reads the
    message instead of seeing a refused subsystem.
    """
    try:
        channel.settimeout(30)
        channel.recv(_READ_SIZE)
        channel.sendall(SESSION_LIMIT_MESSAGE)
    except (OSError, EOFError, paramiko.SSHException):
        pass
    finally:
        close_quietly(channel)


def close_quietly(channel):
    """Close a channel whose connection may already be gone."""
    try:
        channel.close()
    except (OSError, EOFError, paramiko.SSHException):
        pass


def _commands(rpc):
    """The CLI commands of a read, for the RPC log; () for any other RPC."""
    if rpc.kind not in model.READ_KINDS:
        return ()
    try:
        return tuple(nxos_xml.commands(rpc))
    except model.EditRejected:
        return ()


class NetconfSession:
    """Answers the RPCs of one client on one SSH channel, faults included."""

    def __init__(self, switch, channel, transport, session_id, release):
        self.switch = switch
        self.channel = channel
        self.transport = transport
        self.session_id = session_id
        self._release = release

    def run(self):
        """Serve until the client leaves; the session's slot is free before the
        channel closes, so a client that saw the close may open a new one."""
        try:
            self.switch.faults.wait_while_stalled(self._over)
            self.channel.sendall(nxos_xml.hello(self.session_id) + DELIM)
            for message in read_messages(self.channel):
                if not self._answer(message):
                    break
        except (OSError, EOFError, paramiko.SSHException) as exc:
            LOG.debug('session %s of %s ended: %s', self.session_id, self.switch.name, exc)
        finally:
            self._release(self)
            close_quietly(self.channel)

    def _over(self):
        """The switch stopped or the client's SSH connection is gone."""
        return self.switch.stopped() or not self.transport.is_active()

    def _answer(self, message):
        """Reply to one message; False when the session is over."""
        try:
            rpc = nxos_xml.parse_rpc(message)
        except nxos_xml.MalformedRpc as exc:
            self.switch.state.count_rpc('malformed')
            self._send(nxos_xml.error_reply(nxos_xml.Rpc(None, {}, '', None), str(exc),
                                            tag='malformed-message', error_type='rpc'))
            return True
        if rpc.kind == 'hello':
            return True
        self.switch.state.count_rpc(rpc.kind)
        faults = self.switch.faults
        if faults.take_drop():
            self.transport.close()
            return False
        faults.wait_while_stalled(self._over)
        if faults.latency:
            time.sleep(faults.latency)
        started = time.monotonic()
        reply = self._reply(rpc)
        self.switch.state.record_rpc(self.session_id, rpc.kind, started, time.monotonic(),
                                     _commands(rpc))
        self._send(reply)
        return rpc.kind != 'close-session'

    def _reply(self, rpc):
        try:
            return self._perform(rpc)
        except model.EditRejected as exc:
            return nxos_xml.error_reply(rpc, str(exc))
        except Exception:
            LOG.exception('%s: RPC <%s> failed inside the lab switch', self.switch.name,
                          rpc.kind)
            return nxos_xml.error_reply(rpc, 'internal error of the lab switch; see its log')

    def _perform(self, rpc):
        if rpc.kind == 'close-session':
            return nxos_xml.ok_reply(rpc)
        if rpc.kind == 'edit-config':
            if self.switch.faults.take_edit_failure():
                raise model.EditRejected('edit-config failed: injected fault')
            changes = nxos_xml.edit_changes(rpc.operation, self.switch.limits)
            refused = self.switch.faults.refused_port(changes)
            if refused is not None:
                raise model.EditRejected(
                    f'ERROR: {refused}: Cannot configure port, it is a member of a '
                    f'port-channel')
            self.switch.apply(changes)
            return nxos_xml.ok_reply(rpc)
        if rpc.kind in ('get', 'exec-command'):
            outputs = [show.run(self.switch, command) for command in nxos_xml.commands(rpc)]
            return nxos_xml.data_reply(rpc, '\n'.join(outputs))
        return nxos_xml.error_reply(rpc, f'operation <{rpc.kind}> is not supported',
                                    tag='operation-not-supported', error_type='protocol')

    def _send(self, reply):
        self.channel.sendall(reply + DELIM)
