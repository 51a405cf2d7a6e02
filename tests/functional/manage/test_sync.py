import pytest

from nexus_sim import vlans as sim_vlans
from psvm_listener import intents
from tests import listener_rig
from tests import messaging
from tests.functional.manage.conftest import Manage


def test_plan_prints_per_port_changes_and_touches_nothing(world):
    rig, manage = world
    table = manage.ok('plan')
    assert '| 1         | ethernet1/3     | all → 1,100-101 |' in table
    assert 'ethernet101/1/2' in table
    assert rig.switch.allowed('ethernet1/3') is sim_vlans.ALL
    assert 'edit-config' not in rig.switch.rpc_counts()
    [result] = manage.json('plan', '--host', 'compute-2')
    assert result['changes'] == [{'port': 'ethernet101/1/2', 'add': 'none',
                                  'remove': 'none', 'replace': '1,200'}]
    assert result['dry_run'] is True and result['rpcs'] == 1


def test_sync_local_applies_and_reports(world):
    rig, manage = world
    [result] = manage.json('sync', '--local', '--switch', str(rig.switch_id))
    assert [c['port'] for c in result['changes']] == ['ethernet1/3', 'ethernet101/1/2']
    assert rig.switch.allowed('ethernet1/3') == {1, 100, 101}
    assert rig.switch.allowed('ethernet101/1/2') == {1, 200}
    rig.switch.set_allowed('ethernet1/3', {1, 100, 101, *range(102, 111)})
    refused = manage.ok('sync', '--local', '--host', 'compute-1')
    assert 'more than psvm_max_removal_ratio 0.5' in refused
    manage.ok('sync', '--local', '--host', 'compute-1', '--force')
    assert rig.switch.allowed('ethernet1/3') == {1, 100, 101}


def test_sync_local_keeps_the_vlans_of_a_move_a_listener_holds(world):
    """An Icehouse live migration: nova's DB keeps the instance on its source
    (and writes no migrations row) until the move ends, while the listener
    holds the move in PSVM's database; psvm-manage honours it too."""
    rig, manage = world
    instance = rig.boot('compute-1', 300)
    intents.Intents(rig.database, 60).start(instance, 'compute-2', 'compute-1')
    manage.ok('sync', '--local')
    assert rig.switch.allowed('ethernet101/1/2') == {1, 200, 300}
    assert rig.switch.allowed('ethernet1/3') == {1, 100, 101, 300}


def test_sync_local_refuses_while_psvm_is_false(world, tmp_path):
    rig, manage = world
    config = tmp_path / 'psvm.conf'
    config.write_text(config.read_text().replace('psvm = True', 'psvm = False'))
    assert 'psvm is False' in manage.fails('sync', '--local')
    assert rig.switch.allowed('ethernet1/3') is sim_vlans.ALL
    assert 'edit-config' not in rig.switch.rpc_counts()


def test_bad_scope_is_a_clear_error(world):
    _, manage = world
    assert 'no switch port is bound to a compute node of host' in manage.fails(
        'plan', '--host', 'nowhere')
    assert 'switch 99' in manage.fails('plan', '--switch', '99')
    assert '--all cannot be combined' in manage.fails('sync', '--all', '--host', 'compute-1')


@pytest.mark.parametrize('scope', [('--host', 'compute-1'), ('--all',), ()],
                         ids=['host', 'all', 'default'])
def test_sync_without_local_casts_to_the_running_listener(tmp_path, lab_switch, scope):
    with listener_rig.ListenerRig(tmp_path, lab_switch) as rig:
        rig.host('compute-1', 'ethernet1/3', vlans=(100,))
        rig.start()
        rig.switch.set_allowed('ethernet1/3', {1, 100, 666})
        config = tmp_path / 'psvm.conf'
        config.write_text(
            f'[DEFAULT]\ntransport_url = {messaging.RABBIT}\n'
            f'[listener]\nrpc_topic = {rig.rpc_topic}\n')
        printed = Manage(str(config)).ok('sync', *scope)
        assert 'sent to the listeners' in printed
        rig.switch.wait_for(lambda: rig.switch.allowed('ethernet1/3') == {1, 100})


def test_plan_approve_applies_a_refused_sync_once(world):
    rig, manage = world
    manage.ok('sync', '--local')
    rig.switch.set_allowed('ethernet1/3', {1, 100, 101, *range(102, 111)})
    assert '| pending_plan |' in manage.ok('sync', '--local', '--host', 'compute-1')
    [pending] = manage.json('plan', 'list')
    assert pending['changes'] == [{'port': 'ethernet1/3', 'add': 'none',
                                   'remove': '102-110', 'replace': None}]
    assert 'pending_plans' in manage.ok('report')
    manage.ok('plan', 'approve', str(pending['id']))
    assert rig.switch.allowed('ethernet1/3') == {1, 100, 101}
    assert 'already' in manage.fails('plan', 'approve', str(pending['id']))
    assert manage.json('plan', 'list') == []
