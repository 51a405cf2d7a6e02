"""psvm-listener processes sharing a rig's switches through tooz.

Shared by the several-listeners functional test and benchmark: each
member is its own interpreter (as deployed), with the rig's databases, one
exchange, pool and RPC topic for all, its own ``[DEFAULT] host`` and log.
"""

import os
import signal
import subprocess
import sys

from psvm_listener import coordination
from tests import coordination_backends as backends
from tests import listener_rig
from tests import messaging
from tests import sync_rig

LISTENER = os.path.join(os.path.dirname(sys.executable), 'psvm-listener')


class Members:
    def __init__(self, tmp_path, rig, backend_url, exchange, default_lines=''):
        self.tmp_path = tmp_path
        self.group = backends.unique_group()
        self.conf = sync_rig.make_conf(**{'coordination.backend_url': backend_url,
                                          'coordination.group': self.group})
        self.pool = messaging.pool()
        self.config = listener_rig.write_config(tmp_path, rig, exchange, default_lines,
                                                pool=self.pool)
        with open(self.config, 'a') as config:
            config.write(f'[coordination]\nbackend_url = {backend_url}\n'
                         f'group = {self.group}\nheartbeat_interval = 0.5\n'
                         f'[switches]\nrpc_timeout = 1\n')
        self.processes = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop_all()

    def start(self, member):
        messaging.remember_pool(f'{self.pool}-{member}')
        own = self.tmp_path / f'{member}.conf'
        own.write_text(f'[DEFAULT]\nhost = {member}\nlog_file = {self.tmp_path}/{member}.log\n')
        self.processes[member] = subprocess.Popen(
            [LISTENER, '--config-file', str(self.config), '--config-file', str(own)])

    def kill(self, member):
        """kill -9: no goodbye, its lease and locks expire on their own."""
        process = self.processes.pop(member)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop_all(self):
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def live(self):
        """The group's live members, as the backend says."""
        return coordination.group_members(self.conf, 'test-observer')

    def owners(self, switch_ids):
        return coordination.owners(self.live(), switch_ids)

    def log(self, member):
        path = self.tmp_path / f'{member}.log'
        return path.read_text() if path.exists() else ''
