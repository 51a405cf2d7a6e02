"""A lab nova database: the Icehouse tables psvm-listener reads, and a nova to write them.

The tables are a faithful subset of nova's Icehouse schema (migration
216_havana plus Icehouse): the columns named in DESIGN.md §5, nova's names,
types, unique constraints and indexes (on MySQL also the indexes nova creates
there only), and nova's soft delete (``deleted`` = 0 live, = id deleted).
``kilo=True`` adds ``compute_nodes.host`` as Kilo's migration does (nullable:
nova fills it only when a compute node next saves itself).

``NovaLab`` acts like nova-compute and nova-network (VlanManager) on those
tables, so tests, the lab demo and benchmarks see what a real cloud shows:
fixed IPs pre-created for every address of a network, DHCP addresses of
multi_host networks held by their host, deallocated fixed IPs that still name
their instance, migrations rows while a move is in flight.
"""

import dataclasses
import datetime
import ipaddress
import random
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from psvm_listener import errors
from psvm_listener import inventory

POOL_PREFIX = 24
FIRST_VLAN = 100
LAST_VLAN = 3967
NETWORK_HOST = 'network-0'


def _inet(length=39):
    """nova's address type: INET on PostgreSQL, a string elsewhere."""
    return sa.String(length).with_variant(postgresql.INET(), 'postgresql')


def _common_columns():
    return [sa.Column('created_at', sa.DateTime), sa.Column('updated_at', sa.DateTime),
            sa.Column('deleted_at', sa.DateTime),
            sa.Column('id', sa.Integer, primary_key=True, nullable=False)]


def _table(name, metadata, *items):
    columns = [item for item in items if isinstance(item, sa.Column)]
    constraints = [item for item in items if not isinstance(item, sa.Column)]
    return sa.Table(name, metadata, *_common_columns(), *columns,
                    sa.Column('deleted', sa.Integer), *constraints,
                    mysql_engine='InnoDB', mysql_charset='utf8')


def _mysql_only(index):
    """Indexes nova's 216_havana creates on MySQL only ("mysql_pre_indexes")."""
    return index.ddl_if(dialect='mysql')


def metadata(kilo=False):
    """The nova tables psvm-listener reads, as nova creates them."""
    meta = sa.MetaData()
    services = _table(
        'services', meta,
        sa.Column('host', sa.String(255)), sa.Column('binary', sa.String(255)),
        sa.Column('topic', sa.String(255)),
        sa.Column('report_count', sa.Integer, nullable=False),
        sa.Column('disabled', sa.Boolean),
        sa.UniqueConstraint('host', 'topic', 'deleted',
                            name='uniq_services0host0topic0deleted'),
        sa.UniqueConstraint('host', 'binary', 'deleted',
                            name='uniq_services0host0binary0deleted'))
    compute_nodes = _table(
        'compute_nodes', meta,
        sa.Column('service_id', sa.Integer,
                  sa.ForeignKey(services.c.id, name='fk_compute_nodes_service_id'),
                  nullable=False),
        sa.Column('hypervisor_hostname', sa.String(255)))
    if kilo:
        compute_nodes.append_column(sa.Column('host', sa.String(255), nullable=True))
        compute_nodes.append_constraint(sa.UniqueConstraint(
            'host', 'hypervisor_hostname',
            name='uniq_compute_nodes0host0hypervisor_hostname'))
    instances = _table(
        'instances', meta,
        sa.Column('uuid', sa.String(36)), sa.Column('host', sa.String(255)),
        sa.Column('node', sa.String(255)), sa.Column('vm_state', sa.String(255)),
        sa.Column('task_state', sa.String(255)), sa.Column('launched_at', sa.DateTime),
        sa.Column('terminated_at', sa.DateTime))
    sa.Index('uuid', instances.c.uuid, unique=True)
    sa.Index('instances_task_state_updated_at_idx',
             instances.c.task_state, instances.c.updated_at)
    sa.Index('instances_host_deleted_idx', instances.c.host, instances.c.deleted)
    sa.Index('instances_uuid_deleted_idx', instances.c.uuid, instances.c.deleted)
    sa.Index('instances_host_node_deleted_idx',
             instances.c.host, instances.c.node, instances.c.deleted)
    networks = _table(
        'networks', meta,
        sa.Column('cidr', _inet(43)),
        sa.Column('bridge', sa.String(255)), sa.Column('vlan', sa.Integer),
        sa.Column('project_id', sa.String(255)), sa.Column('host', sa.String(255)),
        sa.Column('label', sa.String(255)), sa.Column('multi_host', sa.Boolean),
        sa.Column('uuid', sa.String(36)),
        sa.UniqueConstraint('vlan', 'deleted', name='uniq_networks0vlan0deleted'))
    sa.Index('networks_host_idx', networks.c.host)
    sa.Index('networks_bridge_deleted_idx', networks.c.bridge, networks.c.deleted)
    sa.Index('networks_project_id_deleted_idx', networks.c.project_id, networks.c.deleted)
    sa.Index('networks_uuid_project_id_deleted_idx',
             networks.c.uuid, networks.c.project_id, networks.c.deleted)
    sa.Index('networks_vlan_deleted_idx', networks.c.vlan, networks.c.deleted)
    # On MySQL the named foreign keys below create their own same-named
    # indexes (fixed_ips_instance_uuid_fkey, ...), exactly as in nova.
    virtual_interfaces = _table(
        'virtual_interfaces', meta,
        sa.Column('address', sa.String(255)), sa.Column('network_id', sa.Integer),
        sa.Column('uuid', sa.String(36)),
        sa.Column('instance_uuid', sa.String(36),
                  sa.ForeignKey(instances.c.uuid,
                                name='virtual_interfaces_instance_uuid_fkey'),
                  nullable=True),
        sa.UniqueConstraint('address', 'deleted',
                            name='uniq_virtual_interfaces0address0deleted'))
    _mysql_only(sa.Index('network_id', virtual_interfaces.c.network_id))
    fixed_ips = _table(
        'fixed_ips', meta,
        sa.Column('address', _inet()), sa.Column('network_id', sa.Integer),
        sa.Column('allocated', sa.Boolean), sa.Column('leased', sa.Boolean),
        sa.Column('reserved', sa.Boolean), sa.Column('virtual_interface_id', sa.Integer),
        sa.Column('host', sa.String(255)),
        sa.Column('instance_uuid', sa.String(36),
                  sa.ForeignKey(instances.c.uuid, name='fixed_ips_instance_uuid_fkey')),
        sa.UniqueConstraint('address', 'deleted', name='uniq_fixed_ips0address0deleted'))
    _mysql_only(sa.Index('network_id', fixed_ips.c.network_id))
    _mysql_only(sa.Index('fixed_ips_virtual_interface_id_fkey',
                         fixed_ips.c.virtual_interface_id))
    sa.Index('address', fixed_ips.c.address).ddl_if(dialect=('mysql', 'postgresql'))
    sa.Index('fixed_ips_host_idx', fixed_ips.c.host)
    sa.Index('fixed_ips_network_id_host_deleted_idx',
             fixed_ips.c.network_id, fixed_ips.c.host, fixed_ips.c.deleted)
    sa.Index('fixed_ips_address_reserved_network_id_deleted_idx', fixed_ips.c.address,
             fixed_ips.c.reserved, fixed_ips.c.network_id, fixed_ips.c.deleted)
    sa.Index('fixed_ips_deleted_allocated_idx',
             fixed_ips.c.address, fixed_ips.c.deleted, fixed_ips.c.allocated)
    migrations = _table(
        'migrations', meta,
        sa.Column('source_compute', sa.String(255)), sa.Column('dest_compute', sa.String(255)),
        sa.Column('dest_host', sa.String(255)), sa.Column('status', sa.String(255)),
        sa.Column('instance_uuid', sa.String(36),
                  sa.ForeignKey(instances.c.uuid, name='fk_migrations_instance_uuid')),
        sa.Column('source_node', sa.String(255)), sa.Column('dest_node', sa.String(255)))
    sa.Index('migrations_by_host_nodes_and_status_idx', migrations.c.deleted,
             migrations.c.source_compute, migrations.c.dest_compute,
             migrations.c.source_node, migrations.c.dest_node, migrations.c.status,
             mysql_length={'source_compute': 100, 'dest_compute': 100,
                           'source_node': 100, 'dest_node': 100})
    sa.Index('migrations_instance_uuid_and_status_idx', migrations.c.deleted,
             migrations.c.instance_uuid, migrations.c.status)
    return meta


def create_schema(url, kilo=False):
    """Create the lab nova tables in the (empty) database at ``url``."""
    engine = sa.create_engine(url)
    try:
        metadata(kilo).create_all(engine)
    finally:
        engine.dispose()


class LabError(errors.Permanent):
    """The lab nova cannot do that (no such instance, no free fixed IP...)."""


@dataclasses.dataclass(frozen=True)
class Cloud:
    """What ``populate`` built: compute node id by host, network id by VLAN."""

    compute_nodes: dict
    networks: dict
    instances: list


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _live(**values):
    return dict(created_at=_now(), deleted=0, **values)


def _mac(rng):
    """A locally administered MAC; 40 random bits keep a big lab free of clashes."""
    return '02:' + ':'.join(f'{rng.randrange(256):02x}' for _ in range(5))


def _pool_rows(network_id, cidr):
    """Every address of a network, as nova-manage network create writes them.

    The network address, the gateway (first host) and the broadcast address
    are reserved; the rest wait for an instance.
    """
    net = ipaddress.ip_network(cidr)
    reserved = {net.network_address, net.network_address + 1, net.broadcast_address}
    return [_live(address=str(address), network_id=network_id, allocated=False,
                  leased=False, reserved=address in reserved, host=None,
                  instance_uuid=None, virtual_interface_id=None)
            for address in net]


def _cidr(vlan):
    return f'10.{vlan // 256}.{vlan % 256}.0/{POOL_PREFIX}'


class NovaLab:
    """Writes the nova DB at ``url`` as nova-compute and nova-network would."""

    def __init__(self, url, seed=0):
        self.engine = sa.create_engine(url)
        try:
            columns = {c['name'] for c in sa.inspect(self.engine).get_columns('compute_nodes')}
        except sa.exc.NoSuchTableError:
            self.engine.dispose()
            raise LabError(f'no nova tables at {self.engine.url!r}: call create_schema first')
        self.kilo = 'host' in columns
        self.tables = metadata(self.kilo).tables
        self._rng = random.Random(seed)

    def close(self):
        self.engine.dispose()

    def _t(self, name):
        return self.tables[name]

    def add_service_host(self, host, hypervisor_hostname=None):
        """A nova-compute service on ``host`` and its compute node; the node's id."""
        services, nodes = self._t('services'), self._t('compute_nodes')
        with self.engine.begin() as conn:
            service_id = conn.execute(services.insert().values(
                _live(host=host, binary='nova-compute', topic='compute',
                      report_count=0, disabled=False))).inserted_primary_key[0]
            node = _live(service_id=service_id,
                         hypervisor_hostname=hypervisor_hostname or host)
            if self.kilo:
                node['host'] = host
            return conn.execute(nodes.insert().values(node)).inserted_primary_key[0]

    def add_network(self, vlan, label=None, host=None, multi_host=False):
        """A VlanManager network with its fixed IP pool (a /24); its id."""
        networks = self._t('networks')
        with self.engine.begin() as conn:
            network_id = conn.execute(networks.insert().values(
                self._network_row(vlan, label, host, multi_host))).inserted_primary_key[0]
            conn.execute(self._t('fixed_ips').insert(), _pool_rows(network_id, _cidr(vlan)))
        return network_id

    def _network_row(self, vlan, label, host, multi_host):
        return _live(vlan=vlan, label=label or f'vlan{vlan}', bridge=f'br{vlan}',
                     cidr=_cidr(vlan), host=host, multi_host=multi_host,
                     project_id=f'project-{vlan}', uuid=str(self._uuid()))

    def _uuid(self):
        return uuid.UUID(int=self._rng.getrandbits(128), version=4)

    def associate_network(self, network_id, host):
        """``nova network-associate-host``: sets networks.host (None disassociates)."""
        self._update_live('networks', network_id, host=host)

    def delete_network(self, network_id):
        """Soft-delete a network and its fixed IPs (nova's network_delete_safe)."""
        networks, fixed_ips = self._t('networks'), self._t('fixed_ips')
        with self.engine.begin() as conn:
            conn.execute(fixed_ips.update().where(
                fixed_ips.c.network_id == network_id, fixed_ips.c.deleted == 0).values(
                deleted=fixed_ips.c.id, deleted_at=_now()))
            conn.execute(networks.update().where(networks.c.id == network_id).values(
                deleted=networks.c.id, deleted_at=_now()))

    def _update_live(self, name, row_id, **values):
        table = self._t(name)
        with self.engine.begin() as conn:
            updated = conn.execute(table.update().where(
                table.c.id == row_id, table.c.deleted == 0).values(
                updated_at=_now(), **values)).rowcount
        if not updated:
            raise LabError(f'no live {name} row with id {row_id}')

    def boot(self, instance_uuid, host, network_id):
        """Boot (or add a NIC to) an instance on ``host``: its new fixed IP.

        Like nova-network: a virtual interface, the first free address of the
        network allocated to it, and on a multi_host network the host's own
        DHCP address (a fixed IP with ``host`` set and no instance).
        """
        return self.boot_many([(instance_uuid, host, network_id)])[0]

    def boot_many(self, boots):
        """``boot`` for each (instance uuid, host, network id), in one
        transaction of a few statements; their new fixed IPs, in order.

        Each instance gets what ``boot`` writes, in nova's order (instance,
        virtual interface, fixed IP): a burst benchmark writes each instance
        just before its notification, 1,000 a second, which a transaction
        of seven statements per instance cannot keep up with.
        """
        instances, vifs = self._t('instances'), self._t('virtual_interfaces')
        uuids = [str(instance_uuid) for instance_uuid, _, _ in boots]
        with self.engine.begin() as conn:
            known = set(conn.execute(sa.select(instances.c.uuid).where(
                instances.c.uuid.in_(uuids))).scalars())
            new = {u: host for u, (_, host, _) in zip(uuids, boots, strict=True)
                   if u not in known}
            if new:
                conn.execute(instances.insert(), [
                    self._instance_row(u, host) for u, host in new.items()])
            vif_rows = [self._vif_row(u, network_id)
                        for u, (_, _, network_id) in zip(uuids, boots, strict=True)]
            conn.execute(vifs.insert(), vif_rows)
            vif_ids = dict(conn.execute(sa.select(vifs.c.address, vifs.c.id).where(
                vifs.c.address.in_([row['address'] for row in vif_rows]),
                vifs.c.deleted == 0)).all())
            by_network = {}
            for index, (u, (_, host, network_id), vif) in enumerate(
                    zip(uuids, boots, vif_rows, strict=True)):
                by_network.setdefault(network_id, []).append(
                    (index, u, host, vif_ids[vif['address']]))
            addresses = [None] * len(boots)
            for network_id, group in by_network.items():
                for index, address in self._allocate(conn, network_id, group):
                    addresses[index] = address
        return addresses

    def _allocate(self, conn, network_id, group):
        """nova's fixed_ip_associate_pool for each (index, uuid, host, vif id)
        of a network, in order: the first free address to the instance, then
        on a multi_host network the next to its host for DHCP, unless the
        host holds one already.  (index, address) of each instance."""
        fixed_ips = self._t('fixed_ips')
        multi_host, held = self._multi_host(conn, network_id), set()
        if multi_host:
            held = set(conn.execute(sa.select(fixed_ips.c.host).where(
                fixed_ips.c.network_id == network_id, fixed_ips.c.deleted == 0,
                fixed_ips.c.host.in_({host for _, _, host, _ in group}))).scalars())
        takers = []
        for index, instance_uuid, host, vif_id in group:
            takers.append({'index': index, 'uuid': instance_uuid, 'vif': vif_id,
                           'host': None, 'allocated': True})
            if multi_host and host not in held:
                held.add(host)
                takers.append({'index': None, 'uuid': None, 'vif': None, 'host': host,
                               'allocated': False})
        free = self._free_addresses(conn, network_id, len(takers))
        conn.execute(fixed_ips.update().where(fixed_ips.c.id == sa.bindparam('free_id')).values(
            instance_uuid=sa.bindparam('uuid'), virtual_interface_id=sa.bindparam('vif'),
            host=sa.bindparam('host'), allocated=sa.bindparam('allocated'),
            updated_at=_now()), [
            {'free_id': row.id, **{k: v for k, v in taker.items() if k != 'index'}}
            for row, taker in zip(free, takers, strict=True)])
        return [(taker['index'], str(row.address)) for row, taker in zip(free, takers, strict=True)
                if taker['index'] is not None]

    def _instance_row(self, instance_uuid, host):
        return _live(uuid=str(instance_uuid), host=host, node=host, vm_state='active',
                     launched_at=_now())

    def _vif_row(self, instance_uuid, network_id):
        return _live(address=_mac(self._rng), network_id=network_id, uuid=str(self._uuid()),
                     instance_uuid=str(instance_uuid))

    def _free_addresses(self, conn, network_id, count):
        fixed_ips = self._t('fixed_ips')
        rows = conn.execute(sa.select(fixed_ips.c.id, fixed_ips.c.address).where(
            fixed_ips.c.network_id == network_id, fixed_ips.c.deleted == 0,
            fixed_ips.c.reserved.is_(False), fixed_ips.c.instance_uuid.is_(None),
            fixed_ips.c.host.is_(None)).order_by(fixed_ips.c.id).limit(count)).all()
        if len(rows) < count:
            raise LabError(f'network {network_id} has no free fixed IP')
        return rows

    def _multi_host(self, conn, network_id):
        networks = self._t('networks')
        return bool(conn.execute(sa.select(networks.c.multi_host).where(
            networks.c.id == network_id)).scalar())

    def delete(self, instance_uuid):
        """Delete an instance as nova does.

        The instance and its virtual interfaces are soft-deleted; its fixed
        IPs are deallocated but keep ``instance_uuid`` until dnsmasq reports
        the lease released.
        """
        instances, vifs = self._t('instances'), self._t('virtual_interfaces')
        fixed_ips = self._t('fixed_ips')
        now = _now()
        with self.engine.begin() as conn:
            deleted = conn.execute(instances.update().where(
                instances.c.uuid == instance_uuid, instances.c.deleted == 0).values(
                deleted=instances.c.id, deleted_at=now, terminated_at=now,
                vm_state='deleted')).rowcount
            if not deleted:
                raise LabError(f'no live instance {instance_uuid}')
            conn.execute(fixed_ips.update().where(
                fixed_ips.c.instance_uuid == instance_uuid, fixed_ips.c.deleted == 0).values(
                allocated=False, updated_at=now))
            conn.execute(vifs.update().where(
                vifs.c.instance_uuid == instance_uuid, vifs.c.deleted == 0).values(
                deleted=vifs.c.id, deleted_at=now))

    def start_migration(self, instance_uuid, dest, status='migrating'):
        """A migrations row for a move of the instance to ``dest``, in flight."""
        instances, migrations = self._t('instances'), self._t('migrations')
        with self.engine.begin() as conn:
            source = conn.execute(sa.select(instances.c.host, instances.c.node).where(
                instances.c.uuid == instance_uuid, instances.c.deleted == 0)).first()
            if source is None:
                raise LabError(f'no live instance {instance_uuid}')
            conn.execute(migrations.insert().values(_live(
                instance_uuid=instance_uuid, source_compute=source.host,
                source_node=source.node, dest_compute=dest, dest_node=dest, status=status)))

    def finish_migration(self, instance_uuid, status='confirmed'):
        """The move completes: the instance is on the destination, the row closed."""
        instances, migrations = self._t('instances'), self._t('migrations')
        with self.engine.begin() as conn:
            move = conn.execute(sa.select(migrations.c.id, migrations.c.dest_compute).where(
                migrations.c.instance_uuid == instance_uuid, migrations.c.deleted == 0,
                migrations.c.status.not_in(inventory.ENDED_MIGRATION_STATUSES)
            ).order_by(migrations.c.id.desc())).first()
            if move is None:
                raise LabError(f'no migration in flight for {instance_uuid}')
            conn.execute(instances.update().where(instances.c.uuid == instance_uuid).values(
                host=move.dest_compute, node=move.dest_compute, updated_at=_now()))
            conn.execute(migrations.update().where(migrations.c.id == move.id).values(
                status=status, updated_at=_now()))

    def move_instance(self, instance_uuid, host):
        """``instance.save()`` with a new host: an evacuation (Icehouse, before
        ``rebuild.start``), or the destination taking a migrated instance."""
        instances = self._t('instances')
        with self.engine.begin() as conn:
            moved = conn.execute(instances.update().where(
                instances.c.uuid == instance_uuid, instances.c.deleted == 0).values(
                host=host, node=host, updated_at=_now())).rowcount
        if not moved:
            raise LabError(f'no live instance {instance_uuid}')

    def set_migration_status(self, instance_uuid, status):
        """``migration.save()`` with a new status, on the instance's newest live row."""
        migrations = self._t('migrations')
        with self.engine.begin() as conn:
            newest = conn.execute(sa.select(sa.func.max(migrations.c.id)).where(
                migrations.c.instance_uuid == instance_uuid,
                migrations.c.deleted == 0)).scalar()
            if newest is None:
                raise LabError(f'no migration of {instance_uuid}')
            conn.execute(migrations.update().where(migrations.c.id == newest).values(
                status=status, updated_at=_now()))

    def populate(self, hosts=200, networks=300, instances=3000, vlans_per_host=20, seed=0):
        """A realistic cloud, the same for the same arguments; what was built.

        Every host draws ``vlans_per_host`` networks and spreads its instances
        over them in turn. Every other network is multi_host (each host using
        it holds a DHCP address); the others are served by ``NETWORK_HOST``.
        Then one instance in 50 is deleted and one in 200 is moving to
        another host, as in a cloud in use.
        """
        if not 1 <= networks <= LAST_VLAN - FIRST_VLAN + 1 or hosts < 1 or vlans_per_host < 1:
            raise LabError(f'populate needs at least one host and one VLAN per host, and '
                           f'1-{LAST_VLAN - FIRST_VLAN + 1} networks (VLANs from {FIRST_VLAN})')
        self._rng.seed(seed)
        names = [f'compute-{i:04d}' for i in range(hosts)]
        vlans = list(range(FIRST_VLAN, FIRST_VLAN + networks))
        uses = {host: self._rng.sample(vlans, min(vlans_per_host, networks)) for host in names}
        placement = self._placement(names, uses, instances)
        with self.engine.begin() as conn:
            nodes = self._insert_hosts(conn, names)
            network_ids = self._insert_networks(conn, vlans)
            vif_ids = self._insert_instances(conn, placement, network_ids)
            self._insert_pools(conn, placement, network_ids, vif_ids)
        deleted = set(self._rng.sample([vm for vm, _, _ in placement], instances // 50))
        for instance_uuid in sorted(deleted):
            self.delete(instance_uuid)
        live = [(vm, host) for vm, host, _ in placement if vm not in deleted]
        for instance_uuid, host in self._rng.sample(live, instances // 200 if hosts > 1 else 0):
            others = [name for name in names if name != host]
            self.start_migration(instance_uuid, self._rng.choice(others))
        self._analyze()
        return Cloud(compute_nodes=nodes, networks=network_ids,
                     instances=[instance_uuid for instance_uuid, _ in live])

    def _placement(self, names, uses, instances):
        """(uuid, host, VLAN) of each instance: hosts in turn, then each host's networks."""
        placement = []
        for i in range(instances):
            host = names[i % len(names)]
            vlans = uses[host]
            placement.append((str(self._uuid()), host, vlans[(i // len(names)) % len(vlans)]))
        return placement

    def _analyze(self):
        """Refresh the optimizer's statistics, as a database in service has them.

        Right after a bulk load MariaDB still believes the tables are empty
        and plans full scans; a real nova database never looks like that.
        SQLite keeps statistics only when told to, and nova never tells it:
        the lab leaves it without, as nova's would be.
        """
        statement = {'mysql': 'ANALYZE TABLE {}', 'postgresql': 'ANALYZE {}'}.get(
            self.engine.dialect.name)
        if statement:
            with self.engine.begin() as conn:
                for name in self.tables:
                    result = conn.exec_driver_sql(statement.format(name))
                    if result.returns_rows:
                        result.all()

    def _insert_hosts(self, conn, names):
        services, nodes = self._t('services'), self._t('compute_nodes')
        conn.execute(services.insert(), [
            _live(host=host, binary='nova-compute', topic='compute', report_count=0,
                  disabled=False) for host in names])
        service_ids = dict(conn.execute(sa.select(services.c.host, services.c.id).where(
            services.c.deleted == 0)).all())
        rows = [_live(service_id=service_ids[host], hypervisor_hostname=host) for host in names]
        if self.kilo:
            for row, host in zip(rows, names, strict=True):
                row['host'] = host
        conn.execute(nodes.insert(), rows)
        node_ids = dict(conn.execute(sa.select(nodes.c.service_id, nodes.c.id).where(
            nodes.c.deleted == 0)).all())
        return {host: node_ids[service_ids[host]] for host in names}

    def _insert_networks(self, conn, vlans):
        networks = self._t('networks')
        conn.execute(networks.insert(), [
            self._network_row(vlan, None, None if n % 2 else NETWORK_HOST, bool(n % 2))
            for n, vlan in enumerate(vlans)])
        ids = dict(conn.execute(sa.select(networks.c.vlan, networks.c.id).where(
            networks.c.deleted == 0)).all())
        return {vlan: ids[vlan] for vlan in vlans}

    def _insert_instances(self, conn, placement, network_ids):
        """Instances with one virtual interface each; VIF id by instance uuid."""
        vifs = self._t('virtual_interfaces')
        conn.execute(self._t('instances').insert(), [
            self._instance_row(instance_uuid, host) for instance_uuid, host, _ in placement])
        conn.execute(vifs.insert(), [
            self._vif_row(instance_uuid, network_ids[vlan])
            for instance_uuid, _, vlan in placement])
        return dict(conn.execute(sa.select(vifs.c.instance_uuid, vifs.c.id).where(
            vifs.c.deleted == 0)).all())

    def _insert_pools(self, conn, placement, network_ids, vif_ids):
        """Every network's pool, with the addresses nova-network would have handed out."""
        pools = {vlan: _pool_rows(network_id, _cidr(vlan))
                 for vlan, network_id in network_ids.items()}
        free = {vlan: iter(row for row in rows if not row['reserved'])
                for vlan, rows in pools.items()}
        dhcp = set()
        for instance_uuid, host, vlan in placement:
            self._take(free, vlan).update(instance_uuid=instance_uuid, allocated=True,
                                          virtual_interface_id=vif_ids[instance_uuid])
            if (vlan - FIRST_VLAN) % 2 and (vlan, host) not in dhcp:
                self._take(free, vlan)['host'] = host
                dhcp.add((vlan, host))
        conn.execute(self._t('fixed_ips').insert(),
                     [row for rows in pools.values() for row in rows])

    @staticmethod
    def _take(free, vlan):
        row = next(free[vlan], None)
        if row is None:
            raise LabError(f'the /{POOL_PREFIX} of VLAN {vlan} has no free fixed IP')
        return row
