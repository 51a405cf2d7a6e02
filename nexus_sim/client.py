"""A bare NETCONF 1.0 client over paramiko, for benchmarks and protocol tests.

ncclient's session thread wakes at most every 100 ms to send a queued
request (DESIGN.md §6), so it cannot measure how fast the lab switch is,
nor send it malformed XML.  This client writes a request and reads its
reply on the caller's thread, with no wait of its own.
"""

import socket

import paramiko

from nexus_sim import netconf

HELLO = (b'<?xml version="1.0" encoding="UTF-8"?><hello xmlns="urn:ietf:params:xml:ns:'
         b'netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
         b'</capability></capabilities></hello>')


class RawNetconfClient:
    """One session; ``request(xml)`` sends raw bytes and returns the raw reply."""

    def __init__(self, address, username, password, subsystem='xmlagent', timeout=10):
        sock = socket.create_connection(address, timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._transport = paramiko.Transport(sock)
        self._transport.connect(username=username, password=password)
        self.host_key = self._transport.get_remote_server_key()
        self._channel = self._transport.open_session(timeout=timeout)
        self._channel.settimeout(timeout)
        self._channel.invoke_subsystem(subsystem)
        self._messages = netconf.read_messages(self._channel)
        self.send(HELLO)
        self.server_hello = self.receive()
        self._next_id = 1

    def send(self, message):
        self._channel.sendall(message + netconf.DELIM)

    def receive(self):
        """The next framed message; EOFError when the switch closed the session."""
        try:
            return next(self._messages)
        except StopIteration:
            raise EOFError('the switch closed the session')

    def rpc(self, operation):
        """Wrap ``operation`` (bytes) in an <rpc> with a fresh message-id; the reply."""
        message_id = self._next_id
        self._next_id += 1
        self.send(b'<rpc message-id="%d" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">'
                  b'%s</rpc>' % (message_id, operation))
        return self.receive()

    def close(self):
        """close-session, then wait for the switch to hang up: its slot is free then."""
        try:
            if b'<ok/>' in self.rpc(b'<close-session/>'):
                for _ in self._messages:
                    pass
        except (OSError, EOFError, paramiko.SSHException):
            pass
        finally:
            self._transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
