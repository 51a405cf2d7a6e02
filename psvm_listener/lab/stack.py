"""Everything ``psvm-lab`` runs, wired together on loopback.

Lab switches with fabric extenders, a nova database holding a realistic
cloud, PSVM's own database with the switches, credentials and one binding
per compute host, psvm-listener and psvm-api: all in this process, all on
their embedded defaults, all written under one state directory together
with the ``psvm.conf`` that ``psvm-manage`` and ``psvm-api`` read.

Notifications and RPC go through RabbitMQ when it answers; otherwise
through oslo.messaging's in-process ``fake`` driver, so that the lab runs on
a machine with no broker at all.
"""

import dataclasses
import os
import socket
import threading
import urllib.parse
import uuid

from cryptography.fernet import Fernet
from oslo_config import cfg

from nexus_sim import LabSwitch
from psvm_listener import broker
from psvm_listener import conf as config
from psvm_listener import logs
from psvm_listener import ports as port_names
from psvm_listener import service
from psvm_listener import transport
from psvm_listener.api import server as api_server
from psvm_listener.db import api as db_api
from psvm_listener.db import secrets
from psvm_listener.inventory import Inventory
from psvm_listener.lab import nova

RABBIT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
IN_PROCESS_URL = 'fake:/'
USER, PASSWORD = 'admin', 'lab-secret'
NXAPI_DRIVER = 'cisco_nexus_nxapi'
NETCONF_DRIVER = 'cisco_nexus_netconf'  # what the default psvm_driver (the seed's name) loads
PSVM_SOURCES = ('netconf', 'nxapi')  # journal sources of psvm's changes, per family


def edits(switch):
    """The change requests a lab switch took, whatever its family."""
    counts = switch.rpc_counts()
    return counts.get('edit-config', 0) + counts.get('cli_conf', 0)


@dataclasses.dataclass(frozen=True)
class LabSpec:
    """The size of the lab cloud and the listener's embedded settings.

    Each switch has ``ports`` on the parent plus 48 host ports per FEX; every
    port is bound to one compute host, so the LIF figures are those of a
    fully cabled rack.
    """

    switches: int = 2
    ports: str = '1/1-4'
    fex: tuple = (101, 102)
    hosts: int = 200
    networks: int = 300
    instances: int = 3000
    vlans_per_host: int = 20
    lif_limit: int = 32000
    sync_interval: int = 10


def broker_answers(url, timeout=1.0):
    """Whether something listens at the host and port of a transport URL."""
    parsed = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parsed.hostname or '127.0.0.1',
                                       parsed.port or 5672), timeout=timeout):
            return True
    except OSError:
        return False


def choose_transport(rabbit_url=RABBIT_URL):
    """(transport_url, words for the operator): RabbitMQ if it answers."""
    if broker_answers(rabbit_url):
        return rabbit_url, f'RabbitMQ at {_without_password(rabbit_url)}'
    return IN_PROCESS_URL, (f'in-process transport (no RabbitMQ answers at '
                            f'{_without_password(rabbit_url)})')


def _without_password(url):
    parsed = urllib.parse.urlsplit(url)
    return f'{parsed.hostname}:{parsed.port or 5672}'


def _config_text(state_dir, transport_url, spec, name):
    """The lab's psvm.conf.  ``name`` gives the run its own exchange, pool and
    RPC topic: a lab on a shared broker must neither take another lab's (or a
    real listener's) notifications and resync casts nor hand its own away.
    The pool and the RPC topic name queues, so they must differ."""
    return f"""[DEFAULT]
psvm = True
state_path = {state_dir}
transport_url = {transport_url}
psvm_sync_interval = {spec.sync_interval}
psvm_lif_limit = {spec.lif_limit}
psvm_network_poll_interval = 1
control_exchange = {name}
log_file = {state_dir}/psvm-lab.log

[database]
connection = sqlite:///{state_dir}/psvm.sqlite

[nova]
connection = sqlite:///{state_dir}/nova.sqlite

[listener]
exchange = {name}
pool = {name}
rpc_topic = {name}-resync
metrics_port = 0
shutdown_timeout = 10

[api]
auth_strategy = noauth
bind_host = 127.0.0.1
bind_port = 0
"""


class Stack:
    """The running lab: start() brings every part up, stop() takes it down."""

    def __init__(self, state_dir, spec=LabSpec(), transport_url=IN_PROCESS_URL):
        self.state_dir = os.path.abspath(state_dir)
        self.spec = spec
        self.transport_url = transport_url
        self.config_file = os.path.join(self.state_dir, 'psvm.conf')
        self.switches = {}
        self.drivers = {}
        self.port_of_host = {}
        self.conf = None
        self.listener = None
        self.api_port = None
        self._api = None
        self._api_thread = None

    def prepare(self):
        """Switches, nova and PSVM databases and the config file; no listener yet."""
        os.makedirs(self.state_dir, exist_ok=True)
        with open(self.config_file, 'w') as conf_file:
            conf_file.write(_config_text(self.state_dir, self.transport_url, self.spec,
                                         f'psvm-lab-{uuid.uuid4().hex[:12]}'))
        self.conf = cfg.ConfigOpts()
        config.register(self.conf)
        logs.register_options(self.conf)
        config.load(['--config-file', self.config_file], conf=self.conf,
                    default_config_files=[])
        self._clear_previous_run()
        self.nova = self._build_nova()
        self._start_switches()
        self.database = db_api.Database(self.conf.database.connection,
                                        self.conf.credentials.key_file)
        self._register_switches()
        self.inventory = Inventory.from_config(self.conf)

    def _clear_previous_run(self):
        """Every run starts from nothing; an SQLite WAL left by a killed run
        must go with its database, or it would be replayed into the new one."""
        for name in ('nova.sqlite', 'psvm.sqlite'):
            for suffix in ('', '-wal', '-shm', '-journal'):
                _remove(os.path.join(self.state_dir, name + suffix))
        _remove(os.path.join(self.state_dir, 'credential.key'))

    def _build_nova(self):
        nova.create_schema(self.conf.nova.connection)
        lab = nova.NovaLab(self.conf.nova.connection)
        self.cloud = lab.populate(hosts=self.spec.hosts, networks=self.spec.networks,
                                  instances=self.spec.instances,
                                  vlans_per_host=self.spec.vlans_per_host)
        return lab

    def _start_switches(self):
        """Switches as the operator left them: every trunk port allows ALL and
        every nova VLAN exists in the VLAN database.  Every second switch is of
        the NX-API family (a Nexus 9000), so one cloud runs both drivers."""
        vlans = {vlan for vlan in self.cloud.networks}
        for index in range(self.spec.switches):
            switch = LabSwitch(users={USER: PASSWORD}, ports=self.spec.ports,
                               fex=self.spec.fex, lif_limit=self.spec.lif_limit,
                               name=f'lab{index + 1}',
                               nxapi_https_port=0 if index % 2 else None).start()
            switch.create_vlans(vlans)
            self.switches[switch.name] = switch

    def _register_switches(self):
        """One credential, the switches with pinned host keys, one binding per host."""
        self.database.create_schema()
        secrets.write_keys(self.conf.credentials.key_file, [Fernet.generate_key()])
        cred = self.database.create_credential(user_name=USER, password=PASSWORD)
        switch_ids = {}
        for name, switch in self.switches.items():
            nxapi = 'https' in switch.nxapi
            host, port = switch.nxapi['https'].address if nxapi else switch.address
            row = self.database.create_switch(
                ip=host, port=port, switch_cred_id=cred['id'],
                host_key=switch.tls_fingerprint if nxapi else switch.fingerprint,
                driver=NXAPI_DRIVER if nxapi else None, description=f'lab switch {name}')
            switch_ids[name] = row['id']
            self.drivers[name] = NXAPI_DRIVER if nxapi else NETCONF_DRIVER
        self.switch_ids = switch_ids
        free = {name: _host_ports_first(switch.ports()) for name, switch in self.switches.items()}
        names = list(self.switches)
        for index, (host, node_id) in enumerate(sorted(self.cloud.compute_nodes.items())):
            name = names[index % len(names)]
            if not free[name]:
                break
            port = free[name].pop(0)
            self.database.create_binding(switch_id=switch_ids[name], compute_node_id=node_id,
                                         switch_port=port)
            self.port_of_host[host] = (name, port)

    def start_listener(self):
        self.listener = service.Service(self.conf)
        self.listener.start()

    def start_api(self):
        self._api = api_server.make_server(self.conf, api_server.application(
            self.conf, database=self.database))
        self.api_port = api_server.bound_port(self._api)
        self._api_thread = threading.Thread(target=self._api.serve, name='psvm-api',
                                            daemon=True)
        self._api_thread.start()

    def stop(self):
        if self._api is not None:
            self._api.stop()
            self._api = None
        if self.listener is not None:
            pool = self.listener.notification_pool()
            self.listener.stop()
            self.listener = None
            if not transport.in_process(self.conf):
                broker.delete_pool(self.conf, pool)
        for switch in self.switches.values():
            switch.stop()
        for part in ('inventory', 'database', 'nova'):
            if hasattr(self, part):
                getattr(self, part).close()

    def expected(self, hosts=None):
        """{(switch, port): VLANs the port must allow}, from nova's DB now."""
        hosts = list(self.port_of_host) if hosts is None else hosts
        ignored = frozenset(self.conf.psvm_ignore_vlans)
        needed = self.inventory.vlans_by_host(hosts)
        return {self.port_of_host[host]: needed.get(host, frozenset()) | ignored
                for host in hosts}

    def wrong_ports(self, hosts=None):
        """The bound ports whose allowed list differs from what nova needs."""
        return sorted(key for key, vlans in self.expected(hosts).items()
                      if self.switches[key[0]].allowed(key[1]) != vlans)

    def lif_usage(self):
        return {name: switch.lif_usage() for name, switch in self.switches.items()}


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _host_ports_first(names):
    """FEX host ports first, then the parent's ports: how racks are cabled."""
    return sorted(names, key=lambda name: (port_names.number(name).count('/') != 2, name))
