"""The inventory against a nova_lab nova on SQLite, MariaDB and PostgreSQL."""

import socket
import time

import pytest
import sqlalchemy as sa

from psvm_listener import errors
from psvm_listener import inventory
from psvm_listener.db import engines
from psvm_listener.lab import nova
from tests import databases
from tests import tcp_proxy


@pytest.fixture
def inv(nova_lab, nova_url):
    reader = inventory.Inventory(nova_url)
    yield reader
    reader.close()


def test_instances_give_their_host_their_vlans(nova_lab, inv):
    web, db = nova_lab.add_network(10), nova_lab.add_network(11)
    nova_lab.boot('vm-1', 'h1', web)
    nova_lab.boot('vm-1', 'h1', db)
    nova_lab.boot('vm-2', 'h2', db)
    assert inv.vlans_by_host(['h1', 'h2', 'h3']) == {
        'h1': {10, 11}, 'h2': {11}, 'h3': frozenset()}
    assert inv.vlans_by_host() == {'h1': {10, 11}, 'h2': {11}}


def test_instance_on_another_host_is_not_this_hosts_need(nova_lab, inv):
    nova_lab.boot('vm-1', 'h2', nova_lab.add_network(10))
    assert inv.vlans_by_host(['h1']) == {'h1': frozenset()}


def test_soft_deleted_instance_releases_its_vlan(nova_lab, inv):
    network = nova_lab.add_network(10)
    address = nova_lab.boot('vm-1', 'h1', network)
    nova_lab.boot('vm-2', 'h1', nova_lab.add_network(11))
    nova_lab.delete('vm-1')
    fixed_ip = _fixed_ip(nova_lab, address)
    assert (fixed_ip.instance_uuid, fixed_ip.allocated) == ('vm-1', False)
    assert inv.vlans_by_host(['h1']) == {'h1': {11}}


def test_deallocated_fixed_ip_of_a_live_instance_is_not_a_need(nova_lab, inv):
    """A NIC removed from a running instance: deallocated, lease not yet released."""
    nova_lab.boot('vm-1', 'h1', nova_lab.add_network(10))
    address = nova_lab.boot('vm-1', 'h1', nova_lab.add_network(11))
    (fixed_ip,) = _rows(nova_lab, 'fixed_ips', address=address)
    _set(nova_lab, 'fixed_ips', fixed_ip.id, allocated=False)
    assert inv.vlans_by_host(['h1']) == {'h1': {10}}


def test_network_associated_with_a_host_without_instances(nova_lab, inv):
    network = nova_lab.add_network(20, host='h1')
    assert inv.vlans_by_host(['h1', 'h2']) == {'h1': {20}, 'h2': frozenset()}
    nova_lab.associate_network(network, 'h2')
    assert inv.vlans_by_host(['h1', 'h2']) == {'h1': frozenset(), 'h2': {20}}
    nova_lab.associate_network(network, None)
    assert inv.vlans_by_host() == {}


def test_multi_host_dhcp_address_keeps_the_vlan_on_its_host(nova_lab, inv):
    network = nova_lab.add_network(30, multi_host=True)
    nova_lab.boot('vm-1', 'h1', network)
    nova_lab.delete('vm-1')
    dhcp = _rows(nova_lab, 'fixed_ips', host='h1')
    assert [(row.network_id, row.instance_uuid) for row in dhcp] == [(network, None)]
    assert inv.vlans_by_host(['h1']) == {'h1': {30}}


def test_deleted_network_is_nobodys_need(nova_lab, inv):
    network = nova_lab.add_network(40, host='h1', multi_host=True)
    nova_lab.boot('vm-1', 'h2', network)
    assert inv.vlans_by_host() == {'h1': {40}, 'h2': {40}}
    nova_lab.delete('vm-1')
    nova_lab.delete_network(network)
    assert inv.vlans_by_host(['h1', 'h2']) == {'h1': frozenset(), 'h2': frozenset()}


def test_migration_in_flight_counts_on_both_hosts(nova_lab, inv):
    nova_lab.boot('vm-1', 'h1', nova_lab.add_network(50))
    nova_lab.start_migration('vm-1', 'h2')
    assert inv.vlans_by_host(['h1', 'h2']) == {'h1': {50}, 'h2': {50}}
    nova_lab.finish_migration('vm-1')
    assert inv.vlans_by_host(['h1', 'h2']) == {'h1': frozenset(), 'h2': {50}}


def test_resize_waiting_for_confirmation_still_needs_the_source(nova_lab, inv):
    nova_lab.boot('vm-1', 'h1', nova_lab.add_network(50))
    nova_lab.start_migration('vm-1', 'h2', status='post-migrating')
    nova_lab.finish_migration('vm-1', status='finished')
    assert inv.vlans_by_host(['h1', 'h2']) == {'h1': {50}, 'h2': {50}}


@pytest.mark.parametrize('status', inventory.ENDED_MIGRATION_STATUSES)
def test_ended_migration_counts_nowhere(nova_lab, inv, status):
    nova_lab.boot('vm-1', 'h1', nova_lab.add_network(50))
    nova_lab.start_migration('vm-1', 'h2', status=status)
    assert inv.vlans_by_host(['h1', 'h2']) == {'h1': {50}, 'h2': frozenset()}


def test_intents_add_the_instances_vlans_to_the_host(nova_lab, inv):
    nova_lab.boot('vm-1', 'h1', nova_lab.add_network(60))
    nova_lab.boot('vm-2', 'h1', nova_lab.add_network(61))
    nova_lab.boot('vm-3', 'h1', nova_lab.add_network(62))
    nova_lab.delete('vm-3')
    intents = {'h2': ['vm-1', 'vm-3'], 'h3': ['vm-2']}
    assert inv.vlans_by_host(['h1', 'h2'], intents=intents) == {
        'h1': {60, 61}, 'h2': {60}}
    assert inv.vlans_by_host(intents=intents) == {'h1': {60, 61}, 'h2': {60}, 'h3': {61}}


@pytest.mark.parametrize('kilo', [False, True], ids=['icehouse', 'kilo'])
def test_compute_nodes_map_to_their_service_host(db_url, kilo):
    nova.create_schema(db_url, kilo=kilo)
    nova_lab = nova.NovaLab(db_url)
    node_1, node_2 = nova_lab.add_service_host('h1'), nova_lab.add_service_host('h2')
    nova_lab.boot('vm-1', 'h1', nova_lab.add_network(70))
    nova_lab.add_network(71, host='h2')
    if kilo:
        _set(nova_lab, 'compute_nodes', node_2, host=None)  # not saved since the upgrade
    reader = inventory.Inventory(db_url)
    try:
        assert reader.hosts_of_compute_nodes([node_1, node_2, 999]) == {
            node_1: 'h1', node_2: 'h2'}
        assert reader.vlans_by_compute_node([node_1, node_2, 999]) == {
            node_1: {70}, node_2: {71}}
        assert reader.vlans_by_compute_node([node_2], intents={'h2': ['vm-1']}) == {
            node_2: {70, 71}}
    finally:
        reader.close()
        nova_lab.close()


def test_needs_of_every_bound_node_hold_what_each_node_needs(nova_lab, inv):
    node_1, node_2 = nova_lab.add_service_host('h1'), nova_lab.add_service_host('h2')
    nova_lab.boot('vm-1', 'h1', nova_lab.add_network(70))
    nova_lab.boot('vm-2', 'h1', nova_lab.add_network(72))
    needs = inv.needs_of_compute_nodes([node_1, node_2, 999], intents={'h2': ['vm-1']})
    assert (needs.get(node_1), needs.get(node_2), needs.get(999)) == ({70, 72}, {70}, None)
    assert node_2 in needs and 999 not in needs and len(needs) == 2


def test_kilo_compute_node_host_wins_over_the_service(db_url):
    nova.create_schema(db_url, kilo=True)
    nova_lab = nova.NovaLab(db_url)
    node = nova_lab.add_service_host('h1')
    _set(nova_lab, 'compute_nodes', node, host='h1.example.org')
    nova_lab.add_network(80, host='h1.example.org')
    reader = inventory.Inventory(db_url)
    try:
        assert reader.vlans_by_compute_node([node]) == {node: {80}}
    finally:
        reader.close()
        nova_lab.close()


def test_deleted_compute_node_is_left_out(nova_lab, inv):
    node = nova_lab.add_service_host('h1')
    nova_lab.add_network(90, host='h1')
    _set(nova_lab, 'compute_nodes', node, deleted=node)
    assert inv.hosts_of_compute_nodes([node]) == {}
    assert inv.vlans_by_compute_node([node]) == {}


def test_no_hosts_asked_is_an_empty_answer_without_a_query(inv):
    assert inv.vlans_by_host([]) == {}
    assert inv.vlans_by_compute_node([]) == {}
    assert inv.hosts_of_compute_nodes([]) == {}


def test_reads_only(nova_lab, inv):
    nova_lab.add_network(10, host='h1')
    with inv.engine.connect() as conn, pytest.raises(sa.exc.DBAPIError):
        conn.execute(sa.text('DELETE FROM networks'))
    assert inv.vlans_by_host() == {'h1': {10}}


def test_database_without_nova_tables_is_unavailable(db_url):
    reader = inventory.Inventory(db_url)
    try:
        with pytest.raises(inventory.NovaUnavailable) as raised:
            reader.vlans_by_host(['h1'])
    finally:
        reader.close()
    assert isinstance(raised.value, errors.RetryLater)


@pytest.mark.parametrize('scheme', ['mysql+pymysql://root', 'postgresql+psycopg2://postgres'])
def test_server_down_is_unavailable_not_empty(scheme):
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    reader = inventory.Inventory(f'{scheme}:secret@127.0.0.1:{port}/nova')
    try:
        for call in (lambda: reader.vlans_by_host(), lambda: reader.vlans_by_compute_node([1]),
                     lambda: reader.hosts_of_compute_nodes([1])):
            with pytest.raises(inventory.NovaUnavailable) as raised:
                call()
            assert 'secret' not in str(raised.value)
            assert str(port) in str(raised.value)
    finally:
        reader.close()


def test_missing_sqlite_file_is_unavailable_and_not_created(tmp_path):
    path = tmp_path / 'nova.sqlite'
    reader = inventory.Inventory(f'sqlite:///{path}')
    with pytest.raises(inventory.NovaUnavailable):
        reader.vlans_by_host()
    assert not path.exists()


def test_populated_cloud_matches_each_hosts_instances(nova_lab, inv):
    cloud = nova_lab.populate(hosts=6, networks=10, instances=60, vlans_per_host=3, seed=7)
    needs = inv.vlans_by_compute_node(cloud.compute_nodes.values())
    by_host = inv.vlans_by_host(cloud.compute_nodes)
    assert {host: needs[node] for host, node in cloud.compute_nodes.items()} == by_host
    # 10 instances per host over its 3 networks; one deleted leaves 3 each.
    assert {len(vlans) for vlans in by_host.values()} == {3}
    assert inv.vlans_by_host([nova.NETWORK_HOST])[nova.NETWORK_HOST] == set(
        vlan for vlan in cloud.networks if (vlan - nova.FIRST_VLAN) % 2 == 0)


def test_a_few_hosts_get_what_a_full_sync_gives_them(nova_lab, inv):
    """A targeted sync reads a handful of hosts another way than a full sync does."""
    cloud = nova_lab.populate(hosts=inventory.FEW_HOSTS + 10, networks=40, instances=400,
                         vlans_per_host=4, seed=3)
    names = sorted(cloud.compute_nodes)
    intents = {names[0]: cloud.instances[-2:], names[-1]: cloud.instances[:1]}
    everything = inv.vlans_by_host(names, intents=intents)
    assert everything == {host: vlans for host, vlans in inv.vlans_by_host(
        intents=intents).items() if host in everything}
    for few in (names[:1], names[:5], names[-inventory.FEW_HOSTS:]):
        assert inv.vlans_by_host(few, intents=intents) == {
            host: everything[host] for host in few}
        assert inv.vlans_by_compute_node(
            [cloud.compute_nodes[host] for host in few], intents=intents) == {
            cloud.compute_nodes[host]: everything[host] for host in few}


def test_many_nodes_get_what_their_hosts_need(nova_lab, inv):
    """A full sync asks for every bound node at once (a cloud read): each
    node gets its host's needs, moves and intents included; a node whose
    host needs nothing gets an empty set, an unknown node nothing."""
    cloud = nova_lab.populate(hosts=inventory.FEW_HOSTS + 10, networks=40, instances=400,
                              vlans_per_host=4, seed=5)
    names = sorted(cloud.compute_nodes)
    idle = nova_lab.add_service_host('idle-host')
    moving = cloud.instances[0]
    nova_lab.start_migration(moving, 'idle-host')
    intents = {names[1]: cloud.instances[-1:]}
    nodes = [*cloud.compute_nodes.values(), idle, 99999]
    expected = {cloud.compute_nodes[host]: vlans for host, vlans in inv.vlans_by_host(
        names, intents=intents).items()}
    expected[idle] = inv.vlans_by_host(['idle-host'])['idle-host']
    assert expected[idle]
    assert inv.vlans_by_compute_node(nodes, intents=intents) == expected
    needs = inv.needs_of_compute_nodes(nodes, intents=intents)
    assert {node: needs.get(node) for node in expected} == expected
    assert 99999 not in needs
    nova_lab.finish_migration(moving)
    nova_lab.boot('vm-gone', 'idle-host', cloud.networks[nova.FIRST_VLAN])
    nova_lab.delete('vm-gone')
    nova_lab.move_instance(moving, names[0])
    assert inv.vlans_by_compute_node(nodes)[idle] == frozenset()


def _fixed_ip(nova_lab, address):
    (row,) = _rows(nova_lab, 'fixed_ips', address=address)
    return row


def _rows(nova_lab, name, **where):
    table = nova_lab.tables[name]
    with nova_lab.engine.connect() as conn:
        return conn.execute(sa.select(table).where(
            *(table.c[key] == value for key, value in where.items()))).all()


def _set(nova_lab, name, row_id, **values):
    table = nova_lab.tables[name]
    with nova_lab.engine.begin() as conn:
        conn.execute(table.update().where(table.c.id == row_id).values(**values))


def test_nova_silently_dead_is_unavailable_within_the_timeouts(tmp_path):
    """nova's database fails over behind a silent network: a read on a pooled
    connection is NovaUnavailable (retry later) within the timeouts, and the
    next read after the failover works on a new connection."""
    with databases.fresh_database('mysql', tmp_path) as url, \
            tcp_proxy.TcpProxy(('127.0.0.1', 3306)) as proxy:
        nova.create_schema(url)
        lab = nova.NovaLab(url)
        lab.boot('vm-1', 'h1', lab.add_network(10))
        proxied = url.replace('127.0.0.1:3306', f'127.0.0.1:{proxy.port}')
        reader = inventory.Inventory(proxied, engines.Timeouts(connect=1, query=1))
        try:
            assert reader.vlans_by_host(['h1']) == {'h1': {10}}
            proxy.stall()
            started = time.monotonic()
            with pytest.raises(inventory.NovaUnavailable):
                reader.vlans_by_host(['h1'])
            assert time.monotonic() - started < 5
            proxy.restore()
            assert reader.vlans_by_host(['h1']) == {'h1': {10}}
        finally:
            reader.close()
            lab.close()
