"""TrunkPortPlugin's decisions with a fake switch, nova and database."""

import threading

import pytest

from psvm_listener import errors
from psvm_listener import inventory
from psvm_listener import vlans
from psvm_listener.drivers import base as driver_base
from psvm_listener.plugins import cisco_nexus
from tests import sync_rig


class FakeDriver(driver_base.Driver):
    """A switch in memory; ``switch`` maps port → allowed list, shared by every driver."""

    switch = {}
    usage = 0
    limit = 32000

    def read(self, ports, every_port=False):
        self.rpcs += 1
        return driver_base.Reading({p: self.switch[p] for p in ports if p in self.switch},
                                   self.usage, self.limit,
                                   {p: 'no such port' for p in ports if p not in self.switch})

    def apply(self, plan):
        self.rpcs += 1
        for change in plan.changes:
            self.switch[change.port] = change.applied_to(self.switch[change.port])

    def save(self):
        self.rpcs += 1

    def close(self):
        pass


class FakeDatabase:
    def __init__(self, bindings, moves=()):
        self.bindings = bindings
        self.moves = list(moves)
        self.records = []
        self.asked_ports = []
        self.logins_read = 0
        self.asked = []
        self.facts = {'vlan_database': None, 'booted_at': None, 'managed_vlans': None,
                      'unsaved_since': None, 'ports_listed': 0, 'ports_all': 0,
                      'stored': {}, 'pending': []}

    def sync_view(self, switch_id, switch_ports=None, known=None):
        self.asked_ports.append(switch_ports)
        bound = [(b['switch_port'], b['compute_node_id']) for b in self.bindings
                 if b['switch_id'] == switch_id
                 and (switch_ports is None or b['switch_port'] in switch_ports)]
        read_ports = None if switch_ports is None else {port for port, _ in bound}
        return self.moves, bound, bound and self.switch_facts(switch_id, read_ports)

    def switch_login(self, switch_id):
        self.logins_read += 1
        return {'ip': '192.0.2.1', 'port': 22, 'host_key': None,
                'user_name': 'admin', 'password': 'secret'}

    def record_syncs(self, records):
        self.records.extend((switch_id, r['result'], r['lif_usage'], r['drift'])
                            for switch_id, r in records.items())
        return list(records)

    def record_facts(self, switch_id, facts):
        pass

    def switch_facts(self, switch_id, read_ports=None):
        self.asked.append((switch_id, read_ports))
        return dict(self.facts)


class FakeInventory:
    def __init__(self, by_node):
        self.by_node = by_node
        self.asked = []

    def vlans_by_compute_node(self, ids, intents=None):
        self.asked.append((tuple(ids), intents))
        if self.by_node is None:
            raise errors.RetryLater('nova is down')
        return {i: self.by_node[i] for i in ids if i in self.by_node}


def binding(node, port, switch_id=1):
    return {'switch_id': switch_id, 'compute_node_id': node, 'switch_port': port}


@pytest.fixture
def make_plugin():
    def make(bindings, by_node, switch, **options):
        FakeDriver.switch = dict(switch)
        plugin = cisco_nexus.CiscoNexusPlugin(
            sync_rig.make_conf(**options), FakeDatabase(bindings), FakeInventory(by_node))
        plugin.driver_class = FakeDriver
        return plugin
    return make


def test_a_port_bound_to_two_hosts_allows_what_both_need(make_plugin):
    plugin = make_plugin([binding(7, 'port-channel20'), binding(8, 'port-channel20')],
                         {7: frozenset({10}), 8: frozenset({20})},
                         {'port-channel20': vlans.ALL})
    plugin.sync(1)
    assert FakeDriver.switch['port-channel20'] == {1, 10, 20}


def test_only_the_ports_asked_for_are_read_and_nova_is_asked_for_their_nodes(make_plugin):
    plugin = make_plugin([binding(7, 'ethernet1/1'), binding(8, 'ethernet1/2')],
                         {7: frozenset({10}), 8: frozenset({20})},
                         {'ethernet1/1': vlans.ALL, 'ethernet1/2': vlans.ALL})
    plugin.database.moves = [{'instance_uuid': 'u', 'dest_host': 'h', 'source_host': None}]
    result = plugin.sync(1, ['Eth1/2'])
    assert result.ports == ('ethernet1/2',)
    assert plugin.inventory.asked == [((8,), {'h': {'u'}})]
    assert FakeDriver.switch['ethernet1/1'] is vlans.ALL


def test_a_targeted_sync_lists_only_the_bindings_of_its_ports(make_plugin):
    plugin = make_plugin([binding(7, 'ethernet1/1'), binding(8, 'ethernet1/2')],
                         {7: frozenset({10}), 8: frozenset({20})},
                         {'ethernet1/1': vlans.ALL, 'ethernet1/2': vlans.ALL})
    plugin.sync(1, ['Eth1/2'])
    plugin.sync(1)
    assert plugin.database.asked_ports == [{'ethernet1/2'}, None]


def test_targeted_syncs_reuse_the_login_a_full_or_failed_sync_reads_again(make_plugin):
    plugin = make_plugin([binding(7, 'ethernet1/1')], {7: frozenset({10})},
                         {'ethernet1/1': vlans.ALL})
    plugin.sync(1, ['ethernet1/1'])
    plugin.sync(1, ['ethernet1/1'])
    assert plugin.database.logins_read == 1
    plugin.sync(1)
    assert plugin.database.logins_read == 2
    plugin.inventory.by_node = None
    with pytest.raises(errors.RetryLater):
        plugin.sync(1, ['ethernet1/1'])
    plugin.inventory.by_node = {7: frozenset({10})}
    plugin.sync(1, ['ethernet1/1'])
    assert plugin.database.logins_read == 3


def test_shared_needs_stand_in_for_a_nova_read_of_the_nodes_they_hold(make_plugin):
    plugin = make_plugin([binding(7, 'ethernet1/1'), binding(8, 'ethernet1/2'),
                          binding(9, 'ethernet1/3')], {9: frozenset({30})},
                         dict.fromkeys(('ethernet1/1', 'ethernet1/2', 'ethernet1/3'),
                                       vlans.ALL))
    plugin.sync(1, needs=inventory.NeedsByNode([(7, '10,11'), (8, None)]))
    assert plugin.inventory.asked == [((9,), {})]
    assert FakeDriver.switch == {'ethernet1/1': {1, 10, 11}, 'ethernet1/2': {1},
                                 'ethernet1/3': {1, 30}}


def test_a_node_nova_no_longer_knows_needs_nothing(make_plugin):
    plugin = make_plugin([binding(9, 'ethernet1/1')], {},
                         {'ethernet1/1': frozenset({1, 10})})
    result = plugin.sync(1, force=True)
    assert FakeDriver.switch['ethernet1/1'] == {1}
    assert result.changes[0].remove == {10}


def test_nova_down_changes_nothing_and_records_the_failure(make_plugin):
    plugin = make_plugin([binding(7, 'ethernet1/1')], None,
                         {'ethernet1/1': frozenset({1, 10})})
    with pytest.raises(errors.RetryLater):
        plugin.sync(1)
    assert FakeDriver.switch['ethernet1/1'] == {1, 10}
    assert plugin.database.records == [(1, 'failed: RetryLater: nova is down', None, None)]


def test_removal_ratio_counts_the_ports_the_database_knows_beside_those_read(make_plugin):
    plugin = make_plugin([binding(7, 'ethernet1/1'), binding(8, 'ethernet1/2')],
                         {7: frozenset(range(10, 14))},
                         {'ethernet1/1': frozenset(range(10, 20))})
    assert plugin.sync(1, ['ethernet1/1'], dry_run=True).refusals[0].guard == 'removal_ratio'
    plugin.database.facts['ports_listed'] = 11
    assert plugin.database.asked == [(1, {'ethernet1/1'})]
    result = plugin.sync(1, ['ethernet1/1'])
    assert result.refusals == () and FakeDriver.switch['ethernet1/1'] == set(range(10, 14))


def test_the_facts_beside_a_sync_leave_out_only_the_ports_it_could_read(make_plugin):
    plugin = make_plugin([binding(7, 'ethernet1/1'), binding(8, 'ethernet1/9')],
                         {7: frozenset({10})}, {'ethernet1/1': vlans.ALL})
    result = plugin.sync(1, ['ethernet1/1', 'ethernet1/9'])
    assert plugin.database.asked == [(1, {'ethernet1/1', 'ethernet1/9'}),
                                     (1, ['ethernet1/1'])]
    assert result.refusals[0].message == 'port ethernet1/9 left alone: no such port'


def test_dry_run_neither_applies_nor_records(make_plugin):
    plugin = make_plugin([binding(7, 'ethernet1/1')], {7: frozenset({10})},
                         {'ethernet1/1': vlans.ALL})
    result = plugin.sync(1, dry_run=True)
    assert result.rpcs == 1 and result.drift == 1 and len(result.changes) == 1
    assert FakeDriver.switch['ethernet1/1'] is vlans.ALL
    assert plugin.database.records == []


def test_closing_a_switch_whose_login_changed_holds_up_no_other_switch(make_plugin):
    plugin = make_plugin([binding(7, 'ethernet1/1', 1), binding(8, 'ethernet1/2', 2)],
                         {7: frozenset({10}), 8: frozenset({20})},
                         {'ethernet1/1': vlans.ALL, 'ethernet1/2': vlans.ALL})
    closing, release = threading.Event(), threading.Event()

    class HangingClose(FakeDriver):
        def close(self):
            closing.set()
            assert release.wait(30)

    plugin.driver_class = HangingClose
    plugin.sync(1)
    login = plugin.database.switch_login(1)
    plugin.database.switch_login = lambda switch_id: dict(
        login, password='rotated' if switch_id == 1 else 'secret')
    first = threading.Thread(target=plugin.sync, args=(1,))
    first.start()
    try:
        assert closing.wait(10)
        second = threading.Thread(target=plugin.sync, args=(2,))
        second.start()
        second.join(10)
        assert not second.is_alive()
        assert FakeDriver.switch['ethernet1/2'] == {1, 20}
    finally:
        release.set()
        first.join(10)


def test_no_lif_limit_anywhere_means_no_lif_guard(make_plugin, monkeypatch):
    monkeypatch.setattr(FakeDriver, 'limit', None)
    plugin = make_plugin([binding(7, 'ethernet1/1')], {7: frozenset({10})},
                         {'ethernet1/1': frozenset({1})}, psvm_lif_limit=None)
    result = plugin.sync(1)
    assert result.lif_limit is None and result.refusals == ()
    assert FakeDriver.switch['ethernet1/1'] == {1, 10}


def test_a_forgotten_switch_closes_its_session_and_the_next_sync_opens_one(make_plugin):
    plugin = make_plugin([binding(7, 'ethernet1/1')], {7: frozenset({10})},
                         {'ethernet1/1': vlans.ALL})
    closed = []

    class Closing(FakeDriver):
        def close(self):
            closed.append(self)

    plugin.driver_class = Closing
    plugin.sync(1)
    plugin.forget(1)
    assert len(closed) == 1
    plugin.forget(1)
    assert len(closed) == 1
    plugin.sync(1)
    plugin.close()
    assert len(closed) == 2 and closed[0] is not closed[1]


def test_a_switch_forgotten_during_its_sync_gets_no_edit(make_plugin):
    """Handed over to another listener or fenced between the read and the edit."""
    plugin = make_plugin([binding(7, 'ethernet1/1')], {7: frozenset({10})},
                         {'ethernet1/1': vlans.ALL})

    class ForgottenMidSync(FakeDriver):
        def read(self, ports, every_port=False):
            reading = super().read(ports, every_port)
            plugin.forget(1)
            return reading
    plugin.driver_class = ForgottenMidSync
    with pytest.raises(errors.RetryLater):
        plugin.sync(1)
    assert FakeDriver.switch['ethernet1/1'] is vlans.ALL
    plugin.driver_class = FakeDriver
    plugin.sync(1)
    assert FakeDriver.switch['ethernet1/1'] == {1, 10}
