"""The three auth strategies of psvm-api, and the policy behind them."""

import uuid

import pytest
import requests
from keystonemiddleware import fixture as ksm_fixture
from oslo_policy import opts as policy_opts

from psvm_listener import conf
from psvm_listener.api import server
from tests.functional.api import serving

CRED = {'psvmcred': {'user_name': 'admin', 'password': 'nexus-secret'}}


@pytest.fixture
def tokens():
    fixture = ksm_fixture.AuthTokenFixture()
    fixture.setUp()
    yield fixture
    fixture.cleanUp()


def token(tokens, *roles):
    token_id = uuid.uuid4().hex
    tokens.add_token_data(token_id=token_id, role_list=list(roles),
                          user_id=uuid.uuid4().hex, user_name='operator',
                          project_id=uuid.uuid4().hex, project_name='ops')
    return {'X-Auth-Token': token_id}


def test_keystone_admin_token_may_do_everything_others_get_401_or_403(
        db_url, tmp_path, tokens):
    options = serving.config(tmp_path, auth_strategy='keystone')
    with serving.running(options, db_url, tmp_path) as api:
        admin = token(tokens, 'admin', 'member')
        created = api.call('POST', '/v2/os-psvmcred', json=CRED, headers=admin)
        assert created.status_code == 200, created.text
        assert api.call('GET', '/v2/os-psvmcred', headers=admin).status_code == 200

        assert api.call('GET', '/v2/os-psvmcred').status_code == 401
        assert api.call('GET', '/v2/os-psvmcred',
                        headers={'X-Auth-Token': 'not-a-token'}).status_code == 401
        member = token(tokens, 'member', 'reader')
        forbidden = api.call('POST', '/v2/os-psvmcred', json=CRED, headers=member)
        assert forbidden.status_code == 403
        assert 'credential create' in forbidden.json()['forbidden']['message']
        # a caller cannot make itself admin with keystone's own headers
        spoofed = dict(member, **{'X-Roles': 'admin', 'X-Identity-Status': 'Confirmed'})
        assert api.call('GET', '/v2/os-psvmcred', headers=spoofed).status_code == 403
        assert len(api.database.list_credentials()) == 1


def test_http_basic_checks_bcrypt_htpasswd(db_url, tmp_path):
    users = serving.write_htpasswd(tmp_path, [serving.ADMIN])
    options = serving.config(tmp_path, auth_strategy='http_basic',
                             http_basic_auth_user_file=users)
    with serving.running(options, db_url, tmp_path) as api:
        ok = api.call('POST', '/v2/os-psvmcred', json=CRED, auth=serving.ADMIN)
        assert ok.status_code == 200, ok.text
        for auth in (None, ('admin', 'wrong'), ('nobody', 'admin-password'),
                     ('admin', 'x' * 100)):
            refused = api.call('GET', '/v2/os-psvmcred', auth=auth)
            assert refused.status_code == 401
            assert refused.headers['WWW-Authenticate'] == 'Basic realm="psvm"'
        spoofed = api.call('GET', '/v2/os-psvmcred', headers={
            'X-Roles': 'admin', 'X-Identity-Status': 'Confirmed',
            'Authorization': 'Basic !!!'})
        assert spoofed.status_code == 401


def test_policy_file_decides_what_each_role_may_do(db_url, tmp_path):
    users = serving.write_htpasswd(tmp_path, [serving.READER])
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"psvm:credential:list": "role:reader"\n')
    options = serving.config(tmp_path, auth_strategy='http_basic',
                             http_basic_auth_user_file=users,
                             http_basic_roles=['reader'])
    for group, opts in policy_opts.list_opts():
        options.register_opts(opts, group=group)
    options.set_override('policy_file', str(policy_file), 'oslo_policy')
    with serving.running(options, db_url, tmp_path) as api:
        listed = api.call('GET', '/v2/os-psvmcred', auth=serving.READER)
        assert listed.status_code == 200
        created = api.call('POST', '/v2/os-psvmcred', json=CRED, auth=serving.READER)
        assert created.status_code == 403
        assert api.database.list_credentials() == []


def test_noauth_serves_everyone_on_loopback(api):
    assert api.call('POST', '/v2/os-psvmcred', json=CRED).status_code == 200


def test_noauth_is_refused_off_loopback(tmp_path):
    options = serving.config(tmp_path, auth_strategy='noauth', bind_host='0.0.0.0')
    database = serving.fresh_database(f'sqlite:///{tmp_path}/psvm.sqlite', tmp_path)
    with pytest.raises(conf.ConfigError, match='loopback'):
        server.application(options, database=database,
                           resync_client=serving.RecordedResyncs())


def test_unreadable_htpasswd_fails_at_start(tmp_path):
    options = serving.config(tmp_path, auth_strategy='http_basic',
                             http_basic_auth_user_file=str(tmp_path / 'missing'))
    database = serving.fresh_database(f'sqlite:///{tmp_path}/psvm.sqlite', tmp_path)
    with pytest.raises(conf.ConfigError, match='http_basic_auth_user_file'):
        server.application(options, database=database,
                           resync_client=serving.RecordedResyncs())


def test_keystone_without_www_authenticate_uri_fails_at_start(tmp_path):
    options = serving.config(tmp_path, auth_strategy='keystone')
    options.clear_override('www_authenticate_uri', 'keystone_authtoken')
    database = serving.fresh_database(f'sqlite:///{tmp_path}/psvm.sqlite', tmp_path)
    with pytest.raises(conf.ConfigError, match='www_authenticate_uri'):
        server.application(options, database=database,
                           resync_client=serving.RecordedResyncs())


def test_openapi_document_needs_no_token(db_url, tmp_path):
    options = serving.config(tmp_path, auth_strategy='keystone')
    with serving.running(options, db_url, tmp_path) as api:
        response = requests.get(api.url + '/v2/openapi.json', timeout=10)
        assert response.status_code == 200
        assert response.json()['info']['title'] == 'psvm-api'
