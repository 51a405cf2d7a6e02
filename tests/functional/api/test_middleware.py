"""What wraps the API: body limits, version discovery, /healthcheck,
request ids and proxy headers (oslo.middleware), on a real server."""

import socket

import pytest
import webob

from psvm_listener.api import server
from psvm_listener.db import api as db_api
from tests import databases
from tests.functional.api import serving

LIMIT = 65536


@pytest.fixture(scope='module')
def api(tmp_path_factory):
    """One server for the module: nothing here depends on rows."""
    tmp_path = tmp_path_factory.mktemp('middleware')
    options = serving.config(tmp_path, auth_strategy='noauth')
    options.set_override('enable_proxy_headers_parsing', True, 'oslo_middleware')
    with databases.fresh_database('sqlite', tmp_path) as db_url:
        with serving.running(options, db_url, tmp_path) as running_api:
            yield running_api


def chunks(size, piece=8192):
    """A body sent chunked (no Content-Length), ``size`` bytes in all."""
    yield b'{"psvmcred": {"user_name": "u", "password": "'
    for start in range(0, size, piece):
        yield b'x' * min(piece, size - start)
    yield b'"}}'


def too_large(response):
    assert response.status_code == 413, response.text
    assert response.json() == {'requestEntityTooLarge': {
        'code': 413, 'message': f'the request body is over {LIMIT} bytes'}}


@pytest.mark.parametrize('size', [LIMIT, 10 * LIMIT, 200 * LIMIT])
def test_an_oversized_chunked_body_is_a_json_413(api, size):
    too_large(api.call('POST', '/v2/os-psvmcred', data=chunks(size)))
    assert api.call('GET', '/v2/os-psvmcred').status_code == 200


def test_an_oversized_body_with_content_length_is_a_json_413(api):
    too_large(api.call('POST', '/v2/os-psvm', data=b'{' + b' ' * LIMIT + b'}'))


def test_a_small_chunked_body_is_read(api):
    created = api.call('POST', '/v2/os-psvmcred', data=chunks(10))
    assert created.status_code == 200, created.text
    assert created.json()['psvmcred']['user_name'] == 'u'


def test_version_discovery_at_the_root_and_v2(api):
    root = api.call('GET', '/')
    assert root.status_code == 200
    (version,) = root.json()['versions']
    assert version['id'] == 'v2.0' and version['status'] == 'CURRENT'
    assert version['links'] == [{'rel': 'self', 'href': f'{api.url}/v2/'}]
    for path in ('/v2', '/v2/'):
        assert api.call('GET', path).json() == {'version': version}
    assert api.call('POST', '/').status_code == 405


def test_links_follow_the_proxy_in_front(api):
    proxied = api.call('GET', '/', headers={'X-Forwarded-Proto': 'https',
                                            'X-Forwarded-Host': 'psvm.example.org'})
    (version,) = proxied.json()['versions']
    assert version['links'][0]['href'] == 'https://psvm.example.org/v2/'


def test_healthcheck_says_the_database_answers(api):
    response = api.call('GET', '/healthcheck')
    assert (response.status_code, response.text) == (200, 'OK')


@pytest.mark.parametrize('path', ['/', '/healthcheck', '/v2/os-psvm', '/v3/none'])
def test_every_response_has_a_request_id(api, path):
    response = api.call('GET', path)
    assert response.headers['x-openstack-request-id'].startswith('req-')


def test_healthcheck_fails_while_the_database_is_down(tmp_path):
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        dead = f'mysql+pymysql://root@127.0.0.1:{probe.getsockname()[1]}/psvm'
    options = serving.config(tmp_path, auth_strategy='noauth')
    options.set_override('connection', dead, 'database')
    application = server.application(options, database=db_api.Database(dead),
                                     resync_client=serving.RecordedResyncs())
    response = webob.Request.blank('/healthcheck').get_response(application)
    assert response.status_int == 503
    assert 'DATABASE UNAVAILABLE' in response.text
