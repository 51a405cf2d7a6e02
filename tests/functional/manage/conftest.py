import json
import os
import subprocess
import sys

import pytest

from psvm_listener.cmd import manage as manage_cmd
from tests import cli
from tests import sync_rig

PSVM_MANAGE = os.path.join(os.path.dirname(sys.executable), 'psvm-manage')


class Manage:
    """psvm-manage with one --config-file, called in-process (its main, with
    stdin, stdout and stderr its own), or with ``subprocess=True`` as the
    console script, where the process boundary is the point."""

    def __init__(self, config_file, subprocess=False):
        self.config_file = config_file
        self.subprocess = subprocess

    def run(self, *args, stdin=None):
        argv = ['--config-file', self.config_file, *args]
        if self.subprocess:
            return subprocess.run([PSVM_MANAGE, *argv], input=stdin, capture_output=True,
                                  text=True, timeout=60)
        return cli.call_main(manage_cmd.main, argv, stdin)

    def ok(self, *args, stdin=None):
        result = self.run(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def json(self, *args, stdin=None):
        return json.loads(self.ok(*args, '--format', 'json', stdin=stdin))

    def fails(self, *args, stdin=None):
        result = self.run(*args, stdin=stdin)
        assert result.returncode != 0, result.stdout
        assert 'Traceback' not in result.stderr, result.stderr
        return result.stderr


@pytest.fixture
def manage(db_url, tmp_path):
    """psvm-manage against a fresh database on SQLite, MariaDB and PostgreSQL."""
    config = tmp_path / 'psvm.conf'
    config.write_text(
        f'[DEFAULT]\nstate_path = {tmp_path}/state\n'
        f'[database]\nconnection = {db_url}\n'
        f'[credentials]\nkey_file = {tmp_path}/keys/credential.key\n')
    return Manage(str(config))


@pytest.fixture
def synced(manage):
    """psvm-manage on a synced database with a credential key."""
    manage.ok('db', 'sync')
    manage.ok('credential-key', 'generate')
    return manage


@pytest.fixture
def world(tmp_path, lab_switch):
    """A lab switch with two bound hosts, and psvm-manage configured for it."""
    with sync_rig.Rig(tmp_path, lab_switch) as rig:
        rig.host('compute-1', 'ethernet1/3', vlans=(100, 101))
        rig.host('compute-2', 'ethernet101/1/2', vlans=(200,))
        config = tmp_path / 'psvm.conf'
        config.write_text(
            f'[DEFAULT]\npsvm = True\n'
            f'[database]\nconnection = {rig.conf.database.connection}\n'
            f'[nova]\nconnection = {rig.nova_url}\n'
            f'[credentials]\nkey_file = {rig.key_file}\n')
        yield rig, Manage(str(config))
