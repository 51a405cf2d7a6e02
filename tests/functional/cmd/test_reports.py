"""psvm-listener as a process: SIGUSR2 writes a Guru Meditation report naming
every sync thread, and the start-up log holds the options in force."""

import os
import signal
import subprocess
import sys

from nexus_sim import LabSwitch
from psvm_listener.lab import scenario
from tests import listener_rig
from tests import messaging
from tests import sync_rig

PSVM_LISTENER = os.path.join(os.path.dirname(sys.executable), 'psvm-listener')


def test_sigusr2_reports_every_sync_thread_with_its_stack(tmp_path, lab_switch):
    reports = tmp_path / 'reports'
    reports.mkdir()
    with sync_rig.Rig(tmp_path, lab_switch) as rig, \
            LabSwitch(users={'admin': 'secret'}, ports='1/1-4') as second:
        second_id = rig.add_switch(second)
        config = listener_rig.write_config(tmp_path, rig, messaging.unique('nova'))
        config.write_text(config.read_text() + f'[oslo_reports]\nlog_dir = {reports}\n')
        log = tmp_path / 'listener.log'
        process = subprocess.Popen([PSVM_LISTENER, '--config-file', str(config)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            scenario.wait_until(lambda: log.exists() and ' started: exchange ' in
                                log.read_text(), 30, 'psvm-listener start')
            process.send_signal(signal.SIGUSR2)
            scenario.wait_until(lambda: any(reports.iterdir()), 30, 'a report file')
            report_file, = reports.iterdir()
            scenario.wait_until(lambda: 'Sync workers' in report_file.read_text(), 10,
                                'the whole report')
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    report = report_file.read_text()
    assert report_file.name.startswith('psvm-listener_gurumeditation_')
    for switch_id in (rig.switch_id, second_id):
        assert f'------ daemon sync-{switch_id} (ident ' in report
        assert f'switch {switch_id}: thread sync-{switch_id}, ' in report
    thread_block = report.split(f'daemon sync-{rig.switch_id} ')[1].split('------')[1]
    assert 'reconciler.py' in thread_block and 'in _run' in thread_block
    assert 'psvm-listener' in report.split('Package')[1][:400]
    text = log.read_text()
    assert 'psvm_sync_interval             = 60' in text
    assert 'database.connection            = ****' in text
    assert 'transport_url                  = ****' in text
    assert ' INFO paramiko' not in text and ' INFO ncclient' not in text
    assert 'Traceback' not in process.stderr.read()
