import json

import pytest
import webob
from oslo_config import cfg

from psvm_listener.api import app
from psvm_listener.api import auth
from psvm_listener.api import policy
from psvm_listener.db import errors as db_errors


class DownDatabase:
    """Every call fails as a database layer fails when its server is gone."""

    def __init__(self, error):
        self.error = error

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise self.error
        return fail


@pytest.fixture
def enforcer():
    options = cfg.ConfigOpts()
    options([], default_config_files=[], default_config_dirs=[])
    return policy.enforcer(options)


def call(application, method, path, body=None):
    request = webob.Request.blank(path, method=method)
    if body is not None:
        request.body = json.dumps(body).encode()
    return request.get_response(application)


@pytest.mark.parametrize('error', [db_errors.Unavailable('connection refused'),
                                   db_errors.SchemaMissing('run psvm-manage db sync'),
                                   db_errors.CredentialKeyMissing('no key file')])
def test_a_database_that_cannot_serve_is_503_not_500(enforcer, error):
    resyncs = []
    application = app.build(DownDatabase(error), enforcer, resyncs.append, auth.NoAuth)
    response = call(application, 'POST', '/v2/os-psvm',
                    {'psvm': {'ip': '192.0.2.1', 'switch_cred_id': 1}})
    assert response.status_int == 503
    assert response.json['serviceUnavailable']['message'] == str(error)
    assert resyncs == []


def test_without_an_auth_strategy_nothing_is_served(enforcer):
    application = app.build(DownDatabase(AssertionError('reached the database')),
                            enforcer, None, lambda wsgi_app: wsgi_app)
    assert call(application, 'GET', '/v2/os-psvm').status_int == 401
