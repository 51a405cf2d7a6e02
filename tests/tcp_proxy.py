"""A TCP proxy a test controls: forward, cut, stall, restore.

It stands between a client and a real server (MariaDB, here) to play the
network faults a database failover brings:

- ``cut()``: every connection is reset and new ones are refused at once
  (the server is down, the host answers);
- ``stall()``: connections stay open but no byte goes through, either way,
  and new ones are accepted and then get nothing (a dead host behind a
  silent network: no FIN, no RST; what a pooled connection sees after a
  failover);
- ``restore()``: new connections go through again; the connections that
  were stalled are reset, as the old server's are after a failover;
- ``failover()``: the connections open now go silent for good (no byte,
  no FIN, no RST), new ones go through: a failover to another server whose
  clients' old connections only a timeout can end.
"""

import selectors
import socket
import threading

FORWARDING, CUT, STALLED = 'forwarding', 'cut', 'stalled'
CHUNK = 65536


def _reset(sock):
    """Close with an RST, as a host that lost the connection's state does."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
    except OSError:
        pass
    sock.close()


class _Pair:
    """One client connection and its upstream connection."""

    def __init__(self, client, upstream):
        self.client = client
        self.upstream = upstream
        self.closed = False
        self.silent = False

    def close(self):
        if not self.closed:
            self.closed = True
            _reset(self.client)
            if self.upstream is not None:
                _reset(self.upstream)


class TcpProxy:
    """Listens on 127.0.0.1 (``port``) and forwards to ``target`` (host, port)."""

    def __init__(self, target):
        self.target = target
        self.state = FORWARDING
        self._listener = socket.create_server(('127.0.0.1', 0))
        self.port = self._listener.getsockname()[1]
        self._pairs = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._changed = threading.Condition(self._lock)
        self._threads = [threading.Thread(target=self._accept, daemon=True)]

    def __enter__(self):
        self._threads[0].start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def url_for(self, url_template):
        """``url_template`` with ``{port}`` filled in."""
        return url_template.format(port=self.port)

    def cut(self):
        self._set(CUT, reset=True)

    def stall(self):
        self._set(STALLED, reset=False)

    def restore(self):
        self._set(FORWARDING, reset=True)

    def failover(self):
        with self._changed:
            for pair in self._pairs:
                pair.silent = True
            self._changed.notify_all()

    def connections(self):
        with self._lock:
            return sum(not pair.closed for pair in self._pairs)

    def stop(self):
        self._stopped.set()
        self._set(CUT, reset=True)
        self._listener.close()
        for thread in self._threads:
            thread.join(5)

    def _set(self, state, reset):
        with self._changed:
            self.state = state
            pairs = self._pairs if reset else []
            self._pairs = [] if reset else self._pairs
            self._changed.notify_all()
        for pair in pairs:
            pair.close()

    def _accept(self):
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                state = self.state
            if state == CUT:
                _reset(client)
                continue
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, client):
        pair = _Pair(client, None)
        with self._lock:
            self._pairs.append(pair)
            if not self._changed.wait_for(lambda: self.state != STALLED or pair.closed):
                return
            if pair.closed:
                return
        try:
            pair.upstream = socket.create_connection(self.target, timeout=10)
        except OSError:
            pair.close()
            return
        self._pump(pair)

    def _pump(self, pair):
        """Copy bytes both ways while forwarding; hold them while stalled."""
        selector = selectors.DefaultSelector()
        selector.register(pair.client, selectors.EVENT_READ, pair.upstream)
        selector.register(pair.upstream, selectors.EVENT_READ, pair.client)
        try:
            while not pair.closed:
                with self._lock:
                    if self.state == STALLED or pair.silent:
                        self._changed.wait(0.1)
                        continue
                for key, _ in selector.select(0.1):
                    data = key.fileobj.recv(CHUNK)
                    if not data:
                        pair.close()
                        break
                    key.data.sendall(data)
        except OSError:
            pair.close()
        finally:
            selector.close()
