from psvm_listener.db import migration
from tests.functional.manage import conftest


def test_sync_then_version(manage):
    head = migration.head()
    assert manage.json('db', 'version') == {'current': None, 'head': head}
    assert manage.json('db', 'sync') == {'revision': head}
    assert manage.json('db', 'sync') == {'revision': head}
    table = manage.ok('db', 'version')
    assert '| current | head |' in table and f'| {head}    | {head} |' in table


def test_commands_before_sync_say_to_sync(manage):
    assert 'psvm-manage db sync' in manage.fails('switch', 'list')


def test_archive_deleted_rows(synced):
    cred = synced.json('credential', 'create', '--user-name', 'admin', '--password', 'x')
    for _ in range(3):
        synced.json('credential', 'delete', str(synced.json(
            'credential', 'create', '--user-name', 'gone', '--password', 'x')['id']))
    assert synced.json('db', 'archive_deleted_rows', '--max-rows', '2') == {
        'psvm_switchport_binding': 0, 'psvm_switch': 0, 'psvm_switch_credential': 2,
        'psvm_move_intent': 0, 'psvm_pending_plan': 0}
    assert synced.json('db', 'archive_deleted_rows', '--max-rows', '10') == {
        'psvm_switchport_binding': 0, 'psvm_switch': 0, 'psvm_switch_credential': 1,
        'psvm_move_intent': 0, 'psvm_pending_plan': 0}
    assert [c['id'] for c in synced.json('credential', 'list', '--deleted')] == [cred['id']]
    assert 'max_rows must be between 1' in synced.fails(
        'db', 'archive_deleted_rows', '--max-rows', '0')


def test_missing_config_file_is_a_clear_error(tmp_path):
    error = conftest.Manage(str(tmp_path / 'absent.conf')).fails('db', 'version')
    assert 'absent.conf' in error
