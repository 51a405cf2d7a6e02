"""Coordination backends for tests: the shared Redis, and private Redis and
etcd servers on free ports that a test may stop, freeze and bring back.

tooz's ``timeout`` parameter is the heartbeat and lock lease: a few seconds,
so that a takeover happens within a test's patience.
"""

import contextlib
import shutil
import signal
import socket
import subprocess
import uuid

from psvm_listener.lab.scenario import wait_until

SHARED_REDIS = 'redis://127.0.0.1:6379'
LEASE = 3


def unique_group():
    return f'psvm-test-{uuid.uuid4().hex[:10]}'


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def answers(port):
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=0.5):
            return True
    except OSError:
        return False


class Server:
    """One private backend process; ``url`` stays valid across restart()."""

    def __init__(self, tmp_path, kind):
        self.kind = kind
        self.tmp_path = tmp_path
        self.port = free_port()
        self.peer_port = free_port()
        scheme = 'redis' if kind == 'redis' else 'etcd3+http'
        self.url = f'{scheme}://127.0.0.1:{self.port}?timeout={LEASE}'
        self.process = None

    def _command(self):
        if self.kind == 'redis':
            return ['redis-server', '--port', str(self.port), '--bind', '127.0.0.1',
                    '--save', '', '--appendonly', 'no']
        etcd = shutil.which('etcd')
        assert etcd, 'etcd not found: apt-get install -y etcd-server (as .ci/run does)'
        peer = f'http://127.0.0.1:{self.peer_port}'
        client = f'http://127.0.0.1:{self.port}'
        return [etcd, '--name', 'psvm-test', '--data-dir', str(self.tmp_path / 'etcd'),
                '--listen-client-urls', client, '--advertise-client-urls', client,
                '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
                '--initial-cluster', f'psvm-test={peer}']

    def start(self):
        self.process = subprocess.Popen(self._command(), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_until(lambda: answers(self.port), 30, f'private {self.kind} on port {self.port}')
        return self

    def stop(self):
        """Gone: connections are refused (its data is lost with it)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()
            self.process = None

    def freeze(self):
        """Unreachable the hard way: connections hang, nothing is refused."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)


@contextlib.contextmanager
def private(tmp_path, kind):
    server = Server(tmp_path, kind).start()
    try:
        yield server
    finally:
        server.stop()

