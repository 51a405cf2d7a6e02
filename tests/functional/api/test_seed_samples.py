"""The original design's own request samples, sent byte for byte as it wrote
them, against a real psvm-api on each database: what a 2014 client sends
must work unchanged and get back the shapes it read."""

import re

import pytest

from psvm_listener import records
from tests import log_guard

PREFIXES = ('/v2', '/v2/9a1f5d0c8b7e4c1e9d2a3b4c5d6e7f80')
TIME = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$')
ROW_KEYS = {'created_at', 'updated_at', 'deleted_at', 'deleted', 'id'}
JSON = {'Content-Type': 'application/json'}
PASSWORDS = [log_guard.password(p) for p in ('test_password', 'new_password')]

CREATE_CRED = b'{"psvmcred": {"user_name": "test_name", "password": "test_password"}}'
UPDATE_CRED = b'{"psvmcred": {"user_name": "new_name", "password": "new_password"}}'
CREATE_SWITCH = b'{"psvm": {"ip": "1.2.3.4", "switch_cred_id": 1}}'
UPDATE_SWITCH = b'{"psvm": {"ip": "2.3.4.5", "switch_cred_id": "2"}}'
CREATE_BINDING = (b'{"psvmpbind": {"switch_id": 1, "compute_node_id": 1, '
                  b'"switch_port": "e100/1/1"}}')
UPDATE_BINDING = (b'{"psvmpbind": {"switch_id": 1, "compute_node_id": 1, '
                  b'"switch_port": "e100/2/2"}}')


def sent(api, method, path, body=None):
    """The record the API answered with, after checking status and type."""
    response = api.call(method, path, data=body, headers=JSON if body else {})
    assert response.status_code == 200, response.text
    if method == 'DELETE':
        assert response.content == b''
        return None
    assert response.headers['Content-Type'].startswith('application/json')
    return response.json()


def one(document, key, fields, updated=False):
    (record,) = document.values()
    assert list(document) == [key]
    assert set(record) == ROW_KEYS | set(fields), sorted(record)
    assert record['deleted'] is False and record['deleted_at'] is None
    assert TIME.match(record['created_at']), record['created_at']
    if updated:
        assert TIME.match(record['updated_at']), record['updated_at']
    else:
        assert record['updated_at'] is None
    return record


def shown(record):
    """The record's fields and the status columns the service writes."""
    return [f.name for f in record.fields] + [s.name for s in record.status]


CRED_FIELDS = shown(records.CREDENTIAL)
SWITCH_FIELDS = shown(records.SWITCH)
BINDING_FIELDS = shown(records.BINDING)


@pytest.mark.parametrize('prefix', PREFIXES)
def test_every_seed_sample_as_written(api, prefix):
    cred = one(sent(api, 'POST', f'{prefix}/os-psvmcred', CREATE_CRED), 'psvmcred',
               CRED_FIELDS)
    assert (cred['id'], cred['user_name'], cred['password']) == (1, 'test_name', '******')
    second = one(sent(api, 'POST', f'{prefix}/os-psvmcred', CREATE_CRED), 'psvmcred',
                 CRED_FIELDS)
    assert second['id'] == 2
    changed = one(sent(api, 'PUT', f'{prefix}/os-psvmcred/1', UPDATE_CRED), 'psvmcred',
                  CRED_FIELDS, updated=True)
    assert changed['user_name'] == 'new_name' and changed['created_at'] == cred['created_at']
    assert api.database.credential_password(1) == 'new_password'

    switch = one(sent(api, 'POST', f'{prefix}/os-psvm', CREATE_SWITCH), 'psvm',
                 SWITCH_FIELDS)
    assert (switch['id'], switch['ip'], switch['switch_cred_id']) == (1, '1.2.3.4', 1)
    moved = one(sent(api, 'PUT', f'{prefix}/os-psvm/1', UPDATE_SWITCH), 'psvm',
                SWITCH_FIELDS, updated=True)
    assert (moved['ip'], moved['switch_cred_id']) == ('2.3.4.5', 2)

    binding = one(sent(api, 'POST', f'{prefix}/os-psvmpbind', CREATE_BINDING), 'psvmpbind',
                  BINDING_FIELDS)
    assert binding['switch_port'] == 'ethernet100/1/1'
    rebound = one(sent(api, 'PUT', f'{prefix}/os-psvmpbind/1', UPDATE_BINDING),
                  'psvmpbind', BINDING_FIELDS, updated=True)
    assert rebound['switch_port'] == 'ethernet100/2/2'

    for collection, key, plural, last in (
            ('os-psvmcred', 'psvmcred', 'psvmcreds', changed),
            ('os-psvm', 'psvm', 'psvms', moved),
            ('os-psvmpbind', 'psvmpbind', 'psvmpbinds', rebound)):
        listed = sent(api, 'GET', f'{prefix}/{collection}')
        assert list(listed) == [plural]
        assert last in listed[plural]
        assert sent(api, 'GET', f'{prefix}/{collection}/1') == {key: last}

    for collection in ('os-psvmpbind', 'os-psvm', 'os-psvmcred'):
        sent(api, 'DELETE', f'{prefix}/{collection}/1')
        assert api.call('GET', f'{prefix}/{collection}/1').status_code == 404
    assert [c['id'] for c in sent(api, 'GET', f'{prefix}/os-psvmcred')['psvmcreds']] == [2]
