"""Every route of psvm-api, and every error it answers, on each database."""

import pytest

from tests import log_guard

PREFIXES = ('/v2', '/v2/4f1c2a6b8d9e4f0a9b7c6d5e4f3a2b1c')
CRED = {'user_name': 'admin', 'password': log_guard.password('nexus-secret')}
ROTATED = log_guard.password('rotated-Pw9')


def create(api, collection, key, fields, prefix='/v2'):
    response = api.call('POST', f'{prefix}/{collection}', json={key: fields})
    assert response.status_code == 200, response.text
    return response.json()[key]


def fault(response, status):
    assert response.status_code == status, response.text
    (body,) = response.json().values()
    assert body['code'] == status
    return body['message']


def switch_fields(api, ip='192.0.2.10', **extra):
    cred = create(api, 'os-psvmcred', 'psvmcred', CRED)
    return dict({'ip': ip, 'switch_cred_id': cred['id']}, **extra)


@pytest.mark.parametrize('prefix', PREFIXES)
def test_credential_routes_keep_the_password_write_only(empty_api, prefix):
    api = empty_api
    created = create(api, 'os-psvmcred', 'psvmcred', CRED, prefix)
    assert created['user_name'] == 'admin'
    assert created['password'] == '******'
    assert created['deleted'] is False and created['deleted_at'] is None
    assert {'id', 'created_at', 'updated_at'} <= set(created)

    url = f'{prefix}/os-psvmcred/{created["id"]}'
    changed = api.call('PUT', url, json={'psvmcred': {'password': ROTATED}}).json()
    assert changed['psvmcred']['password'] == '******'
    assert changed['psvmcred']['updated_at'] is not None
    assert api.database.credential_password(created['id']) == ROTATED

    listed = api.call('GET', f'{prefix}/os-psvmcred').json()['psvmcreds']
    assert [c['id'] for c in listed] == [created['id']]
    assert 'nexus-secret' not in api.call('GET', url).text
    assert ROTATED not in api.call('GET', f'{prefix}/os-psvmcred').text

    assert api.call('DELETE', url).status_code == 200
    fault(api.call('GET', url), 404)
    assert api.call('GET', f'{prefix}/os-psvmcred').json() == {'psvmcreds': []}


@pytest.mark.parametrize('prefix', PREFIXES)
def test_switch_routes_show_sync_status_and_cast_resyncs(api, prefix):
    switch = create(api, 'os-psvm', 'psvm', switch_fields(api, description='rack 7'), prefix)
    assert switch['port'] == 22 and switch['description'] == 'rack 7'
    for status in ('last_sync_at', 'last_sync_result', 'lif_usage', 'drift'):
        assert switch[status] is None

    url = f'{prefix}/os-psvm/{switch["id"]}'
    assert api.call('GET', url).json() == {'psvm': switch}
    changed = api.call('PUT', url, json={'psvm': {'port': 830}}).json()['psvm']
    assert changed['port'] == 830
    assert api.call('GET', f'{prefix}/os-psvm').json()['psvms'] == [changed]
    assert api.call('DELETE', url).status_code == 200
    fault(api.call('PUT', url, json={'psvm': {'port': 22}}), 404)
    # create, update and delete each ask the listener to resync the switch once
    assert api.resyncs.wait_for([switch['id']] * 3) == [switch['id']] * 3


@pytest.mark.parametrize('prefix', PREFIXES)
def test_binding_routes_normalise_ports_and_resync_both_switches(api, prefix):
    first = create(api, 'os-psvm', 'psvm', switch_fields(api, '192.0.2.1'))
    second = create(api, 'os-psvm', 'psvm', switch_fields(api, '192.0.2.2'))
    binding = create(api, 'os-psvmpbind', 'psvmpbind',
                     {'switch_id': first['id'], 'compute_node_id': 7,
                      'switch_port': 'Eth101/1/7'}, prefix)
    assert binding['switch_port'] == 'ethernet101/1/7'

    url = f'{prefix}/os-psvmpbind/{binding["id"]}'
    moved = api.call('PUT', url, json={'psvmpbind': {'switch_id': second['id']}}).json()
    assert moved['psvmpbind']['switch_id'] == second['id']
    listed = api.call('GET', f'{prefix}/os-psvmpbind',
                      params={'switch_id': second['id']}).json()['psvmpbinds']
    assert [b['id'] for b in listed] == [binding['id']]
    assert api.call('GET', f'{prefix}/os-psvmpbind',
                    params={'switch_id': first['id']}).json() == {'psvmpbinds': []}
    assert api.call('DELETE', url).status_code == 200
    fault(api.call('DELETE', url), 404)
    # two switch creations; binding create on first; the move resyncs both;
    # the delete resyncs the second
    expected = [first['id'], second['id'], first['id'], first['id'], second['id'],
                second['id']]
    assert api.resyncs.wait_for(expected) == sorted(expected)


@pytest.mark.parametrize('body, field', [
    ({'psvm': {'ip': 10, 'switch_cred_id': 1}}, 'psvm.ip'),
    ({'psvm': {'ip': '192.0.2.1', 'switch_cred_id': 'one'}}, 'psvm.switch_cred_id'),
    ({'psvm': {'ip': '192.0.2.1', 'switch_cred_id': 1.5}}, 'psvm.switch_cred_id'),
    ({'psvm': {'ip': '192.0.2.1', 'switch_cred_id': '-1'}}, 'psvm.switch_cred_id'),
    ({'psvm': {'ip': '192.0.2.1', 'switch_cred_id': 1, 'vlans': '1-4094'}}, 'psvm.vlans'),
    ({'psvm': {'ip': '192.0.2.300', 'switch_cred_id': 1}}, 'psvm.ip'),
    ({'psvm': {'ip': '192.0.2.1', 'switch_cred_id': 1, 'port': 0}}, 'psvm.port'),
    ({'psvm': {'ip': '192.0.2.1', 'switch_cred_id': 1, 'description': ''}},
     'psvm.description'),
    ({'psvm': {'ip': '192.0.2.1', 'switch_cred_id': 1, 'description': 'x' * 256}},
     'psvm.description'),
    ({'psvm': {'ip': '192.0.2.1', 'switch_cred_id': 1, 'host_key': 'ssh-rsa AAAA'}},
     'psvm.host_key'),
    ({'psvm': {'switch_cred_id': 1}}, 'psvm.ip'),
    ({'psvm': {'ip': '192.0.2.1', 'switch_cred_id': 2 ** 40}}, 'psvm.switch_cred_id'),
    ({'psvmcred': {'ip': '192.0.2.1'}}, 'psvm'),
    ([], 'body'),
])
def test_bad_switch_bodies_get_400_naming_the_field(empty_api, body, field):
    api = empty_api
    message = fault(api.call('POST', '/v2/os-psvm', json=body), 400)
    assert message.startswith(f'{field}:'), message


@pytest.mark.parametrize('collection, body, field', [
    ('os-psvmpbind', {'psvmpbind': {'switch_id': 1, 'compute_node_id': 1,
                                    'switch_port': 'gi0/1'}}, 'psvmpbind.switch_port'),
    ('os-psvmpbind', {'psvmpbind': {'switch_id': 1, 'compute_node_id': True,
                                    'switch_port': 'e1/1'}}, 'psvmpbind.compute_node_id'),
    ('os-psvmcred', {'psvmcred': {'user_name': ' ', 'password': 'p'}},
     'psvmcred.user_name'),
    ('os-psvmcred', {'psvmcred': {'user_name': 'a\x00b', 'password': 'p'}},
     'psvmcred.user_name'),
    ('os-psvmcred', {'psvmcred': {'user_name': 'u'}}, 'psvmcred.password'),
])
def test_bad_binding_and_credential_bodies_get_400_naming_the_field(
        empty_api, collection, body, field):
    api = empty_api
    message = fault(api.call('POST', f'/v2/{collection}', json=body), 400)
    assert message.startswith(f'{field}:'), message


@pytest.mark.parametrize('data', [b'{"psvm": ', b'\xff\xfe', b'NaN',
                                  b'{"psvm": {"ip": "\\ud800", "switch_cred_id": 1}}',
                                  b'[' * 50000])
def test_bodies_that_are_not_json_get_400(empty_api, data):
    api = empty_api
    fault(api.call('POST', '/v2/os-psvm', data=data), 400)
    assert api.call('GET', '/v2/os-psvm').json() == {'psvms': []}


def test_oversized_bodies_get_413(empty_api):
    api = empty_api
    body = {'psvmcred': {'user_name': 'admin', 'password': 'x' * 70000}}
    assert api.call('POST', '/v2/os-psvmcred', json=body).status_code == 413
    assert api.call('GET', '/v2/os-psvmcred').json() == {'psvmcreds': []}


def test_an_empty_update_gets_400_and_changes_nothing(empty_api):
    api = empty_api
    switch = create(api, 'os-psvm', 'psvm', switch_fields(api))
    url = f'/v2/os-psvm/{switch["id"]}'
    fault(api.call('PUT', url, json={'psvm': {}}), 400)
    fault(api.call('PUT', url, json={'psvm': {'last_sync_result': 'ok'}}), 400)
    assert api.call('GET', url).json() == {'psvm': switch}


@pytest.mark.parametrize('path', ['/v2/os-psvm/999', '/v2/os-psvm/abc', '/v2/os-psvm/0',
                                  '/v2/os-psvm/99999999999', '/v2/os-psvmcred/5',
                                  '/v2/os-psvmpbind/5', '/v2/os-nothing', '/v3/os-psvm',
                                  '/v2/os-psvm/%ff', '/v2/os-psvm/%D9%A1'])
def test_missing_rows_and_paths_get_404(empty_api, path):
    api = empty_api
    fault(api.call('GET', path), 404)


@pytest.mark.parametrize('query, words', [('switch_id=%ff', 'not UTF-8'),
                                          ('switch_id=', 'switch_id: '),
                                          ('switch_id=-1', 'switch_id: '),
                                          ('switch_id=%D9%A1', 'switch_id: ')])
def test_bad_binding_filters_get_400(empty_api, query, words):
    api = empty_api
    assert words in fault(api.call('GET', f'/v2/os-psvmpbind?{query}'), 400)


def test_a_project_id_that_is_not_utf8_is_accepted_and_ignored(empty_api):
    api = empty_api
    assert api.call('GET', '/v2/%ff/os-psvm').json() == {'psvms': []}


def test_wrong_methods_get_405_with_allow(empty_api):
    api = empty_api
    response = api.call('PATCH', '/v2/os-psvm/1')
    fault(response, 405)
    assert response.headers['Allow'] == 'GET, PUT, DELETE'
    assert api.call('DELETE', '/v2/os-psvm').headers['Allow'] == 'GET, POST'


def test_conflicts_get_409(empty_api):
    api = empty_api
    fields = switch_fields(api)
    switch = create(api, 'os-psvm', 'psvm', fields)
    assert 'ip' in fault(api.call('POST', '/v2/os-psvm', json={'psvm': fields}), 409)
    assert 'credential' in fault(api.call('DELETE', f'/v2/os-psvmcred/{fields["switch_cred_id"]}'),
                                 409)
    fault(api.call('POST', '/v2/os-psvm', json={'psvm': dict(fields, switch_cred_id=999)}),
          409)
    binding = {'switch_id': switch['id'], 'compute_node_id': 1, 'switch_port': 'po20'}
    create(api, 'os-psvmpbind', 'psvmpbind', binding)
    fault(api.call('POST', '/v2/os-psvmpbind',
                   json={'psvmpbind': dict(binding, switch_port='port-channel20')}), 409)
    fault(api.call('POST', '/v2/os-psvmpbind',
                   json={'psvmpbind': dict(binding, switch_id=999)}), 409)


def test_deleted_switch_can_be_created_again(empty_api):
    api = empty_api
    fields = switch_fields(api)
    first = create(api, 'os-psvm', 'psvm', fields)
    api.call('DELETE', f'/v2/os-psvm/{first["id"]}')
    second = create(api, 'os-psvm', 'psvm', fields)
    assert second['id'] != first['id']


def test_openapi_document_is_served_without_auth(empty_api):
    api = empty_api
    document = api.call('GET', '/v2/openapi.json').json()
    assert document['openapi'].startswith('3.')
    assert '/v2/os-psvm/{id}' in document['paths']
    assert '/v2/{project_id}/os-psvmpbind' in document['paths']
    fault(api.call('POST', '/v2/openapi.json'), 405)
