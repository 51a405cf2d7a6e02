"""A private RabbitMQ node for the tests that restart a broker or close its
connections: the machine's shared broker (127.0.0.1:5672) is never touched.

The node has its own name, AMQP and distribution ports, config, env file,
plugin list, database and logs, all in a temporary directory the
``rabbitmq`` user owns (the Debian wrapper runs every rabbitmq command as
that user, so the node and ``rabbitmqctl`` share its Erlang cookie).  Every
``rabbitmqctl`` call names the node with ``-n``.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid

import kombu

from psvm_listener.lab.scenario import wait_until

RABBITMQ_SERVER = 'rabbitmq-server'
RABBITMQCTL = 'rabbitmqctl'
START_TIMEOUT = 120


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class PrivateRabbit:
    """``start()`` a node, ``stop_app``/``start_app``/``close_all_connections``
    it, ``stop()`` it and remove its files."""

    def __init__(self):
        self.name = f'psvm-chaos-{uuid.uuid4().hex[:8]}@localhost'
        self.port = free_port()
        self.dist_port = free_port()
        self.base = tempfile.mkdtemp(prefix='psvm-chaos-rabbit-')
        self.url = f'rabbit://guest:guest@127.0.0.1:{self.port}/'
        self.amqp_url = f'amqp://guest:guest@127.0.0.1:{self.port}//'

    def _files(self):
        user = pwd.getpwnam('rabbitmq')
        with open(os.path.join(self.base, 'rabbitmq.conf'), 'w') as conf:
            conf.write(f'listeners.tcp.local = 127.0.0.1:{self.port}\n'
                       f'log.file.level = warning\n')
        with open(os.path.join(self.base, 'rabbitmq-env.conf'), 'w') as env:
            env.write(f'NODENAME={self.name}\nERL_EPMD_ADDRESS=127.0.0.1\n')
        with open(os.path.join(self.base, 'enabled_plugins'), 'w') as plugins:
            plugins.write('[].\n')
        for directory, _, files in os.walk(self.base):
            os.chown(directory, user.pw_uid, user.pw_gid)
            for name in files:
                os.chown(os.path.join(directory, name), user.pw_uid, user.pw_gid)

    def environment(self):
        return dict(os.environ,
                    RABBITMQ_NODENAME=self.name,
                    RABBITMQ_NODE_IP_ADDRESS='127.0.0.1',
                    RABBITMQ_NODE_PORT=str(self.port),
                    RABBITMQ_DIST_PORT=str(self.dist_port),
                    RABBITMQ_CONFIG_FILE=os.path.join(self.base, 'rabbitmq.conf'),
                    RABBITMQ_CONF_ENV_FILE=os.path.join(self.base, 'rabbitmq-env.conf'),
                    RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(self.base, 'enabled_plugins'),
                    RABBITMQ_MNESIA_BASE=os.path.join(self.base, 'mnesia'),
                    RABBITMQ_LOG_BASE=os.path.join(self.base, 'log'),
                    RABBITMQ_PID_FILE=os.path.join(self.base, 'rabbit.pid'),
                    ERL_EPMD_ADDRESS='127.0.0.1')

    def ctl(self, *args, timeout=60):
        """``rabbitmqctl -n NODE args``; raises if it fails."""
        result = subprocess.run([RABBITMQCTL, '-n', self.name, *args], env=self.environment(),
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f'rabbitmqctl {" ".join(args)} failed: {result.stdout}'
                               f'{result.stderr}')
        return result.stdout

    def start(self):
        self._files()
        subprocess.run([RABBITMQ_SERVER, '-detached'], env=self.environment(), check=True,
                       capture_output=True, timeout=60)
        try:
            self.ctl('wait', '--timeout', str(START_TIMEOUT),
                     os.path.join(self.base, 'rabbit.pid'), timeout=START_TIMEOUT + 10)
            self.wait_answering()
        except Exception:
            self.stop()
            raise
        return self

    def wait_answering(self, timeout=60):
        """Until the AMQP port accepts connections."""
        wait_until(self._answers, timeout, f'private RabbitMQ on port {self.port}',
                   interval=0.2)

    def _answers(self):
        try:
            with socket.create_connection(('127.0.0.1', self.port), timeout=1):
                return True
        except OSError:
            return False

    def vhost(self, name):
        """A new virtual host ``name`` for guest; returns its transport URL.
        Tests with other ``amqp_durable_queues`` than their neighbours need
        one: oslo.messaging's publishers all declare ``notifications.info``.
        """
        self.ctl('add_vhost', name)
        self.ctl('set_permissions', '-p', name, 'guest', '.*', '.*', '.*')
        return f'{self.url}{name}'

    def stop_app(self):
        self.ctl('stop_app')

    def start_app(self):
        self.ctl('start_app')
        self.wait_answering()

    def delete_exchange(self, name):
        """Delete exchange ``name`` (and so every binding from it), as a
        restart does to a non-durable one."""
        with kombu.Connection(self.amqp_url) as connection:
            kombu.Exchange(name).bind(connection.default_channel).delete()

    def close_all_connections(self):
        self.ctl('close_all_connections', 'psvm chaos test')

    def queue_length(self, queue):
        """Messages ready in ``queue`` (None if it does not exist)."""
        for line in self.ctl('list_queues', '-q', '--no-table-headers', 'name',
                             'messages').splitlines():
            name, _, count = line.rpartition('\t')
            if name == queue:
                return int(count)
        return None

    def stop(self):
        """Stop the node (whatever state it is in) and remove its files."""
        try:
            self.ctl('stop', timeout=120)
        except (RuntimeError, subprocess.TimeoutExpired):
            self._kill()
        shutil.rmtree(self.base, ignore_errors=True)

    def _kill(self):
        """The node did not stop when asked: end it by its own pid file."""
        try:
            with open(os.path.join(self.base, 'rabbit.pid')) as pid_file:
                pid = int(pid_file.read().strip())
        except (OSError, ValueError):
            return
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
