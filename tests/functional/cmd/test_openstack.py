"""``openstack psvm ...``: OpenStackClient with this package's plugin,
run as an operator runs it, against a real psvm-api."""

import json
import os
import subprocess
import sys

import pytest
import yaml
from openstackclient import shell

from tests import cli
from tests import databases
from tests import log_guard
from tests.functional.api import serving

PASSWORD = log_guard.password('osc-Pw-31')
OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')


def openstack(*args, env=None, stdin=None):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(('OS_', 'PSVM_'))}
    environ.update(env or {})
    done = subprocess.run([OPENSTACK, *args], capture_output=True, text=True, timeout=120,
                          env=environ, input=stdin or '')
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def keystone_api(tmp_path, identity):
    """psvm-api behind keystonemiddleware, registered in the stand-in
    keystone's catalog under service type psvm."""
    options = serving.config(tmp_path, auth_strategy='keystone')
    with databases.fresh_database('sqlite', tmp_path) as db_url:
        with serving.running(options, db_url, tmp_path) as api:
            service = identity.token.add_service('psvm', name='psvm')
            service.add_standard_endpoints(public=api.url + '/v2', region='RegionOne')
            yield api


def test_switch_list_through_clouds_yaml_and_the_keystone_catalog(keystone_api, identity,
                                                                 tmp_path):
    database = keystone_api.database
    cred = database.create_credential(user_name='admin', password=PASSWORD)
    switch = database.create_switch(ip='192.0.2.40', switch_cred_id=cred['id'],
                                    description='rack 9')
    clouds = tmp_path / 'clouds.yaml'
    clouds.write_text(yaml.safe_dump({'clouds': {'lab': {
        'auth': {'auth_url': identity.url, 'username': 'operator', 'password': 'pw',
                 'project_name': 'ops', 'user_domain_name': 'Default',
                 'project_domain_name': 'Default'},
        'region_name': 'RegionOne', 'identity_api_version': 3}}}))
    env = {'OS_CLIENT_CONFIG_FILE': str(clouds)}
    listed = json.loads(openstack('--os-cloud', 'lab', 'psvm', 'switch', 'list', '-f',
                                  'json', env=env))
    assert [(s['id'], s['ip'], s['description']) for s in listed] == [
        (switch['id'], '192.0.2.40', 'rack 9')]
    shown = json.loads(openstack('--os-cloud', 'lab', 'psvm', 'credential', 'show',
                                 str(cred['id']), '-f', 'json', env=env))
    assert shown['password'] == '******' and shown['user_name'] == 'admin'


def openstack_in_process(*args, stdin=None):
    """OpenStackClient's main in this process, with the plugin as it loads it
    (entry points): the plugin's logic, without a second interpreter."""
    done = cli.call_main(shell.main, list(args), stdin)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_os_endpoint_reaches_psvm_api_without_a_catalog(tmp_path, monkeypatch):
    for name in [name for name in os.environ if name.startswith(('OS_', 'PSVM_'))]:
        monkeypatch.delenv(name)
    options = serving.config(tmp_path, auth_strategy='noauth')
    with databases.fresh_database('sqlite', tmp_path) as db_url:
        with serving.running(options, db_url, tmp_path) as api:
            endpoint = ('--os-auth-type', 'none', '--os-endpoint', api.url + '/v2')
            created = json.loads(openstack_in_process(
                *endpoint, 'psvm', 'credential', 'create', '--user-name', 'admin',
                '--password-stdin', '-f', 'json', stdin=PASSWORD + '\n'))
            assert created['password'] == '******'
            assert api.database.credential_password(created['id']) == PASSWORD
            listed = json.loads(openstack_in_process(*endpoint, 'psvm', 'credential', 'list',
                                                     '-f', 'json'))
    assert listed == [{'id': created['id'], 'user_name': 'admin'}]
