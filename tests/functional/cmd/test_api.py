"""psvm-api, the console script, as an operator runs it."""

import os
import re
import signal
import subprocess
import sys

import requests
from cryptography.fernet import Fernet

from psvm_listener.db import api as db_api
from psvm_listener.lab import scenario
from tests import log_guard

SERVING = re.compile(r'psvm-api serving on 127\.0\.0\.1:(\d+)')
PASSWORD = log_guard.password('api-Pw-77')


def write_config(tmp_path, db_url, **api_options):
    key_file = tmp_path / 'credential.key'
    key_file.write_bytes(Fernet.generate_key())
    lines = ['[DEFAULT]', 'transport_url = rabbit://guest:guest@127.0.0.1:5672/',
             '[database]', f'connection = {db_url}',
             '[credentials]', f'key_file = {key_file}', '[api]', 'bind_port = 0']
    lines += [f'{name} = {value}' for name, value in api_options.items()]
    path = tmp_path / 'psvm.conf'
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


class Served:
    """psvm-api started with ``config``, logging to ``log_file`` (which the
    suite's log guard reads too)."""

    def __init__(self, config, log_file):
        self.log_file = log_file
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'psvm_listener.cmd.api', '--config-file', config,
             '--log-file', str(log_file)], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)

    def log(self):
        return self.log_file.read_text() if self.log_file.exists() else ''

    def wait_for_log(self, pattern, timeout=60):
        """The first match of ``pattern`` in the log, once it is there."""
        def found():
            assert self.process.poll() is None, f'psvm-api exited: {self.log()}'
            return pattern.search(self.log())
        scenario.wait_until(found, timeout, f'psvm-api logging {pattern.pattern}')
        return found()

    def url(self):
        return f'http://127.0.0.1:{self.wait_for_log(SERVING).group(1)}'

    def stop(self):
        os.kill(self.process.pid, signal.SIGTERM)
        assert self.process.wait(30) == 0


def test_serves_the_api_and_stops_on_sigterm(db_url, tmp_path):
    db_api.Database(db_url).create_schema()
    served = Served(write_config(tmp_path, db_url, auth_strategy='noauth'),
                    tmp_path / 'psvm-api.log')
    try:
        url = served.url() + '/v2/os-psvmcred'
        body = {'psvmcred': {'user_name': 'admin', 'password': PASSWORD}}
        assert requests.post(url, json=body, timeout=30).status_code == 200
        assert len(requests.get(url, timeout=30).json()['psvmcreds']) == 1
    finally:
        served.stop()


def test_each_request_is_one_log_line_with_its_request_id_and_no_body(tmp_path):
    db_url = f'sqlite:///{tmp_path}/psvm.sqlite'
    db_api.Database(db_url).create_schema()
    served = Served(write_config(tmp_path, db_url, auth_strategy='noauth'),
                    tmp_path / 'psvm-api.log')
    try:
        url = served.url()
        body = {'psvmcred': {'user_name': 'admin', 'password': PASSWORD}}
        created = requests.post(url + '/v2/os-psvmcred', json=body, timeout=30)
        missing = requests.get(url + '/v3/nothing', timeout=30)  # answered before auth
        for response, line in ((created, '"POST /v2/os-psvmcred" status: 200'),
                               (missing, '"GET /v3/nothing" status: 404')):
            request_id = response.headers['x-openstack-request-id']
            assert request_id.startswith('req-')
            logged = served.wait_for_log(re.compile(rf'.*{request_id}.*{line}.*'))
            assert re.search(r'time: \d+\.\d{3}$', logged.group(0)), logged.group(0)
        assert created.headers['x-openstack-request-id'] != missing.headers[
            'x-openstack-request-id']
    finally:
        served.stop()
    assert PASSWORD not in served.log() and 'psvmcred' not in served.log().replace(
        '/v2/os-psvmcred', '')


def test_refuses_noauth_off_loopback(tmp_path):
    config = write_config(tmp_path, f'sqlite:///{tmp_path}/psvm.sqlite',
                          auth_strategy='noauth', bind_host='0.0.0.0')
    done = subprocess.run([sys.executable, '-m', 'psvm_listener.cmd.api',
                           '--config-file', config], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert 'loopback' in done.stderr
