import pathlib
import subprocess
import sys

import pytest
from oslo_config import cfg

from psvm_listener import conf

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_conf():
    options = cfg.ConfigOpts()
    conf.register(options)
    return options


def write_config(tmp_path, text):
    path = tmp_path / 'psvm.conf'
    path.write_text(text)
    return str(path)


def test_seed_flags_keep_their_defaults(fresh_conf):
    conf.load([], conf=fresh_conf, default_config_files=[])
    assert fresh_conf.psvm is False
    assert fresh_conf.psvm_ignore_vlans == [1]
    assert fresh_conf.psvm_sync_interval == 60
    assert fresh_conf.psvm_plugin == 'cisco_nexus_plugin.CiscoNEXUSPlugin'
    assert fresh_conf.psvm_driver == 'cisco_nexus_network_driver.CiscoNEXUSDriver'
    assert fresh_conf.database.connection.endswith('/psvm.sqlite')


@pytest.mark.parametrize('text, option', [
    ('[DEFAULT]\npsvm_ignore_vlans = 1,4095\n', 'psvm_ignore_vlans'),
    ('[DEFAULT]\npsvm_ignore_vlans = 0\n', 'psvm_ignore_vlans'),
    ('[DEFAULT]\npsvm_sync_interval = -5\n', 'psvm_sync_interval'),
    ('[DEFAULT]\npsvm = maybe\n', 'psvm'),
])
def test_invalid_values_fail_at_start_naming_the_option(fresh_conf, tmp_path, text, option):
    path = write_config(tmp_path, text)
    with pytest.raises(conf.ConfigError, match=f'option {option}'):
        conf.load(['--config-file', path], conf=fresh_conf, default_config_files=[])


def test_notification_pool_and_resync_topic_are_different_queues_by_default(fresh_conf):
    conf.load([], conf=fresh_conf, default_config_files=[])
    assert fresh_conf.listener.pool != fresh_conf.listener.rpc_topic


def test_pool_named_like_the_resync_topic_fails_at_start(fresh_conf, tmp_path):
    path = write_config(tmp_path, '[listener]\npool = psvm\nrpc_topic = psvm\n')
    with pytest.raises(conf.ConfigError, match='option listener.pool'):
        conf.load(['--config-file', path], conf=fresh_conf, default_config_files=[])


def test_every_option_has_help():
    for _group, opts in conf.list_opts():
        for opt in opts:
            assert opt.help, opt.name


def test_sample_config_is_fresh(tmp_path):
    """etc/psvm/psvm.conf.sample must be what oslo-config-generator writes now."""
    out = tmp_path / 'sample.conf'
    subprocess.run(
        [sys.executable, '-m', 'oslo_config.generator',
         '--config-file', str(ROOT / 'etc/psvm/psvm-config-generator.conf'),
         '--output-file', str(out)],
        check=True)
    with open(ROOT / 'etc/psvm/psvm.conf.sample') as committed:
        assert out.read_text() == committed.read(), (
            'etc/psvm/psvm.conf.sample is stale: run "make genconfig"')


def test_state_path_is_the_same_from_any_working_directory(fresh_conf, tmp_path,
                                                           monkeypatch):
    """A systemd service and an administrator's shell share one database and key."""
    monkeypatch.chdir(tmp_path)
    conf.load([], conf=fresh_conf, default_config_files=[])
    assert fresh_conf.state_path == '/var/lib/psvm'
    assert fresh_conf.database.connection == 'sqlite:////var/lib/psvm/psvm.sqlite'
    assert fresh_conf.credentials.key_file == '/var/lib/psvm/credential.key'
    assert fresh_conf.nova.connection is None
