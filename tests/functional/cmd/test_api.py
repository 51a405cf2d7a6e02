"""psvm-api, the console script, as an operator runs it."""

import os
import re
import signal
import subprocess
import sys
import time

import requests
from cryptography.fernet import Fernet

from psvm_listener.db import api as db_api

SERVING = re.compile(r'psvm-api serving on 127\.0\.0\.1:(\d+)')


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


def start(config):
    return subprocess.Popen([sys.executable, '-m', 'psvm_listener.cmd.api',
                             '--config-file', config], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def wait_for_port(process, deadline=60):
    """Read the log until psvm-api says where it listens."""
    end = time.monotonic() + deadline
    for line in process.stdout:
        match = SERVING.search(line)
        if match:
            return int(match.group(1))
        assert time.monotonic() < end, 'psvm-api did not start in time'
    raise AssertionError('psvm-api exited before serving')


def test_serves_the_api_and_stops_on_sigterm(db_url, tmp_path):
    db_api.Database(db_url).create_schema()
    process = start(write_config(tmp_path, db_url, auth_strategy='noauth'))
    try:
        port = wait_for_port(process)
        url = f'http://127.0.0.1:{port}/v2/os-psvmcred'
        body = {'psvmcred': {'user_name': 'admin', 'password': 'secret'}}
        assert requests.post(url, json=body, timeout=30).status_code == 200
        assert len(requests.get(url, timeout=30).json()['psvmcreds']) == 1
    finally:
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(30) == 0


def test_refuses_noauth_off_loopback(tmp_path):
    config = write_config(tmp_path, f'sqlite:///{tmp_path}/psvm.sqlite',
                          auth_strategy='noauth', bind_host='0.0.0.0')
    done = subprocess.run([sys.executable, '-m', 'psvm_listener.cmd.api',
                           '--config-file', config], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert 'loopback' in done.stderr
