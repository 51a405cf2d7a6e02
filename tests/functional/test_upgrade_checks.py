"""psvm-status upgrade check over real databases, RabbitMQ and a lab switch:
it passes on a ready lab and names each broken precondition on a line."""

import configparser
import contextlib
import json
import os
import pathlib
import uuid

import pytest
import sqlalchemy as sa

from psvm_listener.cmd import status
from psvm_listener.db import api as db_api
from psvm_listener.db import migration
from tests import coordination_backends as backends
from tests import databases
from tests import listener_rig
from tests import messaging
from tests import sync_rig

GRANTS = pathlib.Path(__file__).parents[2] / 'etc' / 'psvm' / 'nova-grants.sql'


@pytest.fixture
def rig(tmp_path, lab_switch):
    """A ready lab: PSVM's DB at head, an owner-only key, nova, a pinned switch."""
    with sync_rig.Rig(tmp_path, lab_switch) as ready:
        ready.key_file.chmod(0o600)
        yield ready


def config(tmp_path, rig, **lines):
    """psvm.conf over ``rig``; ``lines`` ({'group.option': value}) override it."""
    path = listener_rig.write_config(tmp_path, rig, messaging.unique('nova'))
    parser = configparser.RawConfigParser()
    parser.read(path)
    for name, value in lines.items():
        parser.set(*name.split('.'), value)
    with open(path, 'w') as stream:
        parser.write(stream)
    return path


def check(capsys, path, *extra):
    code = status.main(['--config-file', str(path), 'upgrade', 'check', *extra])
    return code, capsys.readouterr().out


def test_passes_on_a_ready_lab(tmp_path, rig, capsys):
    code, out = check(capsys, config(tmp_path, rig))
    assert code == 0, out
    assert out.count('Result: Success') == 6
    assert 'Failure' not in out


def test_json_output_names_every_check(tmp_path, rig, capsys):
    code, out = check(capsys, config(tmp_path, rig), '--json')
    assert code == 0
    assert [c['check'] for c in json.loads(out)['checks']] == [
        "PSVM's database schema", 'Credential key file', "nova's database",
        'Message broker', 'Switch host keys', 'Coordination backend']


def test_database_not_migrated(tmp_path, rig, capsys):
    code, out = check(capsys, config(tmp_path, rig, **{
        'database.connection': f'sqlite:///{tmp_path}/empty.sqlite'}))
    assert code == 2
    assert (f"PSVM's database is at revision none, this psvm-listener needs "
            f'{migration.head()}: run "psvm-manage db sync"') in out


def test_credential_key_readable_by_others(tmp_path, rig, capsys):
    rig.key_file.chmod(0o644)
    code, out = check(capsys, config(tmp_path, rig))
    assert code == 2
    assert f'has mode 0644: others than its owner may read the switch passwords; run ' \
           f'"chmod 600 {rig.key_file}"' in out


def test_credential_key_missing(tmp_path, rig, capsys):
    os.unlink(rig.key_file)
    code, out = check(capsys, config(tmp_path, rig))
    assert code == 2
    assert f'credential key file {rig.key_file} does not exist' in out


def test_broker_unreachable(tmp_path, rig, capsys):
    code, out = check(capsys, config(tmp_path, rig, **{
        'DEFAULT.transport_url': 'rabbit://guest:guest@127.0.0.1:1/'}))
    assert code == 2
    assert 'cannot log in to RabbitMQ at 127.0.0.1:1 as guest' in out


def test_wrong_broker_password(tmp_path, rig, capsys):
    code, out = check(capsys, config(tmp_path, rig, **{
        'DEFAULT.transport_url': 'rabbit://guest:wrong@127.0.0.1:5672/'}))
    assert code == 2
    assert 'cannot log in to RabbitMQ at 127.0.0.1:5672 as guest' in out


def test_switch_without_pinned_host_key(tmp_path, rig, lab_switch, capsys):
    with db_api.Database(rig.conf.database.connection, str(rig.key_file)) as database:
        cred = database.create_credential(user_name='admin', password='secret')
        bare = database.create_switch(ip='192.0.2.10', port=22, switch_cred_id=cred['id'])
    code, out = check(capsys, config(tmp_path, rig))
    assert code == 2
    text = out
    assert f"switch {bare['id']} (192.0.2.10:22) has no pinned host key: run " \
           f'"psvm-manage switch set {bare["id"]} --host-key SHA256:..."' in text
    assert f'switch {rig.switch_id} ' not in text


def test_nova_database_unreachable(tmp_path, rig, capsys):
    code, out = check(capsys, config(tmp_path, rig, **{
        'nova.connection': 'mysql+pymysql://nobody:x@127.0.0.1:1/nova'}))
    assert code == 2
    assert 'cannot read the nova database mysql+pymysql://nobody:***@127.0.0.1:1/nova' \
        in out


@contextlib.contextmanager
def read_only_user(database):
    """A MariaDB user with exactly the grants of etc/psvm/nova-grants.sql, on
    ``database`` instead of nova; yields (user, password, admin engine)."""
    user, password = f'psvm_ro_{uuid.uuid4().hex[:8]}', uuid.uuid4().hex
    sql = (GRANTS.read_text().replace("'psvm_ro'", f"'{user}'")
           .replace("'SECRET'", f"'{password}'").replace(' nova.', f' {database}.'))
    admin = sa.create_engine(databases.SERVERS['mysql'].format(name=''),
                             isolation_level='AUTOCOMMIT')
    statements = [s for s in (''.join(line for line in sql.splitlines(True)
                                      if not line.startswith('--'))).split(';') if s.strip()]
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
        yield user, password, admin
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP USER IF EXISTS '{user}'@'%'"))
        admin.dispose()


def test_nova_grants_of_the_install_guide_suffice_and_each_is_needed(
        tmp_path, lab_switch, capsys):
    with databases.fresh_database('mysql', tmp_path) as nova_url, \
            sync_rig.Rig(tmp_path, lab_switch, nova_url=nova_url) as rig, \
            read_only_user(sa.engine.make_url(nova_url).database) as (user, password, admin):
        rig.key_file.chmod(0o600)
        read_only = sa.engine.make_url(nova_url).set(username=user, password=password)
        path = config(tmp_path, rig, **{
            'nova.connection': read_only.render_as_string(hide_password=False)})
        code, out = check(capsys, path)
        assert code == 0, out
        database = read_only.database
        with admin.connect() as conn:
            conn.execute(sa.text(f"REVOKE SELECT ON {database}.migrations FROM '{user}'@'%'"))
        code, out = check(capsys, path)
        assert code == 2
        text = out
        assert 'cannot SELECT from nova table migrations: OperationalError:' in text
        assert 'table instances' not in text


def test_broker_not_configured(tmp_path, rig, capsys):
    path = config(tmp_path, rig)
    path.write_text(path.read_text().replace(f'transport_url = {messaging.RABBIT}\n', ''))
    code, out = check(capsys, path)
    assert code == 2
    assert '[DEFAULT] transport_url names no RabbitMQ host: set it' in out


def coordinated(path, url, rpc_timeout=1):
    with open(path, 'a') as stream:
        stream.write(f'[coordination]\nbackend_url = {url}\n'
                     f'group = {backends.unique_group()}\n'
                     f'[switches]\nrpc_timeout = {rpc_timeout}\n')
    return path


def test_coordination_backend_answers(tmp_path, rig, capsys):
    url = f'{backends.SHARED_REDIS}?timeout={backends.LEASE}'
    code, out = check(capsys, coordinated(config(tmp_path, rig), url))
    assert code == 0, out
    assert '0 live members (none yet), lease 3 s' in out


def test_coordination_backend_unreachable(tmp_path, rig, capsys):
    # etcd, as a refused Redis costs tooz a minute of reconnects (15 of
    # redis-py's, each retried with back-off) before it gives up.
    url = f'etcd3+http://127.0.0.1:{backends.free_port()}?timeout={backends.LEASE}'
    code, out = check(capsys, coordinated(config(tmp_path, rig), url))
    assert code == 2
    assert ('[coordination] backend_url does not answer: coordination backend: '
            'ConnectionFailedError') in out


def test_rpc_timeout_must_end_before_a_fenced_lease(tmp_path, rig, capsys):
    url = f'{backends.SHARED_REDIS}?timeout={backends.LEASE}'
    code, out = check(capsys, coordinated(config(tmp_path, rig), url, rpc_timeout=2))
    assert code == 2
    assert '[switches] rpc_timeout (2 s) is not under half the coordination lease (3 s)' in out
