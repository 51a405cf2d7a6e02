"""psvm-nexus-sim in its own process, observed and steered through the control interface."""

import contextlib
import http.client
import subprocess
import sys
import urllib.parse

import pytest
from ncclient import operations
from ncclient import transport

from nexus_sim.client import RawNetconfClient
from nexus_sim.control import ControlClient
from nexus_sim.control import ControlError
from nexus_sim.tests.functional.conftest import add
from nexus_sim.tests.functional.conftest import connect
from nexus_sim.tests.functional.conftest import running_config_filter
from nexus_sim.tests.readback import allowed_from_config


def start(*args):
    process = subprocess.Popen([sys.executable, '-m', 'nexus_sim.cli', *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return process


def read_ready(process, switches):
    """{name: (address, fingerprint)} and the control URL, from the ready lines."""
    ready = {}
    for _ in range(switches):
        word, name, address, fingerprint = process.stdout.readline().split()
        assert word == 'ready'
        host, port = address.rsplit(':', 1)
        ready[name] = ((host, int(port)), fingerprint)
    word, url = process.stdout.readline().split()
    assert word == 'control'
    return ready, url


def stop(process):
    process.terminate()
    assert process.wait(timeout=10) == 0


@contextlib.contextmanager
def running_simulator():
    process = start('--listen', '127.0.0.1:0', '--listen', 'edge=127.0.0.1:0',
                    '--fex', '101', '--port-channels', '20', '--lif-limit', '400',
                    '--user', 'admin:secret', '--user', 'ops:pw')
    ready, url = read_ready(process, 2)
    yield ready, ControlClient(url)
    stop(process)


@pytest.fixture
def simulator():
    with running_simulator() as running:
        yield running


@pytest.fixture(scope='module')
def untouched_simulator():
    """One simulator for the tests of requests that must change nothing: each
    checks that the journal is still empty, so none can hide behind another."""
    with running_simulator() as running:
        yield running


def test_each_switch_prints_a_ready_line_with_a_pinnable_fingerprint(simulator):
    ready, control = simulator
    assert set(ready) == {'lab1', 'edge'}
    for address, fingerprint in ready.values():
        with RawNetconfClient(address, 'ops', 'pw') as client:
            assert client.host_key.fingerprint == fingerprint
    assert [(s['name'], s['port']) for s in control.switches()] == [
        (name, address[1]) for name, (address, _) in ready.items()]


def test_switches_keep_their_own_state(simulator):
    ready, control = simulator
    with connect(ready['lab1'][0]) as session:
        session.edit_config(target='running', config=add('101/1/3', '10'))
        session.edit_config(target='running', config=add('101/1/3', '11').replace(
            '<add><add-vlans>11</add-vlans></add>', '<vlan_id>11</vlan_id>'))
    assert control.state('lab1')['ports']['ethernet101/1/3'] == '11'
    assert control.state('edge')['ports']['ethernet101/1/3'] == 'all'
    assert control.state('lab1')['rpc_counts']['edit-config'] == 2
    assert 'edit-config' not in control.state('edge')['rpc_counts']


def test_drift_vlans_and_journal_through_the_control_interface(simulator):
    ready, control = simulator
    control.create_vlans('edge', '10-12')
    control.set_allowed('edge', 'Eth1/7', '10-11')
    with connect(ready['edge'][0]) as session:
        text = session.get(filter=running_config_filter('ethernet1/7')).data_xml
        session.edit_config(target='running', config=add('1/7', '12'))
    assert allowed_from_config(text) == {10, 11}
    state = control.state('edge')
    assert state['vlans'] == '1,10-12'
    assert state['lif_usage'] == 3 + (48 + 48 + 1 - 1) * 4
    assert [(e['op'], e['port'], e['vlans'], e['source'])
            for e in control.journal('edge')] == [
        ('vlan-create', None, '10-12', 'operator'),
        ('set', 'ethernet1/7', '10-11', 'operator'),
        ('add', 'ethernet1/7', '12', 'netconf')]
    assert [e['op'] for e in control.journal('edge', since=2)] == ['add']


def test_vlan_state_through_the_control_interface(simulator):
    ready, control = simulator
    control.create_vlans('edge', '10-12')
    control.set_allowed('edge', 'e1/7', '10-12')
    control.set_vlan_state('edge', '10', state='suspend')
    assert control.set_vlan_state('edge', '11', shutdown=True) == {
        'vlans': '1,10-12', 'suspended': '10', 'shut': '11'}
    state = control.state('edge')
    assert state['ports']['ethernet1/7'] == '10-12'
    assert state['passing']['ethernet1/7'] == '12'
    assert state['passing']['ethernet1/8'] == '1,12'
    with connect(ready['edge'][0]) as session:
        brief = session.exec_command(['show vlan brief']).xml
    assert 'VLAN0010                         suspended' in brief
    assert 'VLAN0011                         act/lshut' in brief
    control.set_vlan_state('edge', '10-11', state='active', shutdown=False)
    assert control.state('edge')['passing']['ethernet1/7'] == '10-12'


def test_faults_and_reboot_through_the_control_interface(simulator):
    ready, control = simulator
    address = ready['lab1'][0]
    assert control.faults('lab1', refuse_auth=True)['refuse_auth'] is True
    with pytest.raises(transport.AuthenticationError):
        connect(address)
    control.faults('lab1', clear=True, fail_next_edits=1)
    with connect(address) as session:
        with pytest.raises(operations.RPCError, match="injected fault"):
            session.edit_config(target='running', config=add('1/1', '10'))
        session.edit_config(target='running', config=trunk_none('1/1'))
    assert control.state('lab1')['ports']['ethernet1/1'] == 'none'
    control.reboot('lab1')
    assert control.state('lab1')['ports']['ethernet1/1'] == 'all'
    assert control.journal('lab1')[-1]['op'] == 'reboot'


def trunk_none(port_number):
    return add(port_number, '1').replace('<add><add-vlans>1</add-vlans></add>', '<none/>')


@pytest.mark.parametrize('call, message', [
    (lambda c: c.state('nosuch'), "no switch named 'nosuch'"),
    (lambda c: c.set_allowed('lab1', 'ethernet9/9', '10'), 'no such port'),
    (lambda c: c.set_allowed('lab1', 'e1/1', '10-5000'), 'VLAN ids run 1-4094'),
    (lambda c: c.create_vlans('lab1', '3968'), 'reserved'),
    (lambda c: c.set_vlan_state('lab1', '10', state='dormant'), 'not active or suspend'),
    (lambda c: c.set_vlan_state('lab1', '10', shutdown='yes'), 'must be true or false'),
    (lambda c: c.set_vlan_state('lab1', '1', state='suspend'), 'default VLAN'),
    (lambda c: c.faults('lab1', latency='slow'), 'bad fault setting'),
    (lambda c: c.faults('lab1', latency=-1), 'latency must be a finite number >= 0'),
    (lambda c: c.faults('lab1', latency='nan'), 'latency must be a finite number >= 0'),
    (lambda c: c.faults('lab1', stall=True, drop_after=-2), 'drop_after must be'),
    (lambda c: c._call('/switches/lab1/frobnicate', {}), 'no such resource'),
    (lambda c: c._call('/switches/lab1/journal?since=-1'), 'whole number'),
])
def test_bad_control_requests_get_clear_errors_and_change_nothing(untouched_simulator, call,
                                                                 message):
    _, control = untouched_simulator
    with pytest.raises(ControlError, match=message):
        call(control)
    assert control.journal('lab1') == []


@pytest.mark.parametrize('length', ['many', '-5'])
def test_a_bad_content_length_gets_a_clear_400(untouched_simulator, length):
    _, control = untouched_simulator
    url = urllib.parse.urlsplit(control.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.putrequest('POST', '/switches/lab1/vlans')
        connection.putheader('Content-Length', length)
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 400
        assert b'Content-Length must be a whole number' in response.read()
    finally:
        connection.close()
    assert control.journal('lab1') == []


@pytest.mark.parametrize('args, message', [
    (['--listen', 'nowhere'], 'is not [NAME=]HOST:PORT'),
    (['--fex', 'x'], 'not a list of ids'),
    (['--ports', '1/9-1'], 'runs backwards'),
    (['--listen', 'a=127.0.0.1:0', '--listen', 'a=127.0.0.1:0'], 'names must differ'),
])
def test_bad_arguments_are_refused(args, message):
    process = start(*args)
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 2
    assert message in errors


def test_host_key_dir_keeps_the_fingerprint_across_restarts(tmp_path):
    fingerprints = []
    for _ in range(2):
        process = start('--host-key-dir', str(tmp_path))
        ready, _ = read_ready(process, 1)
        fingerprints.append(ready['lab1'][1])
        stop(process)
    assert fingerprints[0] == fingerprints[1]
    assert (tmp_path / 'lab1.key').exists()


def test_a_host_key_file_that_is_no_key_is_refused(tmp_path):
    (tmp_path / 'lab1.key').write_text('not a key\n')
    process = start('--host-key-dir', str(tmp_path))
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 2
    assert 'does not hold an SSH private key' in errors


def test_nxapi_front_ends_print_their_urls_and_certificate_fingerprint():
    process = start('--listen', '127.0.0.1:0', '--listen', 'nine=127.0.0.1:0',
                    '--nxapi-http', 'nine=0', '--nxapi-https', 'nine=0')
    lines = [process.stdout.readline().split() for _ in range(5)]
    stop(process)
    assert [line[0] for line in lines] == ['ready', 'ready', 'nxapi', 'nxapi', 'control']
    (_, _, http_url), (_, name, https_url, fingerprint) = lines[2], lines[3]
    assert name == 'nine' and http_url.startswith('http://127.0.0.1:')
    assert https_url.startswith('https://127.0.0.1:') and https_url.endswith('/ins')
    assert fingerprint.startswith('SHA256:') and len(fingerprint) == 7 + 43
