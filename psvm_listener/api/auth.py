"""Who is calling: the three ``[api] auth_strategy`` values.

Each strategy is WSGI middleware that either answers 401 itself or passes
the request on with keystonemiddleware's identity headers (X-User-Name,
X-Roles, ...), from which ``app`` builds the policy credentials.  So the
policy sees the same thing whichever strategy authenticated the caller.
"""

import base64
import ipaddress

import bcrypt
import webob.dec
from keystonemiddleware import auth_token

from psvm_listener import conf as psvm_conf
from psvm_listener.api import faults

STRATEGIES = ('keystone', 'http_basic', 'noauth')
BASIC_CHALLENGE = {'WWW-Authenticate': 'Basic realm="psvm"'}


def protect(app, conf):
    """``app`` behind the configured strategy; ConfigError if it cannot run."""
    strategy = conf.api.auth_strategy
    if strategy == 'keystone':
        return _keystone(app, conf)
    if strategy == 'http_basic':
        return BasicAuth(app, read_htpasswd(conf.api.http_basic_auth_user_file),
                         conf.api.http_basic_roles)
    if not is_loopback(conf.api.bind_host):
        raise psvm_conf.ConfigError(
            f'auth_strategy noauth lets anyone in: it is refused unless '
            f'[api] bind_host is a loopback address, not {conf.api.bind_host!r}')
    return NoAuth(app)


def _keystone(app, conf):
    """keystonemiddleware over ``app``; without www_authenticate_uri its
    first 401 would fail (it asks keystone's catalog for the URI to put in
    the challenge), so that is refused at start instead."""
    protected = auth_token.AuthProtocol(app, {'oslo_config_config': conf})
    if not conf.keystone_authtoken.www_authenticate_uri:
        raise psvm_conf.ConfigError(
            'auth_strategy keystone needs [keystone_authtoken] www_authenticate_uri '
            '(the public keystone URL clients authenticate against)')
    return protected


def is_loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_htpasswd(path):
    """``{user: bcrypt hash}`` from an htpasswd file (``htpasswd -B``)."""
    users = {}
    try:
        with open(path, encoding='utf-8') as htpasswd:
            lines = htpasswd.read().splitlines()
    except OSError as exc:
        raise psvm_conf.ConfigError(
            f'[api] http_basic_auth_user_file cannot be read: {exc}')
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith('#'):
            continue
        user, _, hashed = line.strip().partition(':')
        if not user or not hashed.startswith(('$2y$', '$2b$', '$2a$')):
            raise psvm_conf.ConfigError(
                f'{path} line {number}: expected user:bcrypt-hash '
                f'(made by "htpasswd -B")')
        users[user] = hashed.encode()
    return users


def _strip_identity(environ):
    """Drop identity headers a caller sent: only we may set them."""
    for key in [k for k in environ if k.startswith('HTTP_X_')]:
        del environ[key]


def _set_identity(environ, user, roles):
    environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed'
    environ['HTTP_X_USER_NAME'] = user
    environ['HTTP_X_USER_ID'] = user
    environ['HTTP_X_ROLES'] = ','.join(roles)


class BasicAuth:
    """HTTP basic authentication against bcrypt hashes; every user who
    passes gets ``roles``."""

    def __init__(self, app, users, roles):
        self.app = app
        self.users = users
        self.roles = roles
        # An unknown user costs a bcrypt check of the same cost as the users'
        # own, so that response times do not tell which user names exist.
        rounds = max((int(hashed.split(b'$')[2]) for hashed in users.values()), default=12)
        self._unknown_user_hash = bcrypt.hashpw(b'no such user', bcrypt.gensalt(rounds))

    @webob.dec.wsgify
    def __call__(self, request):
        _strip_identity(request.environ)
        user = self._authenticate(request.authorization)
        if user is None:
            return faults.response(401, 'valid HTTP basic credentials are required',
                                   BASIC_CHALLENGE)
        _set_identity(request.environ, user, self.roles)
        return request.get_response(self.app)

    def _authenticate(self, authorization):
        if not authorization or authorization.authtype.lower() != 'basic':
            return None
        try:
            decoded = base64.b64decode(authorization.params, validate=True).decode()
        except (ValueError, TypeError):  # bad base64 (binascii.Error), not ASCII, not UTF-8
            return None
        user, _, password = decoded.partition(':')
        hashed = self.users.get(user, self._unknown_user_hash)
        try:
            matches = bcrypt.checkpw(password.encode(), hashed)
        except ValueError:  # bcrypt refuses passwords over 72 bytes
            return None
        return user if matches and user in self.users else None


class NoAuth:
    """Everyone is an administrator: for the lab, on loopback only."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        _strip_identity(environ)
        _set_identity(environ, 'noauth', ['admin'])
        return self.app(environ, start_response)
