"""Every oslo.config option of psvm-listener, and how a process loads them.

Options are registered at import so that oslo-config-generator (through
``list_opts``) and every process see the same set.  Values are checked once at
start-up by ``load``: oslo.config converts values lazily, so a bad value in a
file would otherwise surface only when first read, deep inside a sync.
"""

import socket

from oslo_config import cfg
from oslo_config import types
from oslo_middleware import opts as middleware_opts

from psvm_listener import version
from psvm_listener import vlans

CONF = cfg.CONF

VLAN_ID = types.Integer(min=1, max=4094)


class VlanList(types.String):
    """An NX-OS VLAN list ("10-20,40"), kept as NX-OS writes it; '' or 'all'
    stand for every VLAN and come back as ''."""

    def __call__(self, value):
        value = super().__call__(value)
        try:
            parsed = vlans.parse(value)
        except vlans.InvalidVlanList as exc:
            raise ValueError(f'{value!r} is not a VLAN list: {exc}')
        return '' if parsed is vlans.ALL or not value.strip() else vlans.format(parsed)

default_opts = [
    cfg.BoolOpt('psvm', default=False,
                help='Master switch: psvm-listener changes switch ports only '
                     'when this is True; otherwise it refuses to start its '
                     'syncs.'),
    cfg.StrOpt('psvm_plugin', default='cisco_nexus_plugin.CiscoNEXUSPlugin',
               help='Sync plugin, by entry point name in the '
                    'psvm_listener.plugins namespace ("cisco_nexus"; the '
                    'seed name cisco_nexus_plugin.CiscoNEXUSPlugin is an '
                    'alias).'),
    cfg.StrOpt('psvm_driver',
               default='cisco_nexus_network_driver.CiscoNEXUSDriver',
               help='Switch driver, by entry point name in the '
                    'psvm_listener.drivers namespace ("cisco_nexus_netconf";'
                    ' the seed name cisco_nexus_network_driver.CiscoNEXUSDriver'
                    ' is an alias).'),
    cfg.ListOpt('psvm_ignore_vlans', default=[1], item_type=VLAN_ID,
                help='VLANs never added to nor removed from any port '
                     '(the native VLAN 1 by default). Each must be 1-4094.'),
    cfg.Opt('psvm_managed_vlans', type=VlanList(), default='',
               help='VLANs psvm-listener may add to and remove from ports, as '
                    'an NX-OS list ("100-3000"); VLANs outside it are never '
                    'touched on any port, so a port keeps the storage or '
                    'management VLANs an operator set by hand. A switch\'s '
                    'own managed_vlans overrides it. Empty: every VLAN '
                    '(1-4094). psvm_ignore_vlans is left alone either way.'),
    cfg.IntOpt('psvm_sync_interval', default=60, min=1,
               help='Seconds between two full syncs of every port of every '
                    'switch; repairs drift made outside psvm-listener.'),
    cfg.FloatOpt('psvm_sync_jitter', default=0.1, min=0.0, max=1.0,
                 help='Share of psvm_sync_interval by which each full sync '
                      'is randomly delayed, so that many listeners do not '
                      'hit the switches at the same instant.'),
    cfg.IntOpt('psvm_network_poll_interval', default=5, min=1,
               help='Seconds between two polls of nova\'s database for what '
                    'nova does not notify: network host associations, '
                    'instance host changes and migration status changes.'),
    cfg.FloatOpt('psvm_max_removal_ratio', default=0.5, min=0.0, max=1.0,
                 help='A sync that would remove more than this share of a '
                      'switch\'s allowed VLANs is refused and reported unless '
                      'forced.'),
    cfg.IntOpt('psvm_lif_limit', default=32000, min=1,
               help='Spanning-tree logical interfaces (ports x VLANs) a '
                    'switch may carry; a sync that would cross it is refused. '
                    'Nexus 5500 on 5.1(3)N1(1): 32,000.'),
    cfg.StrOpt('host', default=socket.gethostname(), sample_default='<host name>',
               help='Name of this psvm-listener among several: its member id in '
                    'the coordination group and the server name of its resync '
                    'RPC server. Must be unique per process.'),
    cfg.StrOpt('state_path', default='/var/lib/psvm',
               help='Directory for psvm-listener\'s own files (the default '
                    'SQLite database, the credential key). The same for '
                    'every process, whatever its working directory, so the '
                    'services and an administrator\'s psvm-manage share one '
                    'database and one key.'),
]

database_opts = [
    cfg.StrOpt('connection', secret=True,
               default='sqlite:///$state_path/psvm.sqlite',
               help='SQLAlchemy URL of psvm-listener\'s own database '
                    '(switches, credentials, bindings).'),
]


def _timeout_opts(database):
    """Connect and query timeouts of a database server (MariaDB/MySQL through
    PyMySQL or mysqlclient, PostgreSQL through psycopg2)."""
    return [
        cfg.FloatOpt('connect_timeout', default=10.0, min=0.1,
                     help=f'Seconds to open a connection to {database} before it '
                          f'counts as unavailable (retried later).'),
        cfg.FloatOpt('query_timeout', default=10.0, min=0.1,
                     help=f'Seconds one query to {database} may take to be sent '
                          f'and answered (MySQL: read and write timeout of the '
                          f'socket; PostgreSQL: statement_timeout, and TCP '
                          f'keepalives and tcp_user_timeout of the same length) '
                          f'before the connection counts as dead and the work is '
                          f'retried later. Pooled connections are also pinged '
                          f'before use and recycled hourly.'),
    ]


database_opts.extend(_timeout_opts("psvm-listener's own database"))

nova_opts = [
    cfg.StrOpt('connection', secret=True,
               help='SQLAlchemy URL of nova\'s database, read only (no '
                    'default: it is nova\'s, never a file of psvm-listener). '
                    'Give a user with SELECT on networks, fixed_ips, '
                    'instances, virtual_interfaces, migrations, compute_nodes '
                    'and services (etc/psvm/nova-grants.sql).'),
    *_timeout_opts("nova's database"),
]

credential_opts = [
    cfg.StrOpt('key_file', default='$state_path/credential.key',
               help='Fernet key file that encrypts switch passwords at rest; '
                    'written by "psvm-manage credential-key generate".'),
]

switch_opts = [
    cfg.FloatOpt('connect_timeout', default=10.0, min=0.1,
                 help='Seconds to open a session to a switch (TCP, SSH, '
                      'NETCONF hello) before it counts as unreachable.'),
    cfg.FloatOpt('rpc_timeout', default=30.0, min=0.1,
                 help='Seconds a switch may take to answer one NETCONF RPC '
                      'before the session is closed and the sync retried '
                      'later.'),
    cfg.FloatOpt('busy_retry_seconds', default=10.0, min=0.0,
                 help='How long to keep retrying, with exponential backoff, '
                      'a switch that answers "xml session exceeded max '
                      'allowed" before giving up until the next sync.'),
    cfg.StrOpt('known_hosts_file', default='',
               help='OpenSSH known_hosts file with the host keys of switches '
                    'that have no pinned key. Empty: only pinned keys are '
                    'accepted.'),
    cfg.BoolOpt('trust_on_first_use', default=False,
                help='Accept the host key of a switch that has neither a '
                     'pinned key nor a known_hosts entry, and record it in '
                     'known_hosts_file. Off: such a switch is refused.'),
    cfg.IntOpt('max_list_items', default=64, min=1,
               help='Most comma-separated VLAN items (a range is one) sent '
                    'in one allowed-vlan or VLAN command; longer lists are '
                    'split, as the switch truncates them.'),
    cfg.IntOpt('max_list_chars', default=512, min=10,
               help='Most characters of one VLAN list sent in one command.'),
    cfg.IntOpt('max_sessions', default=1, min=1, max=7,
               help='Sessions all of psvm together may have editing one switch '
                    'at once (every listener and psvm-manage); NX-OS allows 8 '
                    'XML sessions for everyone, the rest is left to operators. '
                    'Enforced through [coordination] locks when a backend is '
                    'set; within one process, by counting its open sessions '
                    '(a session that timed out is closed at the socket level '
                    'before another is opened).'),
    cfg.BoolOpt('save_config', default=False,
                help='Copy the running configuration of a switch that a sync '
                     'changed to its startup configuration, save_delay after '
                     'the last change, so that a reload keeps the changes.'),
    cfg.FloatOpt('save_delay', default=30.0, min=0.0,
                 help='Seconds from the last change not yet saved to the save '
                      '(save_config): a burst of changes costs one copy '
                      'running-config startup-config. Steady changes are '
                      'saved at least every 10 save_delay.'),
    cfg.FloatOpt('reconnect_interval', default=1.0, min=0.05,
                 help='Seconds between two attempts to reach a switch that '
                      'dropped its sessions or refuses connections (a '
                      'reload): it is fully synced as soon as it answers.'),
    cfg.StrOpt('nxapi_ca_bundle', default='',
               help='CA bundle (PEM) that verifies the NX-API certificate, and '
                    'its host name, of a switch whose record pins no '
                    'certificate fingerprint (host_key). Empty: only pinned '
                    'certificates are accepted; TLS is never left unverified.'),
]


api_opts = [
    cfg.HostAddressOpt('bind_host', default='127.0.0.1',
                       help='Address psvm-api listens on. Loopback by default: '
                            'put it behind a TLS proxy to serve other hosts.'),
    cfg.PortOpt('bind_port', default=9797,
                help='TCP port psvm-api listens on (0: any free port).'),
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=('keystone', 'http_basic', 'noauth'),
               help='How psvm-api authenticates callers: keystone tokens '
                    '(keystonemiddleware, see [keystone_authtoken]), HTTP '
                    'basic against http_basic_auth_user_file, or noauth '
                    '(everyone is admin; refused unless bind_host is '
                    'loopback).'),
    cfg.StrOpt('http_basic_auth_user_file', default='/etc/psvm/htpasswd',
               help='htpasswd file of bcrypt hashes ("htpasswd -B") for '
                    'auth_strategy http_basic.'),
    cfg.ListOpt('http_basic_roles', default=['admin'],
                help='Roles every user of http_basic_auth_user_file has, '
                     'as seen by the policy rules.'),
    cfg.IntOpt('threads', default=8, min=1,
               help='Threads of psvm-api that serve requests.'),
    cfg.IntOpt('max_request_body_size', default=65536, min=1024,
               help='Largest request body psvm-api reads, in bytes; a larger '
                    'one gets 413.'),
]

listener_opts = [
    cfg.StrOpt('exchange', default='nova',
               help='Exchange nova publishes its notifications to (nova\'s '
                    'control_exchange).'),
    cfg.ListOpt('topics', default=['notifications', 'versioned_notifications'],
                help='Notification topics to consume: legacy and versioned.'),
    cfg.StrOpt('pool', default='psvm-listener-notifications',
               help='Name of psvm-listener\'s own queue on the notification '
                    'topics, so other consumers (ceilometer...) keep theirs.'),
    cfg.StrOpt('rpc_topic', default='psvm-listener',
               help='Topic of the resync RPC server (psvm-manage sync, '
                    'psvm-api).'),
    cfg.HostAddressOpt('metrics_address', default='127.0.0.1',
                       help='Address of the Prometheus /metrics endpoint.'),
    cfg.PortOpt('metrics_port', default=9464,
                help='TCP port of the Prometheus /metrics endpoint '
                     '(0: any free port, logged at start).'),
    cfg.FloatOpt('shutdown_timeout', default=30.0, min=0.0,
                 deprecated_opts=[cfg.DeprecatedOpt('graceful_shutdown_timeout',
                                                    group='DEFAULT')],
                 help='Seconds a stopping listener (SIGTERM) has, once it '
                      'stopped consuming, to sync every port still dirty; '
                      'what is left is logged by switch and port and the '
                      'switch sessions are closed.'),
    cfg.FloatOpt('bindings_wait', default=5.0, min=0.0,
                 help='Seconds a notification waits for the bindings of '
                      'hosts to ports while they could never be read (nova\'s '
                      'database unreadable since start) before it is '
                      'requeued; it is never acknowledged unmarked.'),
    cfg.FloatOpt('move_intent_ttl', default=1800.0, min=1.0,
                 help='Seconds a move announced by a notification (live '
                      'migration pre.start, resize prep) keeps the '
                      'instance\'s VLANs on the destination if no end of '
                      'the move is ever seen.'),
    cfg.FloatOpt('move_recheck_delay', default=2.0, min=0.0,
                 help='Seconds after an event that ends a move (live '
                      'migration post/rollback, resize confirm/revert, '
                      'rebuild, unshelve) when the move\'s hosts are marked '
                      'once more, to catch nova\'s database writes that '
                      'trail the notification.'),
    cfg.FloatOpt('retry_base', default=0.5, min=0.01,
                 help='Seconds before the first retry of a failed sync of a '
                      'switch; doubled after each further failure.'),
    cfg.FloatOpt('retry_cap', default=60.0, min=0.01,
                 help='Longest wait between two retries of a failing switch.'),
    cfg.FloatOpt('sync_debounce', default=0.02, min=0.0, max=1.0,
                 help='Seconds at least between two syncs of a switch taking '
                      'their batches: the first dirty port of an idle switch '
                      'is synced at once, and the ports marked after it wait '
                      'so that one read and one edit carry a burst\'s ports '
                      '(0: take at once).'),
    cfg.IntOpt('concurrent_syncs', default=8, min=1,
               help='Switches synced (or saved) at once, at most.  A sync is '
                    'a few milliseconds of CPU under one interpreter lock: '
                    'more at once starve the thread that consumes '
                    'notifications, whose marks would otherwise merge into '
                    'the waiting switches\' next batches.  A switch that '
                    'hangs holds one until [switches] rpc_timeout.'),
    cfg.FloatOpt('record_interval', default=0.5, min=0.0, max=60.0,
                 help='Seconds the last-sync records of switches are held '
                      'and written together in one transaction (0: each '
                      'sync writes its own).'),
]

coordination_opts = [
    cfg.StrOpt('backend_url', default='', secret=True,
               help='tooz URL of the coordination backend that lets several '
                    'psvm-listeners share the switches (for example '
                    'etcd3+http://etcd.example.net:2379?timeout=10 or '
                    'redis://redis.example.net:6379?timeout=10; the timeout '
                    'is the heartbeat and lock lease in seconds). Empty: one '
                    'psvm-listener owns every switch and needs no backend.'),
    cfg.StrOpt('group', default='psvm-listener',
               help='tooz group the psvm-listeners of one cloud join; its '
                    'members share the switches.'),
    cfg.FloatOpt('heartbeat_interval', default=1.0, min=0.1,
                 help='Seconds between two heartbeats of this member; each also '
                      'reads the group, so a dead member\'s switches are taken '
                      'over at most this long after its lease expired.'),
]


def list_opts():
    """Options by group, for oslo-config-generator."""
    return [
        (None, default_opts),
        ('database', database_opts),
        ('nova', nova_opts),
        ('credentials', credential_opts),
        ('switches', switch_opts),
        ('api', api_opts),
        ('listener', listener_opts),
        ('coordination', coordination_opts),
    ]


def register(conf=CONF):
    for group, opts in list_opts():
        conf.register_opts(opts, group=group)
    register_middleware(conf)


def register_middleware(conf):
    """oslo.middleware's options, with psvm-api's /healthcheck checking the
    database (backend psvm_database) unless configured otherwise."""
    for group, opts in (middleware_opts.list_opts_healthcheck()
                        + middleware_opts.list_opts_http_proxy_to_wsgi()):
        conf.register_opts(opts, group=group)
    conf.set_default('backends', ['psvm_database'], group='healthcheck')


class ConfigError(Exception):
    """A configuration value is invalid; the message names the option."""


def check_values(conf=CONF):
    """Read every registered option once so a bad value fails now, by name."""
    for group, opts in list_opts():
        section = conf if group is None else conf[group]
        for opt in opts:
            try:
                getattr(section, opt.dest)
            except (ValueError, cfg.Error) as exc:
                name = opt.dest if group is None else f'{group}.{opt.dest}'
                raise ConfigError(f'invalid value for option {name}: {exc}')


def check_queues(conf=CONF):
    """The pool and the RPC topic each name a RabbitMQ queue: one name for
    both would make one queue that hands notifications to the RPC server and
    resync casts to the notification listener, losing both."""
    if conf.listener.pool == conf.listener.rpc_topic:
        raise ConfigError(
            f'invalid value for option listener.pool: {conf.listener.pool!r} is also '
            f'listener.rpc_topic; the notification queue and the resync queue must differ')


def load(argv=None, conf=CONF, description=None, **kwargs):
    """Parse command line and config files, then check every value.

    ``--version`` prints the package's version; ``--help`` starts with
    ``description``, one line saying what the program is (argparse would
    put its usage line first).
    """
    if description and any(arg in ('-h', '--help') for arg in argv or ()):
        print(description)
    conf(argv, project='psvm', version=version.version_string(),
         description=description, **kwargs)
    check_values(conf)
    check_queues(conf)
    return conf


register()
