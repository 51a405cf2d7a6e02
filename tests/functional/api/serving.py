"""A real psvm-api (cheroot on a free loopback port) over a fresh database,
for functional tests; the calls it would cast to the listener are recorded."""

import contextlib
import pathlib
import threading

import bcrypt
import requests
from cryptography.fernet import Fernet
from keystonemiddleware import opts as keystone_opts
from oslo_config import cfg

from psvm_listener import conf
from psvm_listener.api import server
from psvm_listener.db import api as db_api
from psvm_listener.db import models
from tests import databases
from tests import log_guard

ADMIN = ('admin', log_guard.password('admin-password'))
READER = ('reader', log_guard.password('reader-password'))


class RecordedResyncs:
    """Stands in for rpc.ResyncClient: remembers the switches it was asked for."""

    def __init__(self):
        self.switch_ids = []
        self.cast = threading.Condition()

    def resync(self, switch_id=None, **_):
        with self.cast:
            self.switch_ids.append(switch_id)
            self.cast.notify_all()

    def wait_for(self, switch_ids, timeout=10):
        """Wait until exactly ``switch_ids`` (in any order) were asked for."""
        with self.cast:
            self.cast.wait_for(lambda: sorted(self.switch_ids) == sorted(switch_ids),
                               timeout)
            return sorted(self.switch_ids)


def config(tmp_path, **api_options):
    """A private ConfigOpts with the [api] options given."""
    options = cfg.ConfigOpts()
    conf.register(options)
    for group, opts in keystone_opts.list_auth_token_opts():
        options.register_opts(opts, group=group)
    options([], project='psvm', default_config_files=[], default_config_dirs=[])
    options.set_override('bind_port', 0, 'api')
    options.set_override('key_file', str(tmp_path / 'credential.key'), 'credentials')
    options.set_override('www_authenticate_uri', 'http://127.0.0.1:5000/v3',
                         'keystone_authtoken')
    for name, value in api_options.items():
        options.set_override(name, value, 'api')
    return options


def write_htpasswd(tmp_path, users):
    """An htpasswd file of bcrypt hashes (cost 4: tests need no real cost)."""
    path = pathlib.Path(tmp_path) / 'htpasswd'
    lines = [f'{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()}'
             for user, password in users]
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


def fresh_database(db_url, tmp_path):
    key_file = pathlib.Path(tmp_path) / 'credential.key'
    if not key_file.exists():
        key_file.write_bytes(Fernet.generate_key())
    database = db_api.Database(db_url, key_file=str(key_file))
    database.create_schema()
    return database


class RunningApi:
    def __init__(self, url, database, resyncs):
        self.url = url
        self.database = database
        self.resyncs = resyncs
        self.session = requests.Session()

    def call(self, method, path, **kwargs):
        return self.session.request(method, self.url + path, timeout=30, **kwargs)

    def forget_rows(self):
        """Remove every row, so that a server shared by a module's tests
        starts each test empty (ids go on counting)."""
        with self.database.engine.begin() as connection:
            for table in models.TABLES:
                connection.execute(table.delete())


@contextlib.contextmanager
def running(options, db_url, tmp_path, resync_client=None):
    """Serve psvm-api as ``options`` say, over a fresh database at ``db_url``."""
    database = fresh_database(db_url, tmp_path)
    options.set_override('connection', db_url, 'database')
    resyncs = resync_client or RecordedResyncs()
    http = server.make_server(
        options, server.application(options, database=database, resync_client=resyncs))
    thread = threading.Thread(target=http.serve, daemon=True)
    thread.start()
    try:
        running_api = RunningApi(f'http://127.0.0.1:{server.bound_port(http)}', database,
                                 resyncs)
        yield running_api
    finally:
        running_api.session.close()  # else stop() waits out its kept-alive connections
        http.stop()
        thread.join(10)
        database.close()


@contextlib.contextmanager
def on_new_database(kind, options, tmp_path):
    """Serve psvm-api as ``options`` say over a new database of ``kind``
    (tests.databases.KINDS), dropped afterwards."""
    with databases.fresh_database(kind, tmp_path) as db_url, \
            running(options, db_url, tmp_path) as api:
        yield api


@contextlib.contextmanager
def over_rig(rig, tmp_path, roles=('admin',)):
    """psvm-api over a sync_rig.Rig's databases and switch, allowed to change
    switches, for ADMIN and READER (http_basic) with ``roles``.  An approval
    opens a session of its own beside the rig plugin's: two slots."""
    options = config(tmp_path, auth_strategy='http_basic',
                     http_basic_auth_user_file=write_htpasswd(tmp_path, [ADMIN, READER]),
                     http_basic_roles=list(roles))
    options.set_override('psvm', True)
    options.set_override('connection', rig.nova_url, 'nova')
    options.set_override('max_sessions', 2, 'switches')
    with running(options, rig.conf.database.connection, tmp_path) as api:
        yield api
