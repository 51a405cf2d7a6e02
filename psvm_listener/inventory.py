"""The VLANs each compute host needs, read from nova's database (read only).

The rule is nova's own ``network_get_all_by_host``: host H needs the VLAN of
every live network n where

- n.host = H (the network is associated with H, or H is its network host), or
- a live fixed IP of n has host = H (the DHCP address of a multi_host network), or
- a live, allocated fixed IP of n belongs to a live instance whose host is H.

Nova's query does not look at ``allocated`` nor at deleted instances; a
deallocated fixed IP keeps its ``instance_uuid`` until its lease is released,
so we do, or a deleted instance would hold its VLAN on the port for hours.

A move counts on both hosts: while a migrations row is not in an ended status,
the instance's networks count on ``source_compute`` and on ``dest_compute``.
Live migrations before Newton write no migrations row: the reconciler passes
what notifications told it as ``intents`` (host → instance uuids).

A few hosts (a targeted sync) are one SELECT, a UNION of those cases joined
to the live networks.  Many hosts, or every host (a full sync), are a cloud
read: one pass over each table, each SELECT grouped by host on nova's own
indexes, the cases and the network → VLAN map put together here (see
_CloudRead for why).  Every read runs on a connection whose session is read
only.
"""

import sys

import sqlalchemy as sa

from psvm_listener import conf
from psvm_listener import errors
from psvm_listener.db import engines

# Statuses after which nova considers a migration over (nova.db's
# migration_get_in_progress_by_host_and_node: Icehouse ended 'confirmed',
# 'reverted', 'error'; later releases add 'failed', 'completed', 'cancelled'
# and, for evacuations, 'done').  'finished' is NOT over: a resize waits for
# confirmation and may still be reverted onto the source.
ENDED_MIGRATION_STATUSES = (
    'confirmed', 'reverted', 'error', 'failed', 'completed', 'cancelled', 'done')

# Up to this many hosts (a targeted sync) the answer is one SELECT, in which
# instances reach their fixed IPs through their virtual interfaces where nova
# has no index to do better (see _owned_networks_of_few); beyond, a cloud read.
FEW_HOSTS = 20


# The isolation in which a cloud read's SELECTs all see one snapshot of nova.
SNAPSHOT_ISOLATION = {'mysql': 'REPEATABLE READ', 'postgresql': 'REPEATABLE READ'}

NOT_CONFIGURED = (
    'option nova.connection is not set: set [nova] connection to the SQLAlchemy URL of '
    "nova's database, with a user that may only read it (for example "
    'mysql+pymysql://psvm_ro:SECRET@nova-db.example.net/nova; etc/psvm/nova-grants.sql '
    'has the grants)')


class NovaUnavailable(errors.RetryLater):
    """Nova's database cannot be read now; expect nothing, remove nothing."""


_services = sa.table('services', sa.column('id'), sa.column('host'), sa.column('deleted'))
_compute_nodes = sa.table('compute_nodes', sa.column('id'), sa.column('service_id'),
                          sa.column('host'), sa.column('deleted'))
_networks = sa.table('networks', sa.column('id'), sa.column('vlan'), sa.column('host'),
                     sa.column('deleted'))
_fixed_ips = sa.table('fixed_ips', sa.column('network_id'), sa.column('instance_uuid'),
                      sa.column('host'), sa.column('allocated', sa.Boolean),
                      sa.column('deleted'))
_interfaces = sa.table('virtual_interfaces', sa.column('instance_uuid'),
                        sa.column('network_id'))
_instances = sa.table('instances', sa.column('id'), sa.column('uuid'), sa.column('host'),
                      sa.column('deleted'))
_migrations = sa.table('migrations', sa.column('id'), sa.column('instance_uuid'),
                       sa.column('source_compute'), sa.column('dest_compute'),
                       sa.column('status'), sa.column('deleted'))

# Every table the inventory reads, for the upgrade check's SELECT test.
READ_TABLES = (_services, _compute_nodes, _networks, _fixed_ips, _interfaces, _instances,
               _migrations)


# Columns only ``Inventory.reasons`` reads: what to show an operator.
_labelled_networks = sa.table('networks', sa.column('id'), sa.column('vlan'),
                              sa.column('label'), sa.column('host'), sa.column('deleted'))
_addressed_ips = sa.table('fixed_ips', sa.column('address'), sa.column('network_id'),
                          sa.column('instance_uuid'), sa.column('host'),
                          sa.column('allocated', sa.Boolean), sa.column('deleted'))

NETWORK_HOST = 'network_host'
DHCP_ADDRESS = 'multi_host_dhcp_address'
INSTANCE = 'instance'
MOVE = 'move_in_flight'


def _reason_queries(hosts):
    """One SELECT per case of the rule, each row (host, VLAN, network id,
    label, case, instance uuid, fixed IP address, migration source,
    destination, status); NULL where the case has none."""
    nets, ips = _labelled_networks, _addressed_ips

    def case(host, reason, joined, *where, instance=None, address=None, migration=None):
        source, destination, status = migration or (None, None, None)
        columns = [host.label('host'), nets.c.vlan, nets.c.id, nets.c.label,
                   sa.literal(reason).label('reason')]
        extra = {'instance_uuid': instance, 'address': address, 'source': source,
                 'destination': destination, 'status': status}
        columns += [(sa.null() if column is None else column).label(name)
                    for name, column in extra.items()]
        return sa.select(*columns).select_from(joined).where(
            nets.c.deleted == 0, nets.c.vlan.is_not(None), host.in_(hosts), *where)

    allocated = (ips.c.deleted == 0, ips.c.allocated == sa.true())
    instance_ips = _instances.join(ips, ips.c.instance_uuid == _instances.c.uuid).join(
        nets, nets.c.id == ips.c.network_id)
    moving_ips = _migrations.join(ips, ips.c.instance_uuid == _migrations.c.instance_uuid).join(
        nets, nets.c.id == ips.c.network_id)
    migration = (_migrations.c.source_compute, _migrations.c.dest_compute,
                 _migrations.c.status)
    return [
        case(nets.c.host, NETWORK_HOST, nets),
        case(ips.c.host, DHCP_ADDRESS, ips.join(nets, nets.c.id == ips.c.network_id),
             ips.c.deleted == 0, address=ips.c.address),
        case(_instances.c.host, INSTANCE, instance_ips, *allocated, _instances.c.deleted == 0,
             instance=_instances.c.uuid, address=ips.c.address),
        *(case(end, MOVE, moving_ips, *allocated, _migrations.c.deleted == 0,
               _migrations.c.status.not_in(ENDED_MIGRATION_STATUSES),
               instance=_migrations.c.instance_uuid, address=ips.c.address,
               migration=migration)
          for end in (_migrations.c.source_compute, _migrations.c.dest_compute))]


def _everywhere(column):
    return column.is_not(None)


def _allocated_to(instance_uuid):
    """The live, allocated fixed IPs of ``instance_uuid``.

    nova reaches an instance from its fixed IP through the virtual interface;
    for an allocated fixed IP ``fixed_ips.instance_uuid`` names the same
    instance (nova-network sets both at allocation and deallocates before it
    deletes the interface), and skipping that join halves the work.
    """
    return (_fixed_ips.c.instance_uuid == instance_uuid, _fixed_ips.c.deleted == 0,
            _fixed_ips.c.allocated == sa.true())


def _owned_networks(owners):
    """(host, network id) of the allocated fixed IPs of the ``owners``' instances.

    Each kind of owner is joined to fixed_ips on instance_uuid: MySQL
    indexes that column, and PostgreSQL and SQLite read every fixed IP once,
    which is the cheapest way when every host, or many, are asked for.
    """
    return [owner.join(_fixed_ips, sa.and_(*_allocated_to(owner.selected_columns.instance_uuid)))
            .with_only_columns(owner.selected_columns.host, _fixed_ips.c.network_id)
            for owner in owners]


def _owned_networks_of_few(owners):
    """The same pairs for a few hosts, without reading every fixed IP.

    Where fixed_ips.instance_uuid has no index (nova's PostgreSQL and SQLite
    schemas), finding one instance's fixed IPs reads them all: 100,000 rows
    for 1,000 hosts.  The owners' virtual interfaces (a fifth of that, read
    once; deleted or not, as nova's own query joins them) name the networks
    of their fixed IPs, and fixed IPs are indexed by network: a few short
    index ranges remain.  Left to themselves the planners still read
    every fixed IP, so the shape pins the order: a LEFT JOIN (each interface
    kept has an owner) makes SQLite read the interfaces once, not once per
    owner; the DISTINCT subquery is done before any fixed IP is looked at;
    OFFSET 0 keeps PostgreSQL from turning the EXISTS into a join that
    hashes them all.
    """
    owners = sa.union_all(*owners).cte('owners')
    interfaces = sa.select(owners.c.host, _interfaces.c.instance_uuid,
                           _interfaces.c.network_id).select_from(_interfaces).outerjoin(
        owners, owners.c.instance_uuid == _interfaces.c.instance_uuid).where(
        _interfaces.c.instance_uuid.in_(sa.select(owners.c.instance_uuid))
    ).distinct().subquery('interfaces')
    return [sa.select(interfaces.c.host, interfaces.c.network_id).where(
        sa.select(_fixed_ips.c.network_id).where(
            _fixed_ips.c.network_id == interfaces.c.network_id,
            *_allocated_to(interfaces.c.instance_uuid)).limit(1).offset(0).exists())]


def _intents_table(intents):
    """(host, instance_uuid) rows from a mapping host → uuids, as literal SELECTs."""
    rows = [sa.select(sa.literal(host, sa.String).label('host'),
                      sa.literal(str(instance_uuid), sa.String).label('instance_uuid'))
            for host, uuids in sorted(intents.items()) for instance_uuid in sorted(uuids)]
    return sa.union_all(*rows).subquery('intents') if rows else None


def _owners(wanted, intents):
    """SELECTs of (host, instance_uuid): instances whose networks a wanted host needs."""
    owners = [sa.select(_instances.c.host, _instances.c.uuid.label('instance_uuid')).where(
        _instances.c.deleted == 0, wanted(_instances.c.host))]
    for end in (_migrations.c.source_compute, _migrations.c.dest_compute):
        owners.append(sa.select(end.label('host'), _migrations.c.instance_uuid).where(
            _migrations.c.deleted == 0,
            _migrations.c.status.not_in(ENDED_MIGRATION_STATUSES), wanted(end)))
    intended = _intents_table(intents or {})
    if intended is not None:
        owners.append(sa.select(intended).where(wanted(intended.c.host)))
    return owners


def _host_vlans(wanted, intents, owned):
    """Every (host, VLAN) the rule gives, for the hosts where ``wanted(host)``.

    The cases give (host, network id) pairs, ``owned`` those of instances
    (_owned_networks or _owned_networks_of_few); the live VLAN networks are
    joined once, after the UNION has removed duplicate pairs.
    """
    pairs = sa.union(
        sa.select(_networks.c.host.label('host'), _networks.c.id.label('network_id')).where(
            _networks.c.deleted == 0, wanted(_networks.c.host)),
        sa.select(_fixed_ips.c.host, _fixed_ips.c.network_id).where(
            _fixed_ips.c.deleted == 0, wanted(_fixed_ips.c.host)),
        *owned(_owners(wanted, intents))).subquery('host_networks')
    return sa.select(pairs.c.host, _networks.c.vlan).join(_networks, sa.and_(
        _networks.c.id == pairs.c.network_id, _networks.c.deleted == 0,
        _networks.c.vlan.is_not(None))).subquery('host_vlans')


def _in_flight():
    return (_migrations.c.deleted == 0, _migrations.c.status.not_in(ENDED_MIGRATION_STATUSES))


def _networks_by_host(host, joined, *where):
    """(host, "network id,...") for each host: one short row per host.

    Grouped on the server: 100,000 (host, network) rows through a
    pure-Python driver cost seconds, 5,000 lists a few milliseconds.
    """
    return sa.select(host, _text_list(_fixed_ips.c.network_id)).select_from(joined).where(
        *where).group_by(host)


def _ips_of(instances):
    """(instance uuid, network id) of the live, allocated fixed IPs of ``instances``
    (a SELECT of uuids, or a bound list): a semi-join, so that where nova has no
    index on fixed_ips.instance_uuid it is one pass over the fixed IPs."""
    return sa.select(_fixed_ips.c.instance_uuid, _fixed_ips.c.network_id).where(
        _fixed_ips.c.instance_uuid.in_(instances), _fixed_ips.c.deleted == 0,
        _fixed_ips.c.allocated == sa.true())


_NO_VLAN = frozenset([None])


class _CloudRead:
    """What many hosts need, in one pass over each of nova's tables.

    One SELECT joining every case, as for a few hosts, grows faster than
    the cloud: its UNION of (host, network) rows (100,000 at 5,000 hosts)
    fills a temporary table of 255-character hosts that MariaDB moves to
    disk past 16 MB, and the moves, joined to the fixed IPs on a column
    only MySQL indexes, read every fixed IP once per case on PostgreSQL and
    once per move on SQLite.  Here each case is its own SELECT over nova's
    indexes, grouped by host on the server: the live VLAN networks (their
    ids, VLANs and hosts), the DHCP addresses, the instances' fixed IPs,
    the moves in flight and the fixed IPs of the moving instances (a
    semi-join: one pass, whatever the database); the network → VLAN map
    and the moves are applied here.  The SELECTs run in one transaction,
    which sees one snapshot of nova on MySQL (InnoDB's REPEATABLE READ, the
    default) and PostgreSQL (asked for), so a move between them cannot show
    an instance on neither host.

    ``wanted(column)`` picks the hosts: every host, or the bound list ``hosts``.
    """

    def __init__(self, wanted):
        self.networks = sa.select(_networks.c.id, _networks.c.vlan, _networks.c.host).where(
            _networks.c.deleted == 0, _networks.c.vlan.is_not(None))
        self.dhcp = _networks_by_host(_fixed_ips.c.host, _fixed_ips, _fixed_ips.c.deleted == 0,
                                      wanted(_fixed_ips.c.host))
        self.instances = _networks_by_host(
            _instances.c.host,
            _instances.join(_fixed_ips, sa.and_(*_allocated_to(_instances.c.uuid))),
            _instances.c.deleted == 0, wanted(_instances.c.host))
        self.moves = sa.select(_migrations.c.instance_uuid, _migrations.c.source_compute,
                               _migrations.c.dest_compute).where(*_in_flight())
        self.moving_ips = _ips_of(sa.select(_migrations.c.instance_uuid).where(*_in_flight()))
        self.intended_ips = _ips_of(sa.bindparam('uuids', expanding=True))

    def run(self, conn, hosts, intents):
        """host → frozenset of VLANs, for ``hosts`` (None: every host needing one).

        Network ids stay text, as the lists give them: a dict lookup per id
        is all the work done here per (host, network).
        """
        chosen = (lambda host: host is not None) if hosts is None else set(hosts).__contains__
        vlan_of, needs = {}, {}
        for network_id, vlan, host in conn.execute(self.networks):
            vlan_of[str(network_id)] = vlan
            if chosen(host):
                needs.setdefault(host, set()).add(str(network_id))
        parameters = {} if hosts is None else {'hosts': hosts}
        for statement in (self.dhcp, self.instances):
            for host, id_list in conn.execute(statement, parameters):
                if id_list:
                    needs.setdefault(host, set()).update(id_list.split(','))
        for host, network_ids in self._moving_networks(conn, chosen, intents):
            needs.setdefault(host, set()).update(network_ids)
        found = dict.fromkeys(hosts or (), frozenset())
        for host, network_ids in needs.items():
            vlans = frozenset(map(vlan_of.get, network_ids))
            if None in vlans:
                vlans -= _NO_VLAN
            if vlans or hosts is not None:
                found[host] = vlans
        return found

    def _moving_networks(self, conn, chosen, intents):
        """(host, network ids) of each instance moving to or from a chosen host,
        or that ``intents`` give one."""
        owners = [(host, instance_uuid) for instance_uuid, *ends in conn.execute(self.moves)
                  for host in ends if chosen(host)]
        intended = [(host, str(instance_uuid)) for host, uuids in (intents or {}).items()
                    if chosen(host) for instance_uuid in uuids]
        rows = conn.execute(self.moving_ips).all() if owners else []
        if intended:
            rows += conn.execute(self.intended_ips,
                                 {'uuids': sorted({u for _, u in intended})}).all()
        networks_of = {}
        for instance_uuid, network_id in rows:
            networks_of.setdefault(instance_uuid, set()).add(str(network_id))
        return [(host, networks_of.get(instance_uuid, ()))
                for host, instance_uuid in owners + intended]


def _read_only_engine(url, timeouts):
    """An engine whose sessions cannot write, so a bug here can never hurt nova;
    every wait on nova's server is bounded by ``timeouts`` (db/engines.py)."""
    url = sa.engine.make_url(url)
    backend = url.get_backend_name()
    if backend == 'sqlite':
        if url.database in (None, '', ':memory:'):
            return sa.create_engine(url)
        return sa.create_engine(url.set(database=f'file:{url.database}?mode=ro',
                                        query={**url.query, 'uri': 'true'}))
    engine = engines.server_engine(url, timeouts)
    statements = {
        # group_concat stops silently at 1,024 bytes on MySQL; 4,094 VLANs need 20 k.
        # A cloud read sorts 100,000 instances by host at 5,000 hosts: in
        # memory, not in merge passes through a file as with the 2 MB default.
        'mysql': ('SET SESSION TRANSACTION READ ONLY',
                  'SET SESSION group_concat_max_len = 65536',
                  'SET SESSION sort_buffer_size = 16777216'),
        # JIT (PostgreSQL 11 on) compiles any query whose estimate passes
        # jit_above_cost: 30-50 ms to save nothing on a read of a few ms.
        # With the 4 MB default work_mem a cloud read's grouping by host
        # spills to disk at 5,000 hosts (164 ms instead of 40).
        'postgresql': ('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY',
                       "SELECT set_config('jit', 'off', false) "
                       "WHERE current_setting('server_version_num')::int >= 110000",
                       "SET work_mem = '64MB'")}
    if backend in statements:
        @sa.event.listens_for(engine, 'connect')
        def _read_only(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            for statement in statements[backend]:
                cursor.execute(statement)
            cursor.close()
            dbapi_connection.commit()
    return engine


class Inventory:
    """Expected VLAN sets per host and per compute node, from nova's DB."""

    def __init__(self, nova_url, timeouts=engines.DEFAULT_TIMEOUTS):
        if not nova_url:
            raise conf.ConfigError(NOT_CONFIGURED)
        try:
            self.engine = _read_only_engine(nova_url, timeouts)
        except sa.exc.ArgumentError as exc:
            raise conf.ConfigError(
                f'invalid value for option nova.connection: not a usable database URL: {exc}')
        # As configured: the engine's URL of a SQLite file is rewritten read-only.
        self._where = sa.engine.make_url(nova_url).render_as_string(hide_password=True)
        self._node_host = None
        self._instance_ips_indexed = False
        self._statements = {}
        self._cloud_reads = {}

    @classmethod
    def from_config(cls, options):
        """The inventory of ``[nova] connection``, with that group's timeouts."""
        return cls(options.nova.connection, engines.Timeouts.of(options.nova))

    def close(self):
        self.engine.dispose()

    def vlans_by_host(self, hosts=None, intents=None):
        """host → frozenset of VLANs, for ``hosts`` (None: every host needing one).

        Every host asked for is in the answer, with an empty set if it needs
        nothing; ``intents`` maps host → instance uuids whose networks that
        host needs too (a move nova's DB does not show yet).
        """
        if hosts is None:
            return self._read_cloud(lambda conn: self._cloud_read(None).run(conn, None, intents))
        hosts = sorted(set(hosts))
        if not hosts:
            return {}
        if len(hosts) > FEW_HOSTS:
            return self._read_cloud(
                lambda conn: self._cloud_read(hosts).run(conn, hosts, intents))
        return _collect(hosts, self._read(
            lambda: self._statement('hosts', len(hosts), intents), hosts=hosts))

    def hosts_of_compute_nodes(self, ids):
        """compute node id → its service host, for the live nodes among ``ids``."""
        if not ids:
            return {}
        nodes = self._read(lambda: sa.select(self._nodes()), ids=sorted(set(ids)))
        return dict(nodes)

    def vlans_by_compute_node(self, ids, intents=None):
        """compute node id → frozenset of VLANs its host needs, in one query.

        Ids of compute nodes that are not (or no longer) in nova are left out:
        nova cannot say what they need.
        """
        return _collect((), self._node_vlan_lists(ids, intents))

    def needs_of_compute_nodes(self, ids, intents=None):
        """What vlans_by_compute_node says, as a NeedsByNode: for every
        bound node at once (a full sync of every switch)."""
        return NeedsByNode(self._node_vlan_lists(ids, intents))

    def _node_vlan_lists(self, ids, intents):
        if not ids:
            return []
        ids = sorted(set(ids))
        if len(ids) > FEW_HOSTS:
            return self._read_cloud(lambda conn: self._node_lists_of_cloud(conn, ids, intents))
        return self._read(lambda: self._statement('nodes', len(ids), intents), ids=ids)

    def _node_lists_of_cloud(self, conn, ids, intents):
        """(node id, "10,11" or None) of the live nodes among ``ids``, by a cloud read."""
        nodes = conn.execute(sa.select(self._nodes()), {'ids': ids}).all()
        hosts = sorted({host for _, host in nodes if host is not None})
        needs = self._cloud_read(hosts).run(conn, hosts, intents) if hosts else {}
        lists = {host: ','.join(map(str, sorted(vlans))) for host, vlans in needs.items()}
        return [(node, lists.get(host) or None) for node, host in nodes]

    def _cloud_read(self, hosts):
        """The _CloudRead for every host (``hosts`` None) or a bound list, built once."""
        asked = 'every' if hosts is None else 'hosts'
        if asked not in self._cloud_reads:
            self._cloud_reads[asked] = _CloudRead(_everywhere if hosts is None else (
                lambda column: column.in_(sa.bindparam('hosts', expanding=True))))
        return self._cloud_reads[asked]

    # What nova does not notify, read by the nova watcher every poll.

    def network_hosts(self):
        """network id → host of every live network with a host."""
        return dict(self._read(lambda: sa.select(_networks.c.id, _networks.c.host).where(
            _networks.c.deleted == 0, _networks.c.host.is_not(None))))

    def instance_placement(self, known_up_to=0):
        """host → (live instances, sum of their ids, the same two of those
        with ids up to ``known_up_to``, the highest id), for every host with one.

        A fingerprint of which instances each host has, not the list: moving
        an instance changes both hosts' fingerprints, and reading 1,000 rows
        instead of 20,000 keeps the poll cheap.  The part up to
        ``known_up_to`` (the highest id of the last poll) leaves out the
        instances booted since, so a boot changes no host's known part.  On
        MySQL nova's index (host, deleted) answers it alone (InnoDB keeps
        the id in it).
        """
        known = _instances.c.id <= sa.bindparam('known_up_to')

        def counted(value):
            # MySQL sums into DECIMAL, which costs PyMySQL a Decimal per host.
            return sa.cast(sa.func.sum(sa.case((known, value), else_=0)), sa.BigInteger)
        id_sum = sa.cast(sa.func.sum(_instances.c.id), sa.BigInteger)
        return {host: tuple(fingerprint) for host, *fingerprint in self._read(
            lambda: sa.select(_instances.c.host, sa.func.count(), id_sum, counted(1),
                              counted(_instances.c.id), sa.func.max(_instances.c.id)).where(
                _instances.c.deleted == 0, _instances.c.host.is_not(None)).group_by(
                _instances.c.host), known_up_to=known_up_to)}

    def migrations_since(self, newer_than=0):
        """migration id → (status, source, destination) of the live rows not
        ended, and of the live rows with ids above ``newer_than`` (the
        highest id of the last poll) whatever their status: a move that
        began and ended between two polls is in the answer once.  A row
        that ends (or is deleted) leaves the answer.

        nova's index (deleted, source_compute, dest_compute, ..., status)
        holds every column but the id, which InnoDB keeps in it too.
        """
        return {row.id: (row.status, row.source_compute, row.dest_compute)
                for row in self._read(lambda: sa.select(
                    _migrations.c.id, _migrations.c.status, _migrations.c.source_compute,
                    _migrations.c.dest_compute).where(
                    _migrations.c.deleted == 0, sa.or_(
                        _migrations.c.status.not_in(ENDED_MIGRATION_STATUSES),
                        _migrations.c.id > sa.bindparam('newer_than'))),
                    newer_than=newer_than)}

    def reasons(self, hosts):
        """host → [(VLAN, why)], each case of the rule that makes it need the
        VLAN: ``why`` is a dict with ``reason`` (NETWORK_HOST, DHCP_ADDRESS,
        INSTANCE, MOVE), ``network_id``, ``network`` (its label) and, as the
        case has them, ``instance_uuid``, ``address`` (the fixed IP),
        ``source``, ``destination`` and ``status`` of the migration.

        For ``psvm-manage explain``: a few hosts, several plain SELECTs; the
        sync itself asks ``vlans_by_compute_node``, which follows the same rule.
        """
        hosts = sorted(set(hosts))
        found = {host: [] for host in hosts}
        if not hosts:
            return found
        keys = ('network_id', 'network', 'reason', 'instance_uuid', 'address', 'source',
                'destination', 'status')
        for query in _reason_queries(hosts):
            for host, vlan, *values in self._read(lambda q=query: q):
                why = {key: value for key, value in zip(keys, values, strict=True)
                       if value is not None}
                if 'address' in why:
                    why['address'] = str(why['address'])
                found[host].append((vlan, why))
        for reasons in found.values():
            reasons.sort(key=lambda item: (item[0], item[1]['reason'],
                                           item[1].get('instance_uuid', '')))
        return found

    def _statement(self, asked, count, intents):
        """The SELECT for ``count`` hosts or nodes (``asked``: 'hosts', 'nodes').

        Building it costs as much as running it for one host (0.5 ms), so it
        is built once: the hosts or node ids are bound when it runs.  Intents
        (literal rows, and rare) get a statement of their own.
        """
        owned = self._owned_networks(count)
        statement = None if intents else self._statements.get((asked, owned))
        if statement is None:
            statement = self._build(asked, owned, intents)
            if not intents:
                self._statements[asked, owned] = statement
        return statement

    def _build(self, asked, owned, intents):
        if asked == 'nodes':
            nodes = self._nodes()
            vlans = _host_vlans(lambda column: column.in_(sa.select(nodes.c.host)), intents,
                                owned)
            return sa.select(nodes.c.id, _text_list(vlans.c.vlan)).select_from(
                nodes.outerjoin(vlans, vlans.c.host == nodes.c.host)).group_by(nodes.c.id)
        vlans = _host_vlans(lambda column: column.in_(sa.bindparam('hosts', expanding=True)),
                            intents, owned)
        return sa.select(vlans.c.host, _text_list(vlans.c.vlan)).group_by(vlans.c.host)

    def _nodes(self):
        """(id, host) of the live compute nodes among the bound ``ids``."""
        return sa.select(_compute_nodes.c.id, self._node_host.label('host')).select_from(
            _compute_nodes.outerjoin(_services, sa.and_(
                _services.c.id == _compute_nodes.c.service_id, _services.c.deleted == 0))
        ).where(_compute_nodes.c.id.in_(sa.bindparam('ids', expanding=True)),
                _compute_nodes.c.deleted == 0).subquery('nodes')

    def _owned_networks(self, count):
        """How instances reach their fixed IPs when ``count`` hosts are asked for."""
        if count > FEW_HOSTS or self._instance_ips_indexed:
            return _owned_networks
        return _owned_networks_of_few

    def _detect_schema(self, conn):
        """Read once what nova's releases and databases differ in.

        compute_nodes.host exists from Kilo on, and may still be NULL there;
        nova indexes fixed_ips.instance_uuid on MySQL only.
        """
        inspector = sa.inspect(conn)
        self._instance_ips_indexed = any(
            index['column_names'][:1] == ['instance_uuid']
            for index in inspector.get_indexes('fixed_ips'))
        columns = {column['name'] for column in inspector.get_columns('compute_nodes')}
        self._node_host = (sa.func.coalesce(_compute_nodes.c.host, _services.c.host)
                           if 'host' in columns else _services.c.host)

    def unreadable_tables(self):
        """table → why it cannot be read, for each table the inventory reads.

        Empty when every one answers a SELECT of the columns read from it
        (compute_nodes.host is optional: it exists only from Kilo on).
        NovaUnavailable when the database does not answer at all.
        """
        problems = {}
        try:
            with self.engine.connect() as conn:
                for table in READ_TABLES:
                    columns = [c for c in table.c
                               if (table.name, c.name) != ('compute_nodes', 'host')]
                    try:
                        conn.execute(sa.select(*columns).limit(1)).all()
                    except sa.exc.SQLAlchemyError as exc:
                        problems[table.name] = _reason(exc)
                        conn.rollback()
        except sa.exc.SQLAlchemyError as exc:
            raise NovaUnavailable(f'cannot read the nova database {self._where}: '
                                  f'{_reason(exc)}') from exc
        return problems

    def _read(self, build_query, **parameters):
        return self._connected(lambda conn: conn.execute(build_query(), parameters).all())

    def _read_cloud(self, read):
        """``read(conn)`` of several SELECTs, on one snapshot where the database
        gives one to a read-only transaction (not SQLite's driver, which
        begins none for a SELECT)."""
        isolation = SNAPSHOT_ISOLATION.get(self.engine.dialect.name)
        return self._connected(read, **({'isolation_level': isolation} if isolation else {}))

    def _connected(self, read, **options):
        try:
            with self.engine.connect() as conn:
                if options:
                    conn.execution_options(**options)
                if self._node_host is None:
                    self._detect_schema(conn)
                return read(conn)
        except sa.exc.SQLAlchemyError as exc:
            raise NovaUnavailable(
                f'cannot read the nova database {self._where}: {_reason(exc)}') from exc


def _reason(exc):
    """What the database driver said, without SQLAlchemy's wrapping."""
    reason = getattr(exc, 'orig', None) or exc
    return f'{type(reason).__name__}: {reason}'


def _text_list(column):
    """The values of a group as "10,11,40": one row per host, not one per value.

    Fetching 1,000 short strings instead of 20,000 rows is what keeps a
    whole-cloud call fast through a pure-Python driver.
    """
    return sa.func.aggregate_strings(sa.cast(column, sa.String), ',')


def _collect(keys, rows):
    """Rows of (key, "10,11" or None) → key → frozenset, with every key of ``keys``."""
    found = dict.fromkeys(keys, frozenset())
    for key, vlan_list in rows:
        found[key] = _vlan_set(vlan_list)
    return found


def _vlan_set(vlan_list):
    return frozenset(map(int, vlan_list.split(','))) if vlan_list else frozenset()


class NeedsByNode:
    """compute node id → VLANs, kept as nova's "10,11,40" and parsed when
    asked: for 100,000 nodes the lists take 8 MB where the frozensets of
    20 VLANs would take 120 MB."""

    def __init__(self, rows):
        self._lists = {node: sys.intern(vlan_list or '') for node, vlan_list in rows}

    def __len__(self):
        return len(self._lists)

    def __contains__(self, node):
        return node in self._lists

    def get(self, node, default=None):
        vlan_list = self._lists.get(node)
        return default if vlan_list is None else _vlan_set(vlan_list)
