"""The chaos world: real psvm-listener processes over real parts, and faults.

Three lab switches (8 bound host ports each), nova on MariaDB behind a TCP
proxy the test controls (the listener reaches nova only through it; the
test writes nova directly, in nova's order: the instance first, then its
notification), PSVM's own SQLite database, and RabbitMQ: the shared broker,
with names of its own, or a private node for the tests that restart it.

Every published notification carries a sequence number (in its instance
uuid); each listener logs at DEBUG the instance of every notification it
handled, so ``lost()`` names each one no listener handled.  ``wrong()``
names each bound port whose allowed VLANs differ from what nova needs.
"""

import contextlib
import datetime
import os
import re
import signal
import subprocess
import sys
import time

import sqlalchemy as sa

from nexus_sim import LabSwitch
from psvm_listener.lab import publisher
from psvm_listener.lab import scenario
from tests import databases
from tests import messaging
from tests import sync_rig
from tests import tcp_proxy

PSVM_LISTENER = os.path.join(os.path.dirname(sys.executable), 'psvm-listener')
SWITCHES = 3
PORTS = 8
IGNORED = frozenset({1})
UUID_PREFIX = '00000000-0000-4000-8000-'
STARTED = re.compile(r'psvm-listener \S+ started: ')
REBOUND = re.compile(r'^(\S+ \S+) \d+ WARNING psvm_listener.broker \[-\] Reconnected to RabbitMQ',
                     re.MULTILINE)
HANDLED = re.compile(r'Handled \S+ notification \S+ from \S+ about instance '
                     + UUID_PREFIX + r'(\d{12})')


def instance(seq):
    return f'{UUID_PREFIX}{seq:012d}'


class Listener:
    """One psvm-listener process with a log file of its own."""

    def __init__(self, config, log):
        self.log = log
        self.process = subprocess.Popen(
            [PSVM_LISTENER, '--config-file', str(config), '--log-file', str(log)],
            stdout=subprocess.DEVNULL, stderr=open(f'{log}.stderr', 'w'))

    def text(self):
        return self.log.read_text() if self.log.exists() else ''

    def wait_started(self, timeout=60):
        scenario.wait_until(lambda: STARTED.search(self.text()), timeout,
                            'psvm-listener started', interval=0.1)

    def terminate(self, timeout=60):
        """SIGTERM, as systemd stops a service; returns the exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def kill(self):
        self.process.kill()
        self.process.wait(30)

    def alive(self):
        return self.process.poll() is None


class World:
    def __init__(self, tmp_path, transport_url=messaging.RABBIT, durable_nova=False,
                 nova_kind='mysql', **options):
        """``durable_nova``: nova and psvm both set ``amqp_durable_queues``;
        ``nova_kind``: nova's database server (tests.databases.KINDS)."""
        self.tmp_path = tmp_path
        self.nova_kind = nova_kind
        self.transport_url = transport_url
        self.durable_nova = durable_nova
        self._stack = contextlib.ExitStack()
        try:
            self._build(options)
        except BaseException:
            self._stack.close()
            raise

    def _build(self, options):
        stack = self._stack
        self.switches = [stack.enter_context(LabSwitch(users={'admin': 'secret'},
                                                       ports=f'1/1-{PORTS}',
                                                       name=f'chaos{index + 1}'))
                         for index in range(SWITCHES)]
        self.nova_url = stack.enter_context(databases.fresh_database(self.nova_kind,
                                                                     self.tmp_path))
        server = sa.engine.make_url(self.nova_url)
        self.proxy = stack.enter_context(tcp_proxy.TcpProxy((server.host, server.port)))
        self.rig = sync_rig.Rig(self.tmp_path, self.switches[0], nova_url=self.nova_url)
        stack.callback(self.rig.close)
        switch_ids = [self.rig.switch_id] + [self.rig.add_switch(s) for s in self.switches[1:]]
        self.port_of = {}
        for index, switch_id in enumerate(switch_ids):
            for number in range(1, PORTS + 1):
                host = f'h{index + 1}-{number}'
                self.rig.host(host, f'ethernet1/{number}', switch_id=switch_id)
                self.port_of[host] = (index, f'ethernet1/{number}')
        self.hosts = sorted(self.port_of)
        self.exchange = messaging.unique('nova')
        self.pool = messaging.unique('psvm-chaos')
        self.config = self._write_config(options)
        self.notify = messaging.notification_transport(url=self.transport_url,
                                                       exchange=self.exchange,
                                                       durable=self.durable_nova)
        stack.callback(self.notify.cleanup)
        self.nova = publisher.NovaPublisher(self.notify)
        if self.transport_url == messaging.RABBIT:
            stack.callback(messaging.delete_pool, self.pool)
        self.listeners = []
        stack.callback(self._stop_listeners)
        self.published = set()
        self.published_at = {}
        self._seq = 0

    def _write_config(self, options):
        """Timers slow enough that no fault is hidden by a periodic full sync."""
        proxied = sa.engine.make_url(self.nova_url).set(port=self.proxy.port).render_as_string(
            hide_password=False)
        values = {
            'DEFAULT': {'psvm': True, 'debug': True, 'transport_url': self.transport_url,
                        'psvm_sync_interval': 3600, 'psvm_network_poll_interval': 2},
            'database': {'connection': self.rig.conf.database.connection},
            'nova': {'connection': proxied, 'connect_timeout': 2, 'query_timeout': 2},
            'credentials': {'key_file': self.rig.key_file},
            'switches': {'connect_timeout': 2, 'rpc_timeout': 3, 'busy_retry_seconds': 1},
            'listener': {'exchange': self.exchange, 'pool': self.pool,
                         'rpc_topic': messaging.unique('psvm-chaos-rpc'), 'metrics_port': 0,
                         'retry_base': 0.2, 'retry_cap': 4, 'bindings_wait': 1,
                         'shutdown_timeout': 30},
            'oslo_messaging_rabbit': {'amqp_durable_queues': self.durable_nova},
        }
        for name, value in options.items():
            group, _, option = name.rpartition('.')
            values.setdefault(group or 'DEFAULT', {})[option] = value
        config = self.tmp_path / 'psvm.conf'
        config.write_text(''.join(
            f'[{group}]\n' + ''.join(f'{k} = {v}\n' for k, v in opts.items())
            for group, opts in values.items()))
        return config

    # -- the listener --------------------------------------------------------

    def start_listener(self, wait=True):
        listener = Listener(self.config, self.tmp_path / f'listener-{len(self.listeners)}.log')
        self.listeners.append(listener)
        if wait:
            listener.wait_started()
        return listener

    def _stop_listeners(self):
        for listener in self.listeners:
            if listener.alive():
                listener.kill()

    # -- nova ----------------------------------------------------------------

    def publish(self, count, hosts=None, send=True):
        """``count`` instances booted in nova, each then notified (unless not
        ``send``); returns their sequence numbers."""
        hosts = hosts or self.hosts
        sent = []
        for _ in range(count):
            self._seq += 1
            seq = self._seq
            host = hosts[seq % len(hosts)]
            self.rig.nova.boot(instance(seq), host, self.rig.network(100 + seq % 40))
            if send:
                self.nova.create(instance(seq), host)
                self.published.add(seq)
                self.published_at[seq] = time.time()
            sent.append(seq)
        return sent

    # -- what a user checks --------------------------------------------------

    def handled(self):
        return {int(seq) for listener in self.listeners
                for seq in HANDLED.findall(listener.text())}

    def lost(self):
        return self.published - self.handled()

    def wrong(self):
        """Bound ports whose allowed VLANs are not what nova needs now."""
        needed = self.rig.inventory.vlans_by_host(self.hosts)
        return sorted(host for host, (index, port) in self.port_of.items()
                      if self.switches[index].allowed(port) != needed[host] | IGNORED)

    def rebound_at(self):
        """Wall-clock times at which a listener bound nova's exchange again
        after losing RabbitMQ (from its log)."""
        return [datetime.datetime.strptime(stamp, '%Y-%m-%d %H:%M:%S.%f').timestamp()
                for listener in self.listeners for stamp in REBOUND.findall(listener.text())]

    def published_between(self, start, end):
        """Sequence numbers whose publish returned between two wall-clock times."""
        return {seq for seq, at in self.published_at.items() if start <= at <= end}

    def converge(self, since=None, timeout=90, unreachable=frozenset()):
        """Seconds (from ``since``, a monotonic time, or now) until every port
        is right and every notification handled (but those ``unreachable``:
        the broker never routed them to psvm)."""
        started = time.monotonic() if since is None else since
        scenario.wait_until(lambda: not self.lost() - unreachable and not self.wrong(),
                            timeout, 'every port right and every notification handled',
                            interval=0.2)
        return time.monotonic() - started

    def figures(self, case, converged, **extra):
        return {'case': case, 'converged_s': round(converged, 2),
                'ports_wrong': len(self.wrong()), 'notifications_lost': len(self.lost()),
                'notifications': len(self.published), **extra}

    def close(self):
        self._stack.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
