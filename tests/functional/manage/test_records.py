from tests import log_guard

FINGERPRINT = 'SHA256:' + 'b' * 43


def test_credential_lifecycle_never_shows_the_password(synced):
    cred = synced.json('credential', 'create', '--user-name', 'admin', '--password-stdin',
                       stdin=log_guard.password('hunter2') + '\n')
    assert cred['user_name'] == 'admin' and cred['deleted'] == 0
    assert 'password' not in cred
    table = synced.ok('credential', 'show', str(cred['id']))
    assert '| user_name  | admin' in table and 'hunter2' not in table
    updated = synced.json('credential', 'set', str(cred['id']), '--user-name', 'root')
    assert updated['user_name'] == 'root' and updated['updated_at'] is not None
    listed = synced.ok('credential', 'list')
    assert 'root' in listed and 'hunter2' not in listed
    deleted = synced.json('credential', 'delete', str(cred['id']))
    assert deleted['deleted'] == cred['id']
    assert synced.json('credential', 'list') == []
    assert [c['id'] for c in synced.json('credential', 'list', '--deleted')] == [cred['id']]
    assert 'does not exist' in synced.fails('credential', 'show', str(cred['id']))


def test_switch_and_binding_lifecycle(synced):
    cred = synced.json('credential', 'create', '--user-name', 'admin', '--password', 'x')
    switch = synced.json('switch', 'create', '--ip', '192.0.2.1', '--credential',
                         str(cred['id']), '--host-key', FINGERPRINT,
                         '--description', 'rack 4')
    assert (switch['ip'], switch['port'], switch['host_key']) == (
        '192.0.2.1', 22, FINGERPRINT)
    assert switch['last_sync_at'] is None and 'lif_usage' in switch
    bind = synced.json('binding', 'create', '--switch', str(switch['id']),
                       '--compute-node', '7', '--switch-port', 'Eth101/1/7')
    assert bind['switch_port'] == 'ethernet101/1/7'
    synced.json('binding', 'create', '--switch', str(switch['id']),
                '--compute-node', '8', '--switch-port', 'po20')
    assert [b['compute_node_id'] for b in synced.json(
        'binding', 'list', '--compute-node', '7', '--compute-node', '9')] == [7]
    assert len(synced.json('binding', 'list', '--switch', str(switch['id']))) == 2
    moved = synced.json('binding', 'set', str(bind['id']), '--switch-port', 'e1/2')
    assert moved['switch_port'] == 'ethernet1/2'
    assert f'binding {bind["id"]}' in synced.fails('switch', 'delete', str(switch['id']))
    assert f'switch {switch["id"]}' in synced.fails('credential', 'delete', str(cred['id']))
    table = synced.ok('switch', 'list')
    assert '| id | ip' in table and '192.0.2.1' in table and 'rack 4' in table
    unpinned = synced.json('switch', 'set', str(switch['id']), '--host-key', '',
                           '--description', '')
    assert unpinned['host_key'] is None and unpinned['description'] is None
    assert '--ip' in synced.fails('switch', 'set', str(switch['id']), '--ip', '')
    nine = synced.json('switch', 'set', str(switch['id']), '--driver', 'cisco_nexus_nxapi',
                       '--port', '443')
    assert (nine['driver'], nine['port']) == ('cisco_nexus_nxapi', 443)
    assert synced.json('switch', 'set', str(switch['id']), '--driver', '')['driver'] is None


def test_bad_input_names_the_option(synced):
    cred = synced.json('credential', 'create', '--user-name', 'admin', '--password', 'x')
    cred_id = str(cred['id'])
    assert '--ip' in synced.fails('switch', 'create', '--ip', '300.1.1.1',
                                  '--credential', cred_id)
    assert '--port' in synced.fails('switch', 'create', '--ip', '192.0.2.1',
                                    '--credential', cred_id, '--port', '70000')
    assert '--credential' in synced.fails('switch', 'create', '--ip', '192.0.2.1',
                                       '--credential', '999')
    assert '--credential' in synced.fails('switch', 'create', '--ip', '192.0.2.1')
    switch = synced.json('switch', 'create', '--ip', '192.0.2.1', '--credential', cred_id)
    assert 'already' in synced.fails('switch', 'create', '--ip', '192.0.2.1',
                                     '--credential', cred_id)
    assert '--switch-port' in synced.fails(
        'binding', 'create', '--switch', str(switch['id']),
        '--compute-node', '1', '--switch-port', 'gi0/1')
    assert 'nothing to change' in synced.fails('switch', 'set', str(switch['id']))
    refused = synced.fails('switch', 'set', str(switch['id']), '--driver', 'cisco_nexus_ssh')
    assert '--driver' in refused and 'known: cisco_nexus_netconf, ' in refused
    assert 'not both' in synced.fails('credential', 'create', '--user-name', 'a',
                                      '--password', 'x', '--password-stdin', stdin='y\n')
    assert len(synced.json('switch', 'list')) == 1


def test_password_without_key_file_says_how_to_make_one(manage):
    manage.ok('db', 'sync')
    error = manage.fails('credential', 'create', '--user-name', 'admin', '--password', 'x')
    assert '[credentials] key_file' in error
    assert 'psvm-manage credential-key generate' in error
