import base64

import bcrypt
import pytest
import webob

from psvm_listener import conf
from psvm_listener.api import auth


def echo_identity(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [f'{environ.get("HTTP_X_USER_NAME")}|{environ.get("HTTP_X_ROLES")}'.encode()]


def basic(user, password):
    token = base64.b64encode(f'{user}:{password}'.encode()).decode()
    return {'Authorization': f'Basic {token}'}


@pytest.fixture
def htpasswd(tmp_path):
    path = tmp_path / 'htpasswd'
    hashed = bcrypt.hashpw(b'pw', bcrypt.gensalt(4)).decode().replace('$2b$', '$2y$')
    path.write_text(f'# operators\n\nops:{hashed}\n')
    return str(path)


def test_htpasswd_accepts_apache_2y_hashes(htpasswd):
    users = auth.read_htpasswd(htpasswd)
    app = auth.BasicAuth(echo_identity, users, ['admin', 'ops'])
    response = webob.Request.blank('/', headers=basic('ops', 'pw')).get_response(app)
    assert response.text == 'ops|admin,ops'


@pytest.mark.parametrize('headers', [
    {}, {'Authorization': 'Bearer abc'}, {'Authorization': 'Basic %%%'},
    basic('ops', 'nope'), basic('root', 'pw'),
])
def test_basic_auth_refuses_with_a_challenge(htpasswd, headers):
    app = auth.BasicAuth(echo_identity, auth.read_htpasswd(htpasswd), ['admin'])
    response = webob.Request.blank('/', headers=headers).get_response(app)
    assert response.status_int == 401
    assert response.headers['WWW-Authenticate'] == 'Basic realm="psvm"'


def test_unknown_user_costs_a_bcrypt_check_like_a_known_one(htpasswd, monkeypatch):
    """Response time must not tell which user names exist."""
    app = auth.BasicAuth(echo_identity, auth.read_htpasswd(htpasswd), ['admin'])
    checked = []
    real_check = bcrypt.checkpw
    monkeypatch.setattr(auth.bcrypt, 'checkpw',
                        lambda password, hashed: checked.append(hashed) or
                        real_check(password, hashed))
    for user in ('ops', 'root'):
        webob.Request.blank('/', headers=basic(user, 'guess')).get_response(app)
    assert len(checked) == 2
    assert [hashed.split(b'$')[2] for hashed in checked] == [b'04', b'04']


def test_htpasswd_without_bcrypt_is_refused_naming_the_line(tmp_path):
    path = tmp_path / 'htpasswd'
    path.write_text('ops:$apr1$abc$def\n')
    with pytest.raises(conf.ConfigError, match='line 1'):
        auth.read_htpasswd(str(path))


def test_noauth_overrides_identity_headers_a_caller_sent():
    request = webob.Request.blank('/', headers={'X-Roles': 'superuser',
                                                'X-User-Name': 'mallory'})
    assert request.get_response(auth.NoAuth(echo_identity)).text == 'noauth|admin'


@pytest.mark.parametrize('host, loopback', [('127.0.0.1', True), ('::1', True),
                                            ('localhost', True), ('127.3.4.5', True),
                                            ('0.0.0.0', False), ('192.0.2.1', False),
                                            ('api.example.org', False)])
def test_is_loopback(host, loopback):
    assert auth.is_loopback(host) is loopback
