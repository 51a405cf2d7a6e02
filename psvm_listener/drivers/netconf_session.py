"""An ncclient SSH session that sends each RPC at once.

ncclient's session thread sends a queued message only when its ``select()``
on the channel returns, which, with nothing to read, is every ``TICK`` (100
ms): each RPC waits up to 100 ms before it even leaves (DESIGN.md §6).  This
session writes the message on the caller's thread instead; the session thread
keeps reading replies as before.  A paramiko channel takes writes from one
thread while another reads, and a lock keeps two writers' frames whole.

With nothing to read, the session's two threads (ncclient's reader and
paramiko's transport) also woke ten times a second each to look for work
they never have here: 40 idle sessions cost 50 ms of CPU a second, every
wake-up taking the interpreter lock from the event path.  Here they wake
every IDLE_WAKEUP seconds (4 ms a second for 40); data and a close still
wake them at once.

Host keys: ncclient would first accept any key found in ``~/.ssh/known_hosts``;
here no file is loaded, so every key goes to the ``unknown_host_cb`` the
driver passes, which applies psvm's own policy (drivers/host_keys.py).
"""

import contextlib
import socket
import threading

from ncclient.transport import session as nc_session
from ncclient.transport import ssh
from ncclient.transport.errors import TransportError


class QuietHostKeysMixin:
    """Leave every host key decision to ``unknown_host_cb``."""

    def load_known_hosts(self, filename=None):
        """Load nothing: the driver's policy knows the keys."""


class StockSSHSession(QuietHostKeysMixin, ssh.SSHSession):
    """ncclient's own sending loop, kept to measure the wait it costs."""


IDLE_WAKEUP = 2.0
"""Seconds an idle session's threads wait before they look again (0.1 in
ncclient and paramiko): paramiko's thread then ends at most this long
after a close, which returns at once."""


class PromptSSHSession(QuietHostKeysMixin, ssh.SSHSession):
    """Sends on the caller's thread; no wait for the next select() tick.

    Its socket has TCP_NODELAY: a message's last segment otherwise waits
    for the switch's delayed ACK of the one before (Nagle), up to 40 ms per
    large read.
    """

    def __init__(self, device_handler):
        super().__init__(device_handler)
        self._sending = threading.Lock()

    def connect(self, *args, **kwargs):
        super().connect(*args, **kwargs)
        sock = self._socket()
        if sock is not None:
            sock.settimeout(IDLE_WAKEUP)
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self):
        """The socket is shut down first: paramiko's thread, in a recv of up
        to IDLE_WAKEUP, would hold a closed socket's connection open until
        that recv ends, and a switch counts it among its few sessions."""
        sock = self._socket()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        super().close()

    def _socket(self):
        """The transport's socket (None before a connect, or when a proxy
        command stands in for one)."""
        sock = getattr(self.transport, 'sock', None)
        return sock if isinstance(sock, socket.socket) else None

    def _transport_register(self, selector, event):
        """ncclient's reader selects on the channel every TICK to send what
        its queue holds; this session's queue stays empty (``send``), so
        its reader waits IDLE_WAKEUP: a reply or a close wakes it anyway."""
        super()._transport_register(selector, event)
        select = selector.select
        selector.select = lambda timeout=None: select(IDLE_WAKEUP)

    def send(self, message):
        if not self.connected:
            raise TransportError('Not connected to NETCONF server')
        data = message.encode()
        if self._base == nc_session.NetconfBase.BASE_11:
            data = b'\n#%d\n%s%s' % (len(data), data, nc_session.END_DELIM)
        else:
            data += nc_session.MSG_DELIM
        with self._sending:
            try:
                self._channel.sendall(data)
            except OSError as exc:
                raise TransportError(f'sending to the NETCONF server failed: {exc}')
