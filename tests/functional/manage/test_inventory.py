"""psvm-manage inventory end to end: PSVM's bindings and a lab nova, same server."""

import json
import socket
import subprocess

import pytest
import sqlalchemy as sa

from psvm_listener.lab import nova
from tests import databases
from tests.functional.manage import conftest


@pytest.fixture
def nova_url(db_url, tmp_path):
    """A second fresh database, beside PSVM's, holding a lab nova."""
    kind = sa.engine.make_url(db_url).get_backend_name()
    with databases.fresh_database(kind, tmp_path) as url:
        nova.create_schema(url)
        yield url


@pytest.fixture
def manage(db_url, nova_url, tmp_path):
    config = tmp_path / 'psvm.conf'
    config.write_text(f'[DEFAULT]\nstate_path = {tmp_path}/state\n'
                      f'[database]\nconnection = {db_url}\n'
                      f'[nova]\nconnection = {nova_url}\n')
    manage = conftest.Manage(str(config))
    manage.ok('db', 'sync')
    manage.ok('credential-key', 'generate')
    return manage


def _bind(manage, switch_id, node_id, port):
    manage.json('binding', 'create', '--switch', str(switch_id),
                '--compute-node', str(node_id), '--switch-port', port)


def test_inventory_of_bound_hosts_and_of_named_hosts(manage, nova_url):
    lab = nova.NovaLab(nova_url)
    try:
        node_1, node_2 = lab.add_service_host('h1'), lab.add_service_host('h2')
        lab.add_service_host('h3')
        lab.boot('vm-1', 'h1', lab.add_network(10))
        lab.boot('vm-1', 'h1', lab.add_network(11))
        lab.boot('vm-2', 'h1', lab.add_network(40))
        lab.add_network(12, host='h3')
    finally:
        lab.close()
    cred = manage.json('credential', 'create', '--user-name', 'admin', '--password', 'x')
    switch = manage.json('switch', 'create', '--ip', '192.0.2.1', '--credential', str(cred['id']))
    _bind(manage, switch['id'], node_1, 'e1/1')
    _bind(manage, switch['id'], node_1, 'po20')
    _bind(manage, switch['id'], node_2, 'e1/2')
    _bind(manage, switch['id'], 999, 'e1/3')

    result = manage.run('inventory', '--format', 'json')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {'h1': [10, 11, 40], 'h2': []}
    assert 'compute node 999' in result.stderr

    table = manage.ok('inventory', '--host', 'h3', '--host', 'h1')
    assert table.splitlines()[1:5] == [
        '| host | vlans    |', '+------+----------+', '| h1   | 10-11,40 |', '| h3   | 12       |']


def test_inventory_without_bindings_is_empty(manage):
    assert manage.json('inventory') == {}


def test_nova_down_is_a_clear_error(tmp_path):
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    config = tmp_path / 'down.conf'
    config.write_text(f'[DEFAULT]\nstate_path = {tmp_path}/state\n'
                      f'[nova]\nconnection = mysql+pymysql://nova:secret@127.0.0.1:{port}/nova\n')
    result = subprocess.run([conftest.PSVM_MANAGE, '--config-file', str(config), 'inventory',
                             '--host', 'h1'], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert 'cannot read the nova database' in result.stderr
    assert 'secret' not in result.stderr and 'Traceback' not in result.stderr
