"""A one-port sync weighs its guards with two sums the switch row keeps
(psvm_listener.db.facts); whatever writes ports or bindings, they must stay
what every stored port adds up to, on each database."""

import dataclasses

import sqlalchemy as sa

from psvm_listener.db import api

LISTED_ON_BOUND_PORTS = sa.text(
    'SELECT COALESCE(SUM(p.vlan_count), 0) FROM psvm_switch_port p '
    'JOIN psvm_switchport_binding b ON b.switch_id = p.switch_id '
    'AND b.switch_port = p.port AND b.deleted = 0 WHERE p.switch_id = :switch_id')
PORTS_ALLOWING_ALL = sa.text(
    'SELECT COUNT(*) FROM psvm_switch_port WHERE switch_id = :switch_id '
    'AND vlan_count IS NULL')


def counted_from_every_port(database, switch_id):
    with database.engine.connect() as connection:
        return tuple(connection.execute(query, {'switch_id': switch_id}).scalar()
                     for query in (LISTED_ON_BOUND_PORTS, PORTS_ALLOWING_ALL))


def sums_a_sync_sees(database, switch_id, beside=()):
    facts = database.switch_facts(switch_id, read_ports=list(beside))
    return facts['ports_listed'], facts['ports_all']


def store(database, switch_id, every_port=False, **allowed):
    database.record_facts(switch_id, api.PortFacts(
        allowed={port.replace('_', '/'): fact for port, fact in allowed.items()},
        every_port=every_port))


THREE_PORTS = {'ethernet1_1': ('10-12', 3), 'ethernet1_2': ('all', None),
               'ethernet1_3': ('20', 1)}


def bind_three_ports(database, switch_id):
    """e1/1-3 bound to nodes 1-3, stored by a full sync as THREE_PORTS; the bindings."""
    bindings = [database.create_binding(switch_id=switch_id, compute_node_id=node,
                                        switch_port=port)
                for node, port in enumerate(('e1/1', 'e1/2', 'e1/3'), 1)]
    store(database, switch_id, every_port=True, **THREE_PORTS)
    return bindings


def test_the_sums_follow_every_write_of_ports_and_bindings(database, switch):
    switch_id = switch['id']
    bindings = {port: database.create_binding(switch_id=switch_id, compute_node_id=node,
                                              switch_port=port)
                for node, port in enumerate(('e1/1', 'e1/2', 'e1/3', 'e1/4'), 1)}

    def check(expected):
        assert counted_from_every_port(database, switch_id) == expected
        assert sums_a_sync_sees(database, switch_id) == expected

    store(database, switch_id, every_port=True, ethernet1_1=('10-12', 3),
          ethernet1_2=('all', None), ethernet1_3=('20', 1), ethernet1_5=('30-31', 2))
    check((4, 1))
    store(database, switch_id, ethernet1_1=('10-15', 6), ethernet1_4=('40', 1))
    check((8, 1))
    database.delete_binding(bindings['e1/3']['id'])
    check((7, 1))
    database.create_binding(switch_id=switch_id, compute_node_id=5, switch_port='e1/5')
    check((9, 1))
    database.update_binding(bindings['e1/1']['id'], switch_port='e1/6')
    check((3, 1))
    store(database, switch_id, ethernet1_2=('50', 1), ethernet1_6=('all', None))
    check((4, 1))
    store(database, switch_id, every_port=True, ethernet1_2=('50-51', 2),
          ethernet1_4=('40', 1))
    check((3, 0))


def test_a_sync_of_some_ports_sees_the_sums_of_the_others(database, switch):
    switch_id = switch['id']
    bind_three_ports(database, switch_id)
    assert sums_a_sync_sees(database, switch_id, ['ethernet1/1']) == (1, 1)
    assert sums_a_sync_sees(database, switch_id, ['ethernet1/2', 'ethernet1/3']) == (3, 0)


def test_a_sync_view_reads_what_the_three_reads_it_stands_for_return(database, switch):
    switch_id = switch['id']
    bind_three_ports(database, switch_id)
    database.start_move(60, instance_uuid='vm-1', dest_host='c2', source_host='c1')
    asked = {'ethernet1/2', 'ethernet1/3', 'ethernet1/9'}
    moves, bound, facts = database.sync_view(switch_id, asked)
    assert moves == [{'instance_uuid': 'vm-1', 'dest_host': 'c2'}]
    assert bound == [(b['switch_port'], b['compute_node_id'])
                     for b in database.list_bindings(switch_id=switch_id, switch_ports=asked)]
    assert facts == database.switch_facts(switch_id, ['ethernet1/2', 'ethernet1/3'])
    assert (facts['ports_listed'], facts['ports_all']) == (3, 0)
    assert database.sync_view(switch_id, {'ethernet1/9'}) == (moves, [], None)
    _, every, facts = database.sync_view(switch_id)
    assert len(every) == 3 and facts == database.switch_facts(switch_id)


def bound_pairs(database, switch_id):
    return [(b['switch_port'], b['compute_node_id'])
            for b in database.list_bindings(switch_id=switch_id)]


def test_a_full_sync_takes_the_bindings_it_knows_only_while_the_switch_has_no_other(
        database, switch):
    """A full sync handed its switch's bindings as last read uses them
    while the switch's bindings are unchanged, and reads them again after
    any create, change or delete of one of them, never after another
    switch's."""
    switch_id = switch['id']
    first, *_ = bind_three_ports(database, switch_id)
    other = database.create_switch(ip='192.0.2.99', switch_cred_id=switch['switch_cred_id'])

    def view(known):
        return database.sync_view(switch_id, known=known)[1]

    known = database.bindings_by_switch()[switch_id]
    assert list(known.pairs) == bound_pairs(database, switch_id)
    marked = dataclasses.replace(known, pairs=known.pairs[:1])
    assert view(marked) == list(marked.pairs)
    database.create_binding(switch_id=other['id'], compute_node_id=9, switch_port='e1/1')
    assert view(marked) == list(marked.pairs)
    for change in (
            lambda: database.create_binding(switch_id=switch_id, compute_node_id=4,
                                            switch_port='e1/4'),
            lambda: database.update_binding(first['id'], compute_node_id=7),
            lambda: database.delete_binding(first['id'])):
        change()
        assert view(marked) == bound_pairs(database, switch_id)
        marked = dataclasses.replace(database.bindings_by_switch()[switch_id], pairs=())
        assert view(marked) == []


def stored_ports(database, switch_id):
    table = sa.table('psvm_switch_port', sa.column('switch_id'), sa.column('port'),
                     sa.column('allowed'), sa.column('read_at'))
    with database.engine.connect() as connection:
        return {row.port: (row.allowed, row.read_at) for row in connection.execute(
            sa.select(table.c.port, table.c.allowed, table.c.read_at).where(
                table.c.switch_id == switch_id))}


def test_a_full_sync_that_changed_nothing_writes_no_port_and_keeps_the_sums(database, switch):
    switch_id = switch['id']
    bindings = bind_three_ports(database, switch_id)
    written = stored_ports(database, switch_id)
    statements = []

    def record(_conn, _cursor, statement, *_):
        statements.append(statement)
    sa.event.listen(database.engine, 'before_cursor_execute', record)
    store(database, switch_id, every_port=True, **THREE_PORTS)
    sa.event.remove(database.engine, 'before_cursor_execute', record)
    assert [s for s in statements if 'psvm_switch_port.allowed' in s] == []
    assert stored_ports(database, switch_id) == written
    database.delete_binding(bindings[0]['id'])
    store(database, switch_id, every_port=True, **THREE_PORTS)
    assert stored_ports(database, switch_id) == written
    assert counted_from_every_port(database, switch_id) == (1, 1)
    assert sums_a_sync_sees(database, switch_id) == (1, 1)
    store(database, switch_id, ethernet1_3=('20-21', 2))
    assert sums_a_sync_sees(database, switch_id) == (2, 1)
    store(database, switch_id, every_port=True, **THREE_PORTS)
    assert {port: allowed for port, (allowed, _) in stored_ports(database, switch_id).items()
            } == {'ethernet1/1': '10-12', 'ethernet1/2': 'all', 'ethernet1/3': '20'}
    assert sums_a_sync_sees(database, switch_id) == (1, 1)
