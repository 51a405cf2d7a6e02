"""psvm-listener as a process: start, follow nova, serve metrics, stop on SIGTERM."""

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request

import kombu
import pytest

from psvm_listener.lab import publisher
from tests import databases
from tests import listener_rig
from tests import messaging
from tests import sync_rig

PSVM_LISTENER = os.path.join(os.path.dirname(sys.executable), 'psvm-listener')


@pytest.fixture
def world(tmp_path, lab_switch):
    """A lab switch with a bound host, and a config file for psvm-listener."""
    with sync_rig.Rig(tmp_path, lab_switch) as rig:
        rig.host('c1', 'ethernet1/1')
        exchange = messaging.unique('nova')
        config = listener_rig.write_config(tmp_path, rig, exchange, 'debug = True\n')
        yield rig, config, exchange, tmp_path / 'listener.log'


def log_text(log):
    return log.read_text() if log.exists() else ''


def wait_for_log(rig, log, pattern, timeout=30):
    return rig.switch.wait_for(lambda: re.search(pattern, log_text(log)), timeout=timeout)


def test_refuses_to_run_unless_psvm_is_true(tmp_path):
    config = tmp_path / 'psvm.conf'
    config.write_text(f'[DEFAULT]\nstate_path = {tmp_path}\n')
    result = subprocess.run([PSVM_LISTENER, '--config-file', str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert 'psvm is False: psvm-listener refuses to touch switches' in result.stderr
    assert 'Traceback' not in result.stderr


def test_follows_nova_serves_metrics_and_stops_cleanly_on_sigterm(world):
    rig, config, exchange, log = world
    process = subprocess.Popen([PSVM_LISTENER, '--config-file', str(config)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(wait_for_log(rig, log, r'metrics on http://127\.0\.0\.1:(\d+)/').group(1))
        rig.switch.wait_for(lambda: rig.switch.allowed('ethernet1/1') == {1}, timeout=30)
        transport = messaging.notification_transport(exchange=exchange)
        with kombu.Connection(messaging.AMQP) as conn, conn.SimpleQueue(kombu.Queue(
                messaging.unique('wiretap'), kombu.Exchange(exchange, type='topic',
                                                            durable=False),
                routing_key='notifications.info', auto_delete=True)) as wiretap:
            nova = publisher.NovaPublisher(transport)
            nova.create(rig.boot('c1', 150), 'c1')
            on_the_wire = wiretap.get(timeout=10)
            on_the_wire.ack()
        assert (json.loads(on_the_wire.body)['_context_auth_token']
                == publisher.CONTEXT['auth_token'])
        rig.switch.wait_for(lambda: rig.switch.allowed('ethernet1/1') == {1, 150}, timeout=30)
        transport.cleanup()
        with urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics', timeout=10) as reply:
            metrics = reply.read().decode()
        assert ('psvm_notifications_handled_total{event_type="compute.instance.create.end"}'
                ' 1.0') in metrics
        assert 'psvm_lif_usage{switch="1"}' in metrics
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = log_text(log)
    assert 'psvm-listener stopped' in text
    assert publisher.CONTEXT['auth_token'] not in text
    assert 'secret' not in text
    assert 'Traceback' not in process.stderr.read()


@pytest.fixture
def migrating_world(tmp_path, lab_switch):
    """c1 (port 1/1) holds an instance on VLAN 200, c2 (port 1/2) does not;
    nova on MariaDB, as Icehouse writes it (no migrations row for a live
    migration); a config file for psvm-listener."""
    with databases.fresh_database('mysql', tmp_path) as nova_url, \
            sync_rig.Rig(tmp_path, lab_switch, nova_url=nova_url) as rig:
        rig.host('c1', 'ethernet1/1', vlans=(300,))
        rig.host('c2', 'ethernet1/2', vlans=(301,))
        instance = rig.boot('c1', 200)
        exchange = messaging.unique('nova')
        config = listener_rig.write_config(tmp_path, rig, exchange,
                                           'psvm_network_poll_interval = 1\n')
        yield rig, config, exchange, instance, tmp_path / 'listener.log'


def test_sigkill_mid_live_migration_never_removes_the_destination_vlan(migrating_world):
    rig, config, exchange, instance, log = migrating_world
    switch = rig.switch
    transport = messaging.notification_transport(exchange=exchange)
    nova = publisher.NovaPublisher(transport)
    processes = []

    def start():
        processes.append(subprocess.Popen([PSVM_LISTENER, '--config-file', str(config)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                          text=True))
    try:
        start()
        # Consuming (its pool queue declared) only once it says it started:
        # its start-up full sync may be done before that.
        wait_for_log(rig, log, r'psvm-listener \S+ started')
        switch.wait_for(lambda: (switch.allowed('ethernet1/1'), switch.allowed('ethernet1/2'))
                        == ({1, 200, 300}, {1, 301}), timeout=30)
        nova.live_migration_pre(instance, 'c1', 'c2')
        switch.wait_for(lambda: switch.allowed('ethernet1/2') == {1, 200, 301}, timeout=30)
        moving = len(switch.journal())
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait(timeout=30)
        # An operator's change the restarted listener's start-up full sync
        # repairs: once it is gone, that sync has looked at every port.
        switch.set_allowed('ethernet1/1', {1, 200, 300, 666})
        start()
        switch.wait_for(lambda: switch.allowed('ethernet1/1') == {1, 200, 300}, timeout=30)
        assert switch.allowed('ethernet1/2') == {1, 200, 301}
        assert 'Holding 1 moves in flight to hosts [\'c2\']' in log_text(log)
        rig.nova.move_instance(instance, 'c2')
        nova.live_migration_post_dest(instance, 'c2')
        switch.wait_for(lambda: (switch.allowed('ethernet1/1'), switch.allowed('ethernet1/2'))
                        == ({1, 300}, {1, 200, 301}), timeout=30)
        processes[1].send_signal(signal.SIGTERM)
        assert processes[1].wait(timeout=30) == 0
    finally:
        transport.cleanup()
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    since_pre_start = [entry for entry in switch.journal(moving)
                       if entry['port'] == 'ethernet1/2']
    assert [entry for entry in since_pre_start if entry['op'] not in ('add', 'set')] == []
    assert all(200 in entry['vlans'] for entry in since_pre_start if entry['op'] == 'set')
