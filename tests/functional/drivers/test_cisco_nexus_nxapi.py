"""The NX-API driver against the lab switch over real HTTPS: TLS pins, login, errors."""

import pytest

from nexus_sim import LabSwitch
from nexus_sim import vlans as sim_vlans
from psvm_listener import plan
from psvm_listener import vlans
from psvm_listener.drivers import base
from psvm_listener.drivers import cisco_nexus_nxapi
from tests import sync_rig


def driver_for(switch, password='secret', pin='pinned', **options):
    conf = sync_rig.make_conf(**{f'switches.{k}': v for k, v in options.items()})
    ip, port = switch.nxapi['https'].address
    login = base.Login(ip, port, 'admin', password,
                       switch.tls_fingerprint if pin == 'pinned' else pin)
    return cisco_nexus_nxapi.CiscoNexusNxapiDriver(conf, login)


@pytest.fixture
def driver(lab_switch):
    driver = driver_for(lab_switch)
    yield driver
    driver.close()


def test_one_read_gives_every_port_and_the_lif_figures(lab_switch, driver):
    lab_switch.set_allowed('ethernet101/1/7', {1, 10, 20})
    lab_switch.set_allowed('port-channel20', set())
    reading = driver.read(['ethernet1/1', 'ethernet101/1/7', 'port-channel20'])
    assert reading.allowed == {'ethernet1/1': vlans.ALL, 'ethernet101/1/7': {1, 10, 20},
                               'port-channel20': frozenset()}
    assert (reading.lif_usage, reading.lif_limit) == (lab_switch.lif_usage(), 32000)
    assert lab_switch.rpc_counts() == {'cli_show_ascii': 1} and driver.rpcs == 1


def test_one_cli_conf_carries_the_plan_created_vlans_active(lab_switch, driver):
    lab_switch.set_vlan_state({40}, state='suspend')
    lab_switch.set_allowed('ethernet101/1/7', {1, 10, 20})
    odd = frozenset(range(101, 301, 2))  # 100 items: two chunks of at most 64
    the_plan = plan.make_plan(
        {'ethernet1/1': odd, 'ethernet101/1/7': frozenset({10, 40}),
         'port-channel20': frozenset({40})},
        driver.read(['ethernet1/1', 'ethernet101/1/7', 'port-channel20']).allowed,
        frozenset({1}))
    driver.apply(the_plan)
    assert lab_switch.allowed('ethernet1/1') == odd | {1}
    assert lab_switch.allowed('ethernet101/1/7') == {1, 10, 40}
    assert lab_switch.passing('ethernet101/1/7') == {1, 40}  # 40 made active; 10 never made
    assert lab_switch.allowed('port-channel20') == {1, 40}
    assert lab_switch.rpc_counts()['cli_conf'] == 1
    assert {entry['source'] for entry in lab_switch.journal()} == {'operator', 'nxapi'}


def test_a_rejected_change_names_the_command_and_applies_nothing(lab_switch, driver):
    the_plan = plan.make_plan({'ethernet1/2': frozenset({30}), 'ethernet1/99': frozenset({31})},
                              {'ethernet1/2': vlans.ALL, 'ethernet1/99': vlans.ALL})
    with pytest.raises(base.Rejected, match="rejected the change: 'interface ethernet1/99'"):
        driver.apply(the_plan)
    assert lab_switch.allowed('ethernet1/2') is sim_vlans.ALL and lab_switch.vlans() == {1}


def test_basic_login_once_then_the_cookie_and_again_after_a_reboot(lab_switch, driver):
    for _ in range(3):
        driver.read(['ethernet1/1'])
    front = lab_switch.nxapi['https']
    assert front.logins == 1
    lab_switch.reboot()
    assert driver.read(['ethernet1/1']).allowed == {'ethernet1/1': vlans.ALL}
    assert front.logins == 2


def test_a_wrong_pin_is_refused_before_any_request(lab_switch):
    other = LabSwitch(ports='1/1', nxapi_https_port=0)
    driver = driver_for(lab_switch, pin=other.tls_fingerprint)
    with pytest.raises(base.CertificateMismatch, match='TLS certificate refused'):
        driver.read(['ethernet1/1'])
    assert lab_switch.rpc_counts() == {} and lab_switch.nxapi['https'].logins == 0


@pytest.mark.parametrize('pin', ['SHA256:short', 'ab' * 32, 'MD5:' + 'A' * 43])
def test_a_pin_that_is_no_fingerprint_is_a_clear_error(lab_switch, pin):
    with pytest.raises(base.CertificateMismatch, match='is not a SHA-256 certificate'):
        driver_for(lab_switch, pin=pin).read(['ethernet1/1'])


def test_without_pin_or_ca_bundle_tls_is_refused_never_unverified(lab_switch):
    with pytest.raises(base.CertificateMismatch, match='refusing unverified TLS'):
        driver_for(lab_switch, pin=None).read(['ethernet1/1'])
    assert lab_switch.rpc_counts() == {}


def test_a_ca_bundle_verifies_a_switch_without_pin(lab_switch, tmp_path):
    bundle = tmp_path / 'ca.pem'
    bundle.write_bytes(lab_switch.tls.pem())
    driver = driver_for(lab_switch, pin=None, nxapi_ca_bundle=str(bundle))
    assert driver.read(['ethernet1/1']).allowed == {'ethernet1/1': vlans.ALL}
    driver.close()
    bundle.write_bytes(LabSwitch(ports='1/1', nxapi_https_port=0).tls.pem())
    with pytest.raises(base.CertificateMismatch):
        driver_for(lab_switch, pin=None, nxapi_ca_bundle=str(bundle)).read(['ethernet1/1'])


def test_wrong_password_is_a_clear_permanent_error(lab_switch):
    with pytest.raises(base.AuthenticationFailed, match="refused user 'admin'"):
        driver_for(lab_switch, password='wrong').read(['ethernet1/1'])


def test_unreachable_switch_is_retry_later(lab_switch):
    driver = driver_for(lab_switch, connect_timeout=2)
    lab_switch.stop()
    with pytest.raises(base.Unreachable):
        driver.read(['ethernet1/1'])


def test_stalled_switch_times_out(lab_switch, driver):
    driver.read(['ethernet1/1'])
    driver.options = sync_rig.make_conf(**{'switches.rpc_timeout': 1.0}).switches
    lab_switch.faults.stall = True
    try:
        with pytest.raises(base.Timeout, match='did not answer within 1 s'):
            driver.read(['ethernet1/1'])
    finally:
        lab_switch.faults.stall = False


def test_no_free_worker_is_retried_then_retry_later():
    with LabSwitch(ports='1/1', nxapi_https_port=0, max_sessions=0) as switch:
        driver = driver_for(switch, busy_retry_seconds=2.0)
        with pytest.raises(base.SessionLimit, match='no free worker'):
            driver.read(['ethernet1/1'])
        assert switch.rpc_counts()['cli_show_ascii'] > 1


def test_a_dropped_connection_is_reopened_once(lab_switch, driver):
    driver.read(['ethernet1/1'])
    lab_switch.faults.drop_after(0)
    assert driver.read(['ethernet1/1']).allowed == {'ethernet1/1': vlans.ALL}
    assert driver.rpcs == 3
