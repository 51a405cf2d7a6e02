"""psvm, the client CLI, against a real psvm-api: in-process where its logic is
the point, as the console script where its process is (logs, terminal, exit)."""

import json
import os
import sys
from subprocess import run

import pytest

from psvm_listener.cmd import client
from tests import cli
from tests import databases
from tests import log_guard
from tests import sync_rig
from tests.functional.api import serving


@pytest.fixture(scope='module', params=databases.KINDS)
def module_basic_api(request, tmp_path_factory):
    """One psvm-api (http_basic) per database for the module: a server and
    its database per test were most of these tests' time."""
    tmp_path = tmp_path_factory.mktemp('basic-api')
    users = serving.write_htpasswd(tmp_path, [serving.ADMIN])
    options = serving.config(tmp_path, auth_strategy='http_basic',
                             http_basic_auth_user_file=users)
    with serving.on_new_database(request.param, options, tmp_path) as api:
        yield api


@pytest.fixture
def basic_api(module_basic_api):
    """The module's psvm-api, with no rows left by an earlier test."""
    module_basic_api.forget_rows()
    return module_basic_api


def psvm(api, *args, user=serving.ADMIN, stdin=None, subprocess=False):
    """psvm against ``api``: in-process, or as the console script where the
    process (its log file, its terminal) is the point."""
    credentials = ['--basic-user', user[0], '--basic-password', user[1]] if user else []
    argv = ['--os-url', api.url + '/v2', *credentials, *args]
    if not subprocess:
        return cli.call_main(client.main, argv, stdin)
    env = {k: v for k, v in os.environ.items() if not k.startswith(('OS_', 'PSVM_'))}
    return run([sys.executable, '-m', 'psvm_listener.cmd.client', *argv], env=env,
               capture_output=True, text=True, timeout=120, input=stdin)


def psvm_json(api, *args, user=serving.ADMIN):
    done = psvm(api, *args, '-f', 'json', user=user)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_switch_cred_and_bind_commands_end_to_end(basic_api):
    api = basic_api
    cred = psvm_json(api, 'credential', 'create', '--user-name', 'admin', '--password',
                     log_guard.password('s3cret'))
    assert cred['password'] == '******'
    switch = psvm_json(api, 'switch', 'create', '--ip', '192.0.2.7', '--credential',
                       str(cred['id']), '--description', 'rack 7')
    assert (switch['ip'], switch['port']) == ('192.0.2.7', 22)
    assert psvm_json(api, 'switch', 'set', str(switch['id']), '--port', '830')['port'] == 830
    assert psvm_json(api, 'switch', 'show', str(switch['id']))['description'] == 'rack 7'
    assert switch['driver'] is None
    nine = psvm_json(api, 'switch', 'set', str(switch['id']), '--driver', 'cisco_nexus_nxapi')
    assert nine['driver'] == 'cisco_nexus_nxapi'
    assert psvm_json(api, 'switch', 'set', str(switch['id']), '--driver', '')['driver'] is None

    binding = psvm_json(api, 'binding', 'create', '--switch', str(switch['id']),
                        '--compute-node', '12', '--switch-port', 'e101/1/7')
    assert binding['switch_port'] == 'ethernet101/1/7'
    assert psvm_json(api, 'binding', 'set', str(binding['id']), '--switch-port', 'po20')[
        'switch_port'] == 'port-channel20'
    listed = psvm_json(api, 'binding', 'list', '--switch', str(switch['id']))
    assert listed == [{'id': binding['id'], 'switch_id': switch['id'],
                       'compute_node_id': 12, 'switch_port': 'port-channel20'}]

    table = psvm(api, 'switch', 'list')
    assert table.returncode == 0
    assert '| 192.0.2.7 |' in table.stdout and 'rack 7' in table.stdout
    assert 's3cret' not in psvm(api, 'credential', 'list').stdout
    assert psvm(api, 'credential', 'set', str(cred['id']), '--password-stdin',
                stdin='rotated\n').returncode == 0
    assert api.database.credential_password(cred['id']) == 'rotated'

    for noun, row_id in (('binding', binding['id']), ('switch', switch['id']),
                         ('credential', cred['id'])):
        assert psvm(api, noun, 'delete', str(row_id)).returncode == 0
    assert psvm_json(api, 'switch', 'list') == []
    assert api.database.list_credentials() == []


@pytest.mark.parametrize('args, message', [
    (('switch', 'show', '99'), '404: '),
    (('switch', 'create', '--ip', 'not-an-ip', '--credential', '1'), '400: psvm.ip: '),
    (('binding', 'create', '--switch', '5', '--compute-node', '1', '--switch-port', 'e1/1'),
     '409: '),
    (('switch', 'set', '1'), 'nothing to change'),
    (('switch', 'create', '--ip', '192.0.2.9', '--credential', '1', '--driver', 'frob'),
     "400: driver 'frob' is not a switch driver; known: cisco_nexus_netconf"),
])
def test_errors_exit_1_with_the_api_message(basic_api, args, message):
    done = psvm(basic_api, *args)
    assert done.returncode == 1
    assert message in done.stderr


SWITCH_PASSWORD = log_guard.password('Nx5k-sw1tch-pw')


def test_no_password_reaches_a_log_or_the_terminal_at_any_verbosity(basic_api, tmp_path):
    log = tmp_path / 'psvm.log'
    created = psvm(basic_api, '--debug', '--log-file', str(log), 'credential', 'create',
                   '--user-name', 'admin', '--password-stdin', '-f', 'json',
                   stdin=SWITCH_PASSWORD + '\n', subprocess=True)
    assert created.returncode == 0, created.stderr
    cred_id = json.loads(created.stdout)['id']
    changed = psvm(basic_api, '-vv', 'credential', 'set', str(cred_id), '--password',
                   SWITCH_PASSWORD + '2', subprocess=True)
    assert changed.returncode == 0, changed.stderr
    assert basic_api.database.credential_password(cred_id) == SWITCH_PASSWORD + '2'
    listed = psvm(basic_api, '--debug', '--log-file', str(log), 'credential', 'list',
                  subprocess=True)
    written = log.read_text() + created.stderr + changed.stderr + listed.stderr
    assert 'REQ: POST os-psvmcred {"psvmcred": {"user_name": "admin", "password": ' \
           '"******"}}' in written
    assert 'REQ: curl -g -i -X GET' in written  # keystoneauth's own debug lines
    for secret in (SWITCH_PASSWORD, serving.ADMIN[1]):
        assert secret not in written


def test_wrong_basic_password_is_401(basic_api):
    done = psvm(basic_api, 'switch', 'list', user=('admin', 'wrong'))
    assert done.returncode == 1
    assert '401: ' in done.stderr


def test_missing_endpoint_is_a_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != 'PSVM_URL'}
    done = run([sys.executable, '-m', 'psvm_listener.cmd.client', 'switch',
                'list'], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert 'PSVM_URL' in done.stderr


def test_keystone_session_end_to_end(db_url, tmp_path, identity):
    identity = identity.url
    options = serving.config(tmp_path, auth_strategy='keystone')
    with serving.running(options, db_url, tmp_path) as api:
        keystone = ('--os-auth-url', identity, '--os-username', 'operator',
                    '--os-password', 'pw', '--os-project-name', 'ops')
        cred = psvm_json(api, *keystone, 'credential', 'create', '--user-name', 'admin',
                         '--password', 'secret', user=None)
        assert cred['password'] == '******'
        assert [c['id'] for c in psvm_json(api, *keystone, 'credential', 'list', user=None)] == [
            cred['id']]
        refused = psvm(api, 'credential', 'list', user=None)
        assert refused.returncode == 1 and '401' in refused.stderr


def test_plan_commands_approve_a_refused_plan_once(tmp_path, lab_switch):
    with sync_rig.Rig(tmp_path, lab_switch) as rig:
        plan_id = sync_rig.refused_removal(rig).pending_plan
        with serving.over_rig(rig, tmp_path) as api:
            [listed] = psvm_json(api, 'plan', 'list', '--switch', str(rig.switch_id))
            assert (listed['id'], listed['changes']) == (plan_id, 'ethernet1/1 -100-107')
            approved = psvm_json(api, 'plan', 'approve', str(plan_id))
            assert (approved['outcome'], approved['applied']) == (
                'applied', 'ethernet1/1 -100-107')
            assert rig.switch.allowed('ethernet1/1') == {1, 108, 109}
            again = psvm(api, 'plan', 'approve', str(plan_id))
            assert again.returncode == 1
            assert f'409: pending plan {plan_id} was applied already' in again.stderr
            assert psvm_json(api, 'plan', 'show', str(plan_id))['outcome'] == 'applied'
            assert psvm_json(api, 'plan', 'list') == []
