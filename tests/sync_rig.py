"""A lab switch wired to a real PSVM DB and a real nova DB, and the plugin over them.

Shared by the plugin, driver and psvm-manage functional tests and by the
sync benchmark, so that each builds the same world the same way.
"""

import contextlib
import dataclasses

from cryptography import fernet
from oslo_config import cfg

from psvm_listener import conf as config
from psvm_listener import inventory
from psvm_listener import plugins
from psvm_listener.db import api
from psvm_listener.lab import nova
from tests import databases


def make_conf(**overrides):
    """A private ConfigOpts with every psvm option, defaults plus ``overrides``
    ({name: value} for [DEFAULT], {'group.name': value} for the others)."""
    conf = cfg.ConfigOpts()
    config.register(conf)
    conf([], project='psvm', default_config_files=[], default_config_dirs=[])
    for name, value in overrides.items():
        group, _, option = name.rpartition('.')
        conf.set_override(option, value, group=group or None)
    return conf


@dataclasses.dataclass(frozen=True)
class Family:
    """A driver and how the lab switch shows its traffic: where it listens, the
    identity a switch record pins, and the names its request counts use."""

    driver: str
    reads: str
    edits: str

    def address(self, switch):
        return switch.nxapi['https'].address if self.nxapi else switch.address

    def identity(self, switch):
        return switch.tls_fingerprint if self.nxapi else switch.fingerprint

    @property
    def nxapi(self):
        return self.driver == 'cisco_nexus_nxapi'


NETCONF = Family('cisco_nexus_netconf', 'exec-command', 'edit-config')
NXAPI = Family('cisco_nexus_nxapi', 'cli_show_ascii', 'cli_conf')
FAMILIES = (NETCONF, NXAPI)


class Rig:
    """One lab switch, its credential and switch rows, a nova cloud, a plugin
    whose driver is ``family``'s."""

    def __init__(self, tmp_path, switch, psvm_url=None, nova_url=None, family=NETCONF,
                 **overrides):
        self._stack = contextlib.ExitStack()
        self.switch = switch
        self.family = family
        overrides.setdefault('psvm_driver', family.driver)
        self.key_file = tmp_path / 'credential.key'
        self.key_file.write_bytes(fernet.Fernet.generate_key())
        psvm_url = psvm_url or self._sqlite(tmp_path)
        self.nova_url = nova_url or self._sqlite(tmp_path)
        self.database = api.Database(psvm_url, str(self.key_file))
        self.database.create_schema()
        nova.create_schema(self.nova_url)
        self.nova = nova.NovaLab(self.nova_url)
        self.inventory = inventory.Inventory(self.nova_url)
        self.conf = make_conf(**{'credentials.key_file': str(self.key_file),
                                 'database.connection': psvm_url,
                                 'nova.connection': self.nova_url, **overrides})
        self.switch_id = self.add_switch(switch)
        self.plugin = plugins.load(self.conf, self.database, self.inventory)
        self._booted = 0
        self._networks = {}

    def _sqlite(self, tmp_path):
        return self._stack.enter_context(databases.fresh_database('sqlite', tmp_path))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        self.plugin.close()
        self.inventory.close()
        self.nova.close()
        self.database.close()
        self._stack.close()

    def add_switch(self, switch, user='admin', password='secret', host_key=None, family=None):
        """The switch's record, reached as ``family`` (the rig's own by default) does."""
        family = family or self.family
        cred = self.database.create_credential(user_name=user, password=password)
        ip, port = family.address(switch)
        row = self.database.create_switch(ip=ip, port=port, switch_cred_id=cred['id'],
                                          host_key=host_key or family.identity(switch))
        return row['id']

    def host(self, name, port, vlans=(), switch_id=None):
        """A compute host bound to ``port``, with one instance on each of ``vlans``."""
        node = self.nova.add_service_host(name)
        self.database.create_binding(switch_id=switch_id or self.switch_id,
                                     compute_node_id=node, switch_port=port)
        for vlan in vlans:
            self.boot(name, vlan)
        return node

    def boot(self, host, vlan):
        """An instance on ``host`` in the network of ``vlan`` (created if new)."""
        return self.boot_many([(host, vlan)])[0]

    def boot_many(self, boots):
        """``boot`` for each (host, vlan), in one nova transaction."""
        uuids = []
        for _ in boots:
            self._booted += 1
            uuids.append(f'00000000-0000-4000-8000-{self._booted:012d}')
        self.nova.boot_many([(uuid, host, self.network(vlan))
                             for uuid, (host, vlan) in zip(uuids, boots, strict=True)])
        return uuids

    def network(self, vlan):
        if vlan not in self._networks:
            self._networks[vlan] = self.nova.add_network(vlan)
        return self._networks[vlan]

    def sync(self, ports=None, **kwargs):
        return self.plugin.sync(self.switch_id, ports, **kwargs)


def refused_removal(rig):
    """Port 1/1 synced with VLANs 100-109, then nova drops 100-107: the
    removal guard refuses the sync, which is kept as a pending plan.
    Returns that sync's result."""
    rig.host('compute-1', 'ethernet1/1', vlans=range(100, 110))
    rig.sync()
    for vlan in range(100, 108):
        rig.nova.delete_network(rig.network(vlan))
    return rig.sync()
