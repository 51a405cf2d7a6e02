"""An ncclient SSH session that sends each RPC at once.

ncclient's session thread sends a queued message only when its ``select()``
on the channel returns, which, with nothing to read, is every ``TICK`` (100
ms): each RPC waits up to 100 ms before it even leaves (DESIGN.md §6).  This
session writes the message on the caller's thread instead; the session thread
keeps reading replies as before.  A paramiko channel takes writes from one
thread while another reads, and a lock keeps two writers' frames whole.

Host keys: ncclient would first accept any key found in ``~/.ssh/known_hosts``;
here no file is loaded, so every key goes to the ``unknown_host_cb`` the
driver passes, which applies psvm's own policy (drivers/host_keys.py).
"""

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
        sock = getattr(self.transport, 'sock', None)
        if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET,
                                                               socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

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
