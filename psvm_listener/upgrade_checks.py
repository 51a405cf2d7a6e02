"""``psvm-status upgrade check``: is this host ready to run psvm-listener?

Each check (oslo.upgradecheck) says Success, or Failure with one line per
broken precondition naming what to do; the command exits 2 when any
failed.  Run it after installing or upgrading, before (re)starting the
services; it changes nothing.
"""

import os
import stat

import kombu
import oslo_messaging
from oslo_upgradecheck import upgradecheck

from psvm_listener import coordination
from psvm_listener import errors
from psvm_listener import inventory
from psvm_listener import transport
from psvm_listener.db import api as db_api
from psvm_listener.db import migration
from psvm_listener.db import secrets
from psvm_listener.drivers import host_keys

SUCCESS = upgradecheck.Code.SUCCESS
FAILURE = upgradecheck.Code.FAILURE
BROKER_TIMEOUT = 5


def _result(problems, ok=None):
    if problems:
        return upgradecheck.Result(FAILURE, '\n'.join(problems))
    return upgradecheck.Result(SUCCESS, ok)


class Checks(upgradecheck.UpgradeCommands):
    """The preconditions of psvm-listener and psvm-api, one check each."""

    def __init__(self, conf):
        self.conf = conf

    def _get_details(self, result):
        """Each problem on one line, unwrapped: a line to read, grep or paste."""
        return result.details

    def check_database(self):
        """PSVM's database answers and is at the newest migration."""
        head = migration.head()
        try:
            with db_api.Database.from_config(self.conf) as database:
                current = database.schema_version()
        except errors.PsvmError as exc:
            return _result([f"PSVM's database cannot be read: {exc}"])
        if current != head:
            return _result([f"PSVM's database is at revision {current or 'none'}, this "
                            f'psvm-listener needs {head}: run "psvm-manage db sync"'])
        return _result([], f'at revision {head}')

    def check_credential_key(self):
        """The key file exists, holds a Fernet key and only its owner can read it."""
        key_file = self.conf.credentials.key_file
        try:
            secrets.load(key_file)
        except errors.PsvmError as exc:
            return _result([str(exc)])
        mode = stat.S_IMODE(os.stat(key_file).st_mode)
        if mode & 0o077:
            return _result([f'credential key file {key_file} has mode {mode:04o}: others '
                            f'than its owner may read the switch passwords; run '
                            f'"chmod 600 {key_file}"'])
        return _result([], key_file)

    def check_nova_database(self):
        """nova's database answers a SELECT on every table the inventory reads."""
        try:
            reader = inventory.Inventory(self.conf.nova.connection)
        except errors.PsvmError as exc:
            return _result([str(exc)])
        try:
            problems = reader.unreadable_tables()
        except errors.PsvmError as exc:
            return _result([str(exc)])
        finally:
            reader.close()
        return _result([f'cannot SELECT from nova table {table}: {reason}; grant SELECT '
                        f'on it to the user of [nova] connection'
                        for table, reason in sorted(problems.items())])

    def check_message_broker(self):
        """Every RabbitMQ host of [DEFAULT] transport_url accepts a login."""
        transport.register_opts(self.conf)
        url = oslo_messaging.TransportURL.parse(self.conf, self.conf.transport_url)
        if url.transport == 'fake':
            return _result([], 'in-process transport (psvm-lab): no broker to reach')
        if not url.hosts:
            return _result(['[DEFAULT] transport_url names no RabbitMQ host: set it to '
                            'the RabbitMQ nova publishes its notifications to '
                            '(rabbit://USER:PASSWORD@HOST:5672/)'])
        problems = [problem for host in url.hosts
                    if (problem := self._broker_problem(url, host))]
        return _result(problems, ', '.join(f'{h.hostname}:{h.port or 5672}'
                                           for h in url.hosts))

    def _broker_problem(self, url, host):
        where = f'{host.hostname}:{host.port or 5672}'
        connection = kombu.Connection(
            hostname=host.hostname, port=host.port or 5672, userid=host.username,
            password=host.password, virtual_host=url.virtual_host or '/',
            ssl=self.conf.oslo_messaging_rabbit.ssl, connect_timeout=BROKER_TIMEOUT)
        try:
            connection.connect()
        except Exception as exc:  # kombu and amqp raise a dozen unrelated types
            return (f'cannot log in to RabbitMQ at {where} as {host.username}: '
                    f'{type(exc).__name__}: {exc}')
        finally:
            connection.release()
        return None

    def check_host_keys(self):
        """Every switch has a host key to check it against, pinned or in known_hosts."""
        switches_conf = self.conf.switches
        try:
            with db_api.Database.from_config(self.conf) as database:
                switches = database.list_switches()
        except errors.PsvmError as exc:
            return _result([f"cannot list the switches in PSVM's database: {exc}"])
        missing = [s for s in switches if not host_keys.HostKeyPolicy(
            s['host_key'], switches_conf.known_hosts_file).has_key(s['ip'], s['port'])]
        return _result(
            [f"switch {s['id']} ({s['ip']}:{s['port']}) has no pinned host key: run "
             f"\"psvm-manage switch set {s['id']} --host-key SHA256:...\" with the "
             f'fingerprint the switch shows ("show ssh key")' for s in missing],
            f'{len(switches)} switches')

    def check_coordination(self):
        """The coordination backend answers, and a fenced listener's last
        RPC to a switch ends before its lock's lease can."""
        if not coordination.enabled(self.conf):
            return _result([], 'no backend: one psvm-listener syncs every switch')
        try:
            members, lease = coordination.probe(
                self.conf, f'psvm-status-{self.conf.host}-{os.getpid()}')
        except errors.PsvmError as exc:
            return _result([f'[coordination] backend_url does not answer: {exc}'])
        rpc_timeout = self.conf.switches.rpc_timeout
        if rpc_timeout >= lease * coordination.FENCE_SHARE:
            return _result([
                f'[switches] rpc_timeout ({rpc_timeout:g} s) is not under half the '
                f'coordination lease ({lease:g} s): a fenced listener\'s last RPC could '
                f'outlive its switch lock; lower rpc_timeout, or raise the timeout '
                f'parameter of [coordination] backend_url'])
        return _result([], f'group {self.conf.coordination.group}: {len(members)} live '
                           f'members ({", ".join(sorted(members)) or "none yet"}), '
                           f'lease {lease:g} s')

    _upgrade_checks = (
        ("PSVM's database schema", check_database),
        ('Credential key file', check_credential_key),
        ("nova's database", check_nova_database),
        ('Message broker', check_message_broker),
        ('Switch host keys', check_host_keys),
        ('Coordination backend', check_coordination),
    )
