import datetime

import pytest
import sqlalchemy as sa

from psvm_listener import errors as psvm_errors
from psvm_listener.db import api
from psvm_listener.db import errors
from psvm_listener.db import models
from psvm_listener.db import secrets

ROW_KEYS = {'id', 'created_at', 'updated_at', 'deleted', 'deleted_at'}


def test_credential_password_is_encrypted_at_rest_and_never_returned(database, credential):
    assert set(credential) == ROW_KEYS | {'user_name'}
    assert credential['deleted'] == 0 and credential['deleted_at'] is None
    assert database.get_credential(credential['id']) == credential
    assert all('password' not in row for row in database.list_credentials())
    with database.engine.connect() as connection:
        stored = connection.scalar(sa.select(models.SwitchCredential.password))
    assert 'hunter2' not in stored
    assert database.credential_password(credential['id']) == 'hunter2'


def test_update_credential_password(database, credential):
    updated = database.update_credential(credential['id'], password='s3cret')
    assert updated['updated_at'] is not None
    assert 'password' not in updated
    assert database.credential_password(credential['id']) == 's3cret'


def test_password_needs_the_key_file(psvm_url, database, credential):
    with api.Database(psvm_url) as keyless:
        assert keyless.get_credential(credential['id'])['user_name'] == 'admin'
        with pytest.raises(errors.CredentialKeyMissing, match='credential-key generate'):
            keyless.credential_password(credential['id'])
        with pytest.raises(errors.CredentialKeyMissing):
            keyless.create_credential(user_name='x', password='y')
    assert [c['id'] for c in database.list_credentials()] == [credential['id']]


def test_switch_defaults_and_login_for_the_driver(database, credential, switch):
    assert switch['port'] == 22
    assert switch['host_key'] is None and switch['description'] is None
    assert switch['last_sync_at'] is None
    assert database.switch_login(switch['id']) == {
        'ip': '192.0.2.10', 'port': 22, 'host_key': None, 'driver': None,
        'user_name': 'admin', 'password': 'hunter2'}


def test_same_ip_on_another_port_is_another_switch(database, credential, switch):
    other = database.create_switch(ip='192.0.2.10', port=2222,
                                   switch_cred_id=credential['id'])
    assert other['id'] != switch['id']
    with pytest.raises(errors.Duplicate) as raised:
        database.create_switch(ip='192.0.2.10', switch_cred_id=credential['id'])
    assert raised.value.field == 'ip'
    with pytest.raises(errors.Duplicate):
        database.update_switch(other['id'], port=22)


def test_deleted_switch_frees_its_address(database, credential, switch):
    deleted = database.delete_switch(switch['id'])
    assert deleted['deleted'] == switch['id'] and deleted['deleted_at'] is not None
    again = database.create_switch(ip='192.0.2.10', switch_cred_id=credential['id'])
    assert again['id'] != switch['id']
    assert [s['id'] for s in database.list_switches()] == [again['id']]
    assert [s['id'] for s in database.list_switches(deleted=True)] == [
        switch['id'], again['id']]


def test_deleted_rows_are_not_found(database, credential, switch):
    database.delete_switch(switch['id'])
    for call in (lambda: database.get_switch(switch['id']),
                 lambda: database.update_switch(switch['id'], description='x'),
                 lambda: database.delete_switch(switch['id']),
                 lambda: database.switch_login(switch['id']),
                 lambda: database.get_switch(999),
                 lambda: database.get_binding('1')):
        with pytest.raises(errors.NotFound):
            call()


def test_references_must_be_live(database, credential, switch):
    with pytest.raises(errors.InvalidReference) as raised:
        database.create_switch(ip='192.0.2.11', switch_cred_id=credential['id'] + 100)
    assert raised.value.field == 'switch_cred_id'
    with pytest.raises(errors.InvalidReference) as raised:
        database.create_binding(switch_id=switch['id'] + 100, compute_node_id=1,
                                switch_port='e1/1')
    assert raised.value.field == 'switch_id'
    spare = database.create_credential(user_name='spare', password='x')
    database.delete_credential(spare['id'])
    with pytest.raises(errors.InvalidReference):
        database.update_switch(switch['id'], switch_cred_id=spare['id'])


def test_in_use_rows_cannot_be_deleted(database, credential, switch):
    binding = database.create_binding(switch_id=switch['id'], compute_node_id=7,
                                      switch_port='e1/7')
    with pytest.raises(errors.InUse, match=f'binding {binding["id"]}'):
        database.delete_switch(switch['id'])
    with pytest.raises(errors.InUse, match=f'switch {switch["id"]}'):
        database.delete_credential(credential['id'])
    database.delete_binding(binding['id'])
    database.delete_switch(switch['id'])
    database.delete_credential(credential['id'])
    assert database.list_credentials() == []


def test_bindings_store_normalised_ports_and_filter(database, credential, switch):
    other = database.create_switch(ip='192.0.2.11', switch_cred_id=credential['id'])
    first = database.create_binding(switch_id=switch['id'], compute_node_id=1,
                                    switch_port='Eth101/1/7')
    second = database.create_binding(switch_id=switch['id'], compute_node_id=2,
                                     switch_port='po20')
    third = database.create_binding(switch_id=other['id'], compute_node_id=1,
                                    switch_port='e101/1/7')
    assert first['switch_port'] == third['switch_port'] == 'ethernet101/1/7'
    assert second['switch_port'] == 'port-channel20'

    def ids(**filters):
        return [b['id'] for b in database.list_bindings(**filters)]
    assert ids() == [first['id'], second['id'], third['id']]
    assert ids(switch_id=switch['id']) == [first['id'], second['id']]
    assert ids(compute_node_ids=[1]) == [first['id'], third['id']]
    assert ids(switch_id=other['id'], compute_node_ids=[2]) == []
    assert ids(compute_node_ids=[]) == []
    with pytest.raises(errors.Invalid) as raised:
        ids(compute_node_ids=[1, 'two'])
    assert raised.value.field == 'compute_node_ids'
    assert ids(switch_id=str(switch['id'])) == [first['id'], second['id']]
    with pytest.raises(errors.Invalid):
        ids(switch_id='one')


def test_duplicate_binding_even_spelt_differently(database, switch):
    database.create_binding(switch_id=switch['id'], compute_node_id=1,
                            switch_port='ethernet1/19')
    with pytest.raises(errors.Duplicate) as raised:
        database.create_binding(switch_id=switch['id'], compute_node_id=2,
                                switch_port='Eth1/19')
    assert raised.value.field == 'switch_port'


def test_update_binding_moves_it(database, switch):
    binding = database.create_binding(switch_id=switch['id'], compute_node_id=1,
                                      switch_port='e1/1')
    moved = database.update_binding(binding['id'], switch_port='po3', compute_node_id=9)
    assert (moved['switch_port'], moved['compute_node_id']) == ('port-channel3', 9)
    assert database.get_binding(binding['id']) == moved
    with pytest.raises(errors.Invalid) as raised:
        database.update_binding(binding['id'], colour='blue')
    assert raised.value.field == 'colour'


def test_bindings_version_moves_with_every_change_of_a_binding(database, switch):
    versions = [database.bindings_version()]

    def changed():
        versions.append(database.bindings_version())
        return versions[-1] != versions[-2]
    first = database.create_binding(switch_id=switch['id'], compute_node_id=1,
                                    switch_port='e1/1')
    assert changed()
    assert not changed()
    database.update_binding(first['id'], compute_node_id=2)
    assert changed()
    database.update_binding(first['id'], switch_port='e1/2')
    assert changed()
    second = database.create_binding(switch_id=switch['id'], compute_node_id=3,
                                     switch_port='e1/3')
    assert changed()
    database.delete_binding(second['id'])
    assert changed() and versions[-1] == versions[-3]  # the live bindings are as they were
    database.delete_binding(first['id'])
    database.create_binding(switch_id=switch['id'], compute_node_id=1, switch_port='e1/1')
    assert changed()


def test_record_sync_keeps_what_the_last_sync_found(database, switch):
    at = datetime.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=datetime.timezone.utc)
    row = database.record_sync(switch['id'], at=at, result='ok', lif_usage=1234, drift=3)
    assert row['updated_at'] is None
    stored = database.get_switch(switch['id'])
    assert stored['last_sync_at'] == datetime.datetime(2026, 1, 2, 3, 4, 5)
    assert (stored['last_sync_result'], stored['lif_usage'], stored['drift']) == (
        'ok', 1234, 3)
    database.record_sync(switch['id'], at=at, result='error: ' + 'x' * 400, lif_usage=None)
    stored = database.get_switch(switch['id'])
    assert len(stored['last_sync_result']) == 255 and stored['lif_usage'] is None
    with pytest.raises(errors.Invalid):
        database.update_switch(switch['id'], last_sync_result='ok')


def test_records_of_several_switches_go_in_one_transaction_without_a_row_lock(
        database, credential, switch):
    other = database.create_switch(ip='192.0.2.11', switch_cred_id=credential['id'])
    gone = database.create_switch(ip='192.0.2.12', switch_cred_id=credential['id'])
    database.delete_switch(gone['id'])
    statements = []
    sa.event.listen(database.engine, 'before_cursor_execute',
                    lambda _c, _cur, statement, *_: statements.append(statement.upper()))
    at = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    stored = database.record_syncs({
        row['id']: {'at': at, 'result': f'ok {row["id"]}', 'lif_usage': 5, 'drift': 0}
        for row in (switch, other, gone)})
    assert stored == [switch['id'], other['id']]
    assert [database.get_switch(row['id'])['last_sync_result']
            for row in (switch, other)] == [f'ok {switch["id"]}', f'ok {other["id"]}']
    assert not any('FOR UPDATE' in statement for statement in statements)
    assert sum(statement.lstrip().startswith('UPDATE') for statement in statements) == 3


def test_archive_moves_deleted_rows_children_first(database, credential, switch):
    binding = database.create_binding(switch_id=switch['id'], compute_node_id=1,
                                      switch_port='e1/1')
    database.delete_binding(binding['id'])
    database.delete_switch(switch['id'])
    database.delete_credential(credential['id'])
    assert database.archive_deleted_rows(1) == {
        'psvm_switchport_binding': 1, 'psvm_switch': 0, 'psvm_switch_credential': 0,
        'psvm_move_intent': 0, 'psvm_pending_plan': 0}
    assert database.archive_deleted_rows(10) == {
        'psvm_switchport_binding': 0, 'psvm_switch': 1, 'psvm_switch_credential': 1,
        'psvm_move_intent': 0, 'psvm_pending_plan': 0}
    assert database.list_switches(deleted=True) == []
    with database.engine.connect() as connection:
        shadow = connection.execute(sa.select(models.SHADOWS['psvm_switch'])).one()
    assert (shadow.id, shadow.ip, shadow.deleted) == (switch['id'], '192.0.2.10', switch['id'])


def test_archive_keeps_a_parent_a_child_row_still_names(database, credential, switch):
    """A deleted switch that a live binding still names (written by hand,
    say) stays in place; archiving the rest goes on."""
    binding = database.create_binding(switch_id=switch['id'], compute_node_id=1,
                                      switch_port='e1/1')
    spare = database.create_credential(user_name='spare', password='x')
    database.delete_credential(spare['id'])
    with database.engine.begin() as connection:
        connection.execute(sa.update(models.Switch).values(deleted=models.Switch.id))
    assert database.archive_deleted_rows(100) == {
        'psvm_switchport_binding': 0, 'psvm_switch': 0, 'psvm_switch_credential': 1,
        'psvm_move_intent': 0, 'psvm_pending_plan': 0}
    assert database.get_binding(binding['id'])['switch_id'] == switch['id']
    assert [s['id'] for s in database.list_switches(deleted=True)] == [switch['id']]


def test_archived_ids_are_never_handed_out_again(database, credential):
    last = database.create_credential(user_name='last', password='x')
    database.delete_credential(last['id'])
    database.archive_deleted_rows(10)
    newer = database.create_credential(user_name='newer', password='x')
    assert newer['id'] > last['id']
    database.delete_credential(newer['id'])
    assert database.archive_deleted_rows(10)['psvm_switch_credential'] == 1


def test_missing_schema_is_permanent_and_says_what_to_run(db_url):
    with api.Database(db_url) as db:
        with pytest.raises(errors.SchemaMissing, match='psvm-manage db sync'):
            db.list_switches()


def test_schema_behind_the_code_says_what_to_run(database):
    with database.engine.begin() as connection:
        connection.execute(sa.text('ALTER TABLE psvm_switch DROP COLUMN drift'))
    with pytest.raises(errors.SchemaMissing, match='psvm-manage db sync'):
        database.list_switches()


@pytest.mark.parametrize('url', [
    'mysql+pymysql://root@127.0.0.1:1/psvm',
    'postgresql+psycopg2://postgres:topsecret@127.0.0.1:1/psvm',
])
def test_unreachable_database_is_retry_later_and_hides_the_password(url):
    with api.Database(url) as db:
        with pytest.raises(psvm_errors.RetryLater) as raised:
            db.list_switches()
    assert isinstance(raised.value, errors.Unavailable)
    assert 'topsecret' not in str(raised.value)


def test_reencrypt_passwords_covers_deleted_and_archived_rows(database, credential, key_file):
    gone = database.create_credential(user_name='gone', password='archived')
    database.delete_credential(gone['id'])
    database.archive_deleted_rows(10)
    deleted = database.create_credential(user_name='deleted', password='deleted')
    database.delete_credential(deleted['id'])
    secrets.add_new_key(key_file)
    assert database.reencrypt_passwords() == 3
    secrets.drop_old_keys(key_file)
    with api.Database(database.url, key_file=key_file) as fresh:
        assert fresh.credential_password(credential['id']) == 'hunter2'
    cipher = secrets.Cipher(key_file)
    with database.engine.connect() as connection:
        tokens = connection.execute(sa.select(
            models.SHADOWS['psvm_switch_credential'].c.password)).scalars().all()
        tokens += connection.execute(sa.select(models.SwitchCredential.password).where(
            models.SwitchCredential.id == deleted['id'])).scalars().all()
    assert sorted(cipher.decrypt(t) for t in tokens) == ['archived', 'deleted']
