"""The lab nova writes what nova writes, on SQLite, MariaDB and PostgreSQL."""

import pytest
import sqlalchemy as sa

from psvm_listener.lab import nova

COMMON_INDEXES = {
    'instances': {'uuid', 'instances_host_deleted_idx', 'instances_uuid_deleted_idx',
                  'instances_host_node_deleted_idx', 'instances_task_state_updated_at_idx'},
    'networks': {'networks_host_idx', 'networks_vlan_deleted_idx',
                 'networks_bridge_deleted_idx', 'networks_project_id_deleted_idx',
                 'networks_uuid_project_id_deleted_idx'},
    'fixed_ips': {'fixed_ips_host_idx', 'fixed_ips_network_id_host_deleted_idx',
                  'fixed_ips_address_reserved_network_id_deleted_idx',
                  'fixed_ips_deleted_allocated_idx'},
    'migrations': {'migrations_by_host_nodes_and_status_idx',
                   'migrations_instance_uuid_and_status_idx'},
}
# 216_havana's "mysql_pre_indexes", and the ones MySQL makes for named foreign keys.
MYSQL_ONLY = {'fixed_ips': {'network_id', 'fixed_ips_virtual_interface_id_fkey', 'address',
                            'fixed_ips_instance_uuid_fkey'},
              'virtual_interfaces': {'network_id', 'virtual_interfaces_instance_uuid_fkey'}}


def test_lab_on_a_database_without_nova_says_so(db_url):
    with pytest.raises(nova.LabError, match='create_schema'):
        nova.NovaLab(db_url)


def _indexes(engine, table):
    return {index['name'] for index in sa.inspect(engine).get_indexes(table)}


def test_schema_has_novas_indexes_for_each_database(nova_lab):
    dialect = nova_lab.engine.dialect.name
    for table in ('instances', 'networks', 'fixed_ips', 'migrations', 'virtual_interfaces'):
        expected = COMMON_INDEXES.get(table, set())
        if dialect == 'mysql':
            expected = expected | MYSQL_ONLY.get(table, set())
        elif dialect == 'postgresql' and table == 'fixed_ips':
            expected = expected | {'address'}
        assert _indexes(nova_lab.engine, table) >= expected, table
        if dialect != 'mysql':
            assert 'network_id' not in _indexes(nova_lab.engine, table)


@pytest.mark.parametrize('kilo', [False, True])
def test_compute_nodes_host_only_from_kilo(db_url, kilo):
    nova.create_schema(db_url, kilo=kilo)
    nova_lab = nova.NovaLab(db_url)
    try:
        columns = {c['name'] for c in sa.inspect(nova_lab.engine).get_columns('compute_nodes')}
        assert ('host' in columns) is kilo
        node = nova_lab.add_service_host('h1')
        (row,) = _rows(nova_lab, 'compute_nodes')
        assert (row.id, row.hypervisor_hostname) == (node, 'h1')
        assert getattr(row, 'host', None) == ('h1' if kilo else None)
    finally:
        nova_lab.close()


def test_boot_allocates_the_first_free_address_like_nova_network(nova_lab):
    network = nova_lab.add_network(10, label='web')
    assert len(_rows(nova_lab, 'fixed_ips', network_id=network)) == 256
    assert nova_lab.boot('vm-1', 'h1', network) == '10.0.10.2'
    assert nova_lab.boot('vm-2', 'h1', network) == '10.0.10.3'
    (vif,) = _rows(nova_lab, 'virtual_interfaces', instance_uuid='vm-1')
    (fixed_ip,) = _rows(nova_lab, 'fixed_ips', address='10.0.10.2')
    assert (fixed_ip.instance_uuid, fixed_ip.virtual_interface_id, fixed_ip.allocated,
            fixed_ip.host) == ('vm-1', vif.id, True, None)


def test_multi_host_boot_takes_one_dhcp_address_per_host(nova_lab):
    network = nova_lab.add_network(11, multi_host=True)
    nova_lab.boot('vm-1', 'h1', network)
    nova_lab.boot('vm-2', 'h1', network)
    nova_lab.boot('vm-3', 'h2', network)
    held = [(row.host, row.instance_uuid, row.allocated)
            for row in _rows(nova_lab, 'fixed_ips', network_id=network) if row.host]
    assert held == [('h1', None, False), ('h2', None, False)]


def test_boot_many_writes_what_a_boot_of_each_writes(nova_lab):
    web, dhcp = nova_lab.add_network(14), nova_lab.add_network(15, multi_host=True)
    nova_lab.boot('vm-0', 'h1', web)
    addresses = nova_lab.boot_many([('vm-1', 'h1', web), ('vm-2', 'h2', dhcp),
                                    ('vm-3', 'h2', web), ('vm-0', 'h1', dhcp)])
    assert addresses == ['10.0.14.3', '10.0.15.2', '10.0.14.4', '10.0.15.4']
    assert [row.uuid for row in _rows(nova_lab, 'instances')] == ['vm-0', 'vm-1', 'vm-2',
                                                                  'vm-3']
    vifs = {(row.instance_uuid, row.network_id): row.id
            for row in _rows(nova_lab, 'virtual_interfaces')}
    assert len(vifs) == 5
    taken = [(row.address, row.instance_uuid, row.virtual_interface_id, row.host)
             for row in _rows(nova_lab, 'fixed_ips', allocated=True)]
    assert sorted(taken) == [('10.0.14.2', 'vm-0', vifs['vm-0', web], None),
                             ('10.0.14.3', 'vm-1', vifs['vm-1', web], None),
                             ('10.0.14.4', 'vm-3', vifs['vm-3', web], None),
                             ('10.0.15.2', 'vm-2', vifs['vm-2', dhcp], None),
                             ('10.0.15.4', 'vm-0', vifs['vm-0', dhcp], None)]
    held = sorted((row.address, row.host) for row in _rows(nova_lab, 'fixed_ips',
                                                            network_id=dhcp) if row.host)
    assert held == [('10.0.15.3', 'h2'), ('10.0.15.5', 'h1')]


def test_boot_many_beyond_a_full_pool_writes_nothing(nova_lab):
    network = nova_lab.add_network(16)
    with pytest.raises(nova.LabError, match='no free fixed IP'):
        nova_lab.boot_many([(f'vm-{n}', 'h1', network) for n in range(254)])
    assert _rows(nova_lab, 'instances') == []


def test_delete_soft_deletes_and_keeps_the_fixed_ip_named(nova_lab):
    nova_lab.boot('vm-1', 'h1', nova_lab.add_network(12))
    nova_lab.delete('vm-1')
    (instance,) = _rows(nova_lab, 'instances', uuid='vm-1')
    (vif,) = _rows(nova_lab, 'virtual_interfaces', instance_uuid='vm-1')
    (fixed_ip,) = _rows(nova_lab, 'fixed_ips', instance_uuid='vm-1')
    assert (instance.deleted, instance.vm_state) == (instance.id, 'deleted')
    assert vif.deleted == vif.id
    assert (fixed_ip.deleted, fixed_ip.allocated) == (0, False)
    with pytest.raises(nova.LabError):
        nova_lab.delete('vm-1')


def test_migration_moves_the_instance_when_it_finishes(nova_lab):
    nova_lab.boot('vm-1', 'h1', nova_lab.add_network(13))
    nova_lab.start_migration('vm-1', 'h2')
    (move,) = _rows(nova_lab, 'migrations')
    assert (move.source_compute, move.dest_compute, move.status) == ('h1', 'h2', 'migrating')
    nova_lab.finish_migration('vm-1')
    (instance,) = _rows(nova_lab, 'instances', uuid='vm-1')
    (move,) = _rows(nova_lab, 'migrations')
    assert (instance.host, move.status) == ('h2', 'confirmed')
    with pytest.raises(nova.LabError):
        nova_lab.finish_migration('vm-1')


def test_deleted_network_and_its_pool_are_soft_deleted(nova_lab):
    network = nova_lab.add_network(14)
    nova_lab.delete_network(network)
    assert {row.deleted == row.id for row in _rows(nova_lab, 'fixed_ips', network_id=network)} == {
        True}
    nova_lab.add_network(14)
    with pytest.raises(nova.LabError):
        nova_lab.associate_network(network, 'h1')


def test_populate_is_the_same_cloud_for_the_same_seed(tmp_path):
    def cloud(name, seed):
        url = f'sqlite:///{tmp_path}/{name}.sqlite'
        nova.create_schema(url)
        nova_lab = nova.NovaLab(url)
        try:
            built = nova_lab.populate(hosts=5, networks=8, instances=400, vlans_per_host=4,
                                      seed=seed)
            return built, _dump(nova_lab)
        finally:
            nova_lab.close()
    first, again, other = cloud('a', 1), cloud('b', 1), cloud('c', 2)
    assert first == again
    assert first[1] != other[1]
    built, rows = first
    assert len(built.compute_nodes) == 5 and len(built.networks) == 8
    assert len(built.instances) == 400 - 400 // 50
    assert sum(1 for row in rows['migrations'] if row['status'] == 'migrating') == 2


def _dump(nova_lab):
    """Every row of every table, without the timestamps."""
    with nova_lab.engine.connect() as conn:
        return {name: [{key: value for key, value in row._mapping.items()
                        if not key.endswith('_at')}
                       for row in conn.execute(sa.select(table).order_by(table.c.id))]
                for name, table in nova_lab.tables.items()}


def _rows(nova_lab, name, **where):
    table = nova_lab.tables[name]
    with nova_lab.engine.connect() as conn:
        return conn.execute(sa.select(table).where(
            *(table.c[key] == value for key, value in where.items())).order_by(
            table.c.id)).all()
