"""The lab switch's NX-API over real HTTP and HTTPS, with requests as a client would."""

import json
import ssl

import pytest
import requests

from nexus_sim import LabSwitch
from nexus_sim import tls
from nexus_sim.tests.functional.conftest import connect
from nexus_sim.tests.functional.conftest import running_config_filter
from nexus_sim.tests.readback import allowed_from_config
from nexus_sim.vlans import ALL


@pytest.fixture
def switch():
    with LabSwitch(ports='1/1-8', fex=(101,), port_channels=(20,), lif_limit=2000,
                   nxapi_http_port=0, nxapi_https_port=0) as switch:
        yield switch


@pytest.fixture
def session(switch):
    with requests.Session() as session:
        session.auth = ('admin', 'secret')
        session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides verify=False
        session.verify = False
        yield session


def ins(session, url, kind, commands, **extra):
    request = dict({'version': '1.0', 'type': kind, 'chunk': '0', 'sid': '1',
                    'input': ' ;'.join(commands), 'output_format': 'json'}, **extra)
    reply = session.post(url, json={'ins_api': request}, timeout=10)
    assert reply.status_code == 200, reply.text
    output = reply.json()['ins_api']['outputs']['output']
    return output if isinstance(output, list) else [output]


def rpc(session, url, *calls):
    batch = [{'jsonrpc': '2.0', 'method': method, 'params': {'cmd': cmd, 'version': 1},
              'id': index} for index, (method, cmd) in enumerate(calls, 1)]
    reply = session.post(url, data=json.dumps(batch), timeout=10,
                         headers={'Content-Type': 'application/json-rpc'})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_basic_login_then_the_nxapi_auth_cookie(switch):
    url = switch.nxapi_url('http')
    with requests.Session() as session:
        assert session.post(url, json={}, timeout=10).status_code == 401
        assert session.post(url, json={}, auth=('admin', 'wrong'), timeout=10).status_code == 401
        first = session.post(url, auth=('admin', 'secret'), timeout=10, json={'ins_api': {
            'version': '1.0', 'type': 'cli_show_ascii', 'input': 'show vlan brief'}})
        assert first.status_code == 200 and 'nxapi_auth' in session.cookies
        assert ins(session, url, 'cli_show_ascii', ['show vlan brief'])[0]['code'] == '200'
        switch.faults.refuse_auth = True
        assert session.post(url, json={}, timeout=10).status_code == 401


def test_https_serves_the_printed_certificate_and_verifies_against_it(switch, tmp_path):
    host, port = switch.nxapi['https'].address
    der = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate((host, port)))
    assert tls.fingerprint(der) == switch.tls_fingerprint
    bundle = tmp_path / 'ca.pem'
    bundle.write_bytes(switch.tls.pem())
    with requests.Session() as session:
        session.auth, session.verify = ('admin', 'secret'), str(bundle)
        session.trust_env = False
        (output,) = ins(session, switch.nxapi_url(), 'cli_show', ['show vlan brief'])
        assert output['code'] == '200'
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(switch.nxapi_url(), json={}, timeout=10)


def test_cli_conf_runs_commands_in_their_modes(switch, session):
    outputs = ins(session, switch.nxapi_url(), 'cli_conf', [
        'vlan 10-12', 'state active', 'no shutdown', 'exit',
        'interface ethernet1/1-2', 'switchport trunk allowed vlan 10-11',
        'switchport trunk allowed vlan add 12', 'interface po20',
        'switchport trunk allowed vlan none', 'interface e101/1/7',
        'switchport trunk allowed vlan except 1-3000'])
    assert [output['code'] for output in outputs] == ['200'] * 11
    assert switch.allowed('ethernet1/2') == {10, 11, 12}
    assert switch.allowed('port-channel20') == frozenset()
    assert switch.allowed('ethernet101/1/7') == frozenset(range(3001, 4095))
    assert {entry['source'] for entry in switch.journal()} == {'nxapi'}


def test_a_failing_command_stops_the_rest_and_says_which(switch, session):
    outputs = ins(session, switch.nxapi_url(), 'cli_conf', [
        'interface ethernet1/1', 'switchport trunk allowed vlan 10', 'frobnicate',
        'switchport trunk allowed vlan add 11'])
    assert [output['code'] for output in outputs] == ['200', '200', '400']
    assert outputs[2]['input'] == 'frobnicate'
    assert outputs[2]['msg'] == 'Input CLI command error'
    assert outputs[2]['clierror'].startswith("% Invalid command at '^' marker.")
    assert switch.allowed('ethernet1/1') == {10}


def test_rollback_on_error_applies_nothing(switch, session):
    outputs = ins(session, switch.nxapi_url(), 'cli_conf', [
        'interface ethernet1/1', 'switchport trunk allowed vlan 10',
        'interface ethernet9/9', 'switchport trunk allowed vlan 11'],
        rollback='rollback-on-error')
    assert outputs[-1]['code'] == '400' and 'ethernet9/9' in outputs[-1]['clierror']
    assert switch.allowed('ethernet1/1') is ALL and switch.journal() == []


@pytest.mark.parametrize('command, message', [
    ('switchport trunk allowed vlan add ' + ','.join(str(v) for v in range(2, 300, 2)),
     'more than the 64'),
    ('switchport trunk allowed vlan add 4000', 'reserved'),
    ('switchport trunk allowed vlan add 5000', 'VLAN ids run 1-4094'),
])
def test_the_same_limits_as_netconf(switch, session, command, message):
    outputs = ins(session, switch.nxapi_url(), 'cli_conf', ['interface e1/1', command])
    assert outputs[1]['code'] == '400' and message in outputs[1]['clierror']
    assert switch.allowed('ethernet1/1') is ALL


def test_the_lif_limit_refuses_a_command(switch, session):
    outputs = ins(session, switch.nxapi_url(), 'cli_conf', ['vlan 2-100'])
    assert outputs[0]['code'] == '400' and 'logical interface limit' in outputs[0]['clierror']
    assert switch.vlans() == {1}


def test_cli_show_gives_nxapi_tables(switch, session):
    switch.set_allowed('ethernet1/1', {10, 11, 12})
    switch.set_vlan_state({11}, state='suspend')
    one, many, brief, text_only = ins(session, switch.nxapi_url(), 'cli_show', [
        'show interface ethernet1/1 switchport', 'show interface switchport',
        'show vlan brief', 'show spanning-tree internal info global'])
    assert one['body']['TABLE_interface']['ROW_interface']['trunk_vlans'] == '10-12'
    rows = many['body']['TABLE_interface']['ROW_interface']
    assert len(rows) == 8 + 48 + 1 and rows[1]['trunk_vlans'] == '1-4094'
    assert rows[-1]['interface'] == 'port-channel20'
    states = {row['vlanshowbr-vlanid']: row['vlanshowbr-vlanstate']
              for row in brief['body']['TABLE_vlanbriefxbrief']['ROW_vlanbriefxbrief']}
    assert states == {1: 'active', 11: 'suspend'}
    assert (text_only['code'], text_only['msg']) == ('501', 'Structured output unsupported')


def test_cli_show_ascii_gives_the_cli_text(switch, session):
    switch.set_allowed('ethernet1/1', set(range(100, 1300, 2)))
    config, usage = ins(session, switch.nxapi_url(), 'cli_show_ascii', [
        'show running-config interface ethernet1/1-2',
        'show spanning-tree internal info global'])
    assert allowed_from_config(config['body'].split('interface Ethernet1/2')[0]) == set(
        range(100, 1300, 2))
    assert f'Total ports*vlans : {switch.lif_usage()}' in usage['body']


def test_json_rpc_runs_a_batch_in_order_and_stops_at_the_first_error(switch, session):
    answers = rpc(session, switch.nxapi_url(), ('cli', 'interface e1/3'),
                  ('cli', 'switchport trunk allowed vlan 30'),
                  ('cli_ascii', 'show running-config interface e1/3'),
                  ('cli', 'show interface e1/3 switchport'),
                  ('cli', 'switchport trunk allowed vlan add 4095'),
                  ('cli', 'switchport trunk allowed vlan add 31'))
    assert [answer['id'] for answer in answers] == [1, 2, 3, 4, 5]
    assert answers[0]['result'] is None and answers[1]['result'] is None
    assert 'switchport trunk allowed vlan 30' in answers[2]['result']['msg']
    assert answers[3]['result']['body']['TABLE_interface']['ROW_interface'][
        'trunk_vlans'] == '30'
    assert answers[4]['error']['code'] == -32602
    assert 'VLAN ids run 1-4094' in answers[4]['error']['data']['msg']
    assert switch.allowed('ethernet1/3') == {30}


def test_json_rpc_protocol_errors(switch, session):
    url = switch.nxapi_url()
    (answer,) = rpc(session, url, ('frob', 'show vlan brief'))
    assert answer['error']['code'] == -32601
    reply = session.post(url, data='[{', headers={'Content-Type': 'application/json-rpc'},
                         timeout=10)
    assert reply.json()['error']['code'] == -32700


@pytest.mark.parametrize('body, status', [
    ({'ins_api': {'type': 'cli_frob', 'input': 'show vlan brief'}}, 400),
    ({'nothing': 1}, 400),
    ({'ins_api': {'type': 'cli_show', 'input': 'show vlan brief', 'output_format': 'xml'}},
     400),
])
def test_bad_ins_api_requests_are_refused_whole(switch, session, body, status):
    assert session.post(switch.nxapi_url(), json=body, timeout=10).status_code == status


def test_faults_reach_nxapi_too(switch, session):
    url = switch.nxapi_url()
    switch.faults.fail_next_edits(1)
    (output,) = ins(session, url, 'cli_conf', ['vlan 10'])
    assert output['code'] == '400' and 'injected fault' in output['clierror']
    assert switch.vlans() == {1}
    switch.faults.drop_after(0)
    with pytest.raises(requests.exceptions.ConnectionError):
        ins(session, url, 'cli_conf', ['vlan 10'])
    assert switch.vlans() == {1}
    assert ins(session, url, 'cli_conf', ['vlan 10'])[0]['code'] == '200'
    assert switch.rpc_counts()['cli_conf'] == 3  # the dropped one counts, as on NETCONF


def test_one_switch_model_behind_netconf_and_nxapi(switch, session):
    ins(session, switch.nxapi_url('http'), 'cli_conf',
        ['interface e1/5', 'switchport trunk allowed vlan 50'])
    with connect(switch.address) as netconf:
        text = netconf.get(filter=running_config_filter('ethernet1/5')).data_xml
    assert allowed_from_config(text) == {50}
    switch.set_allowed('ethernet1/6', {60})
    (output,) = ins(session, switch.nxapi_url('https'), 'cli_show_ascii',
                    ['show running-config interface ethernet1/6'])
    assert allowed_from_config(output['body']) == {60}
