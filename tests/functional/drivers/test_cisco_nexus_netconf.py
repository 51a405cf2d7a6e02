"""The NETCONF driver against the lab switch over real SSH: sessions, keys, errors."""

import socket
import sys
import threading
import time

import paramiko
import pytest

from nexus_sim import LabSwitch
from psvm_listener import plan
from psvm_listener import vlans
from psvm_listener.drivers import base
from psvm_listener.drivers import cisco_nexus_netconf
from psvm_listener.drivers import host_keys
from psvm_listener.drivers import netconf_session
from psvm_listener.lab.scenario import wait_until
from tests import sync_rig

FEX_AND_CHANNEL = ('ethernet1/1', 'ethernet101/1/7', 'ethernet102/1/48', 'port-channel20')


def driver_for(switch, password='secret', host_key='pinned', driver_class=None, **options):
    conf = sync_rig.make_conf(**{f'switches.{k}': v for k, v in options.items()})
    ip, port = switch.address
    login = base.Login(ip, port, 'admin', password,
                       switch.fingerprint if host_key == 'pinned' else host_key)
    return (driver_class or cisco_nexus_netconf.CiscoNexusNetconfDriver)(conf, login)


@pytest.fixture
def driver(lab_switch):
    driver = driver_for(lab_switch)
    yield driver
    driver.close()


def test_one_read_gives_every_port_and_the_lif_figures(lab_switch, driver):
    lab_switch.set_allowed('ethernet101/1/7', {1, 10, 20})
    lab_switch.set_allowed('port-channel20', set())
    reading = driver.read(FEX_AND_CHANNEL)
    assert reading.allowed == {'ethernet1/1': vlans.ALL,
                               'ethernet101/1/7': {1, 10, 20},
                               'ethernet102/1/48': vlans.ALL,
                               'port-channel20': frozenset()}
    assert (reading.lif_usage, reading.lif_limit) == (lab_switch.lif_usage(), 32000)
    assert lab_switch.rpc_counts() == {'exec-command': 1} and driver.rpcs == 1


def test_one_edit_applies_fex_and_port_channel_changes_in_order(lab_switch, driver):
    lab_switch.set_allowed('ethernet101/1/7', {1, 10, 20})
    the_plan = plan.make_plan(
        {'ethernet1/1': frozenset({30}), 'ethernet101/1/7': frozenset({10, 40}),
         'port-channel20': frozenset({40})},
        driver.read(['ethernet1/1', 'ethernet101/1/7', 'port-channel20']).allowed,
        frozenset({1}))
    driver.apply(the_plan)
    assert lab_switch.allowed('ethernet1/1') == {1, 30}
    assert lab_switch.allowed('ethernet101/1/7') == {1, 10, 40}
    assert lab_switch.allowed('port-channel20') == {1, 40}
    ops = [entry['op'] for entry in lab_switch.journal() if entry['source'] == 'netconf']
    assert ops == ['vlan-create', 'vlan-activate', 'vlan-no-shutdown', 'set', 'set', 'add',
                   'remove']
    assert lab_switch.rpc_counts()['edit-config'] == 1


def test_vlans_it_adds_are_active_and_not_shut_so_they_pass_traffic(lab_switch, driver):
    lab_switch.set_vlan_state({30}, state='suspend')
    lab_switch.set_vlan_state({40}, shutdown=True)
    actual = driver.read(['ethernet1/1']).allowed
    driver.apply(plan.make_plan({'ethernet1/1': frozenset({30, 40})}, actual, frozenset({1})))
    assert lab_switch.allowed('ethernet1/1') == {1, 30, 40}
    assert lab_switch.passing('ethernet1/1') == {1, 30, 40}


def test_lists_longer_than_the_device_takes_are_chunked_in_one_edit():
    odd = frozenset(range(101, 1101, 2))
    with LabSwitch(ports='1/1-2') as switch:
        driver = driver_for(switch)
        driver.apply(plan.make_plan({'ethernet1/2': odd}, {'ethernet1/2': vlans.ALL}))
        assert switch.allowed('ethernet1/2') == odd
        assert switch.rpc_counts() == {'edit-config': 1}
        driver.apply(plan.make_plan({'ethernet1/2': frozenset()}, {'ethernet1/2': odd}))
        assert switch.allowed('ethernet1/2') == frozenset()
        assert driver.read(['ethernet1/2']).allowed == {'ethernet1/2': frozenset()}
        driver.close()


def test_session_is_kept_between_calls(lab_switch, driver):
    driver.read(['ethernet1/1'])
    driver.read(['ethernet1/1'])
    assert lab_switch.sessions() == 1


def test_the_session_socket_sends_without_waiting_for_acks(lab_switch, driver):
    """TCP_NODELAY: no large read waits for the switch's delayed ACK."""
    driver.read(['ethernet1/1'])
    sock = driver._manager.ssh_session.transport.sock
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def selecting_for(thread):
    """The timeout of the select() ``thread`` waits in, or None."""
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        if frame.f_code.co_name == 'select' and 'timeout' in frame.f_locals:
            return frame.f_locals['timeout']
        frame = frame.f_back
    return None


def test_an_idle_session_looks_for_work_rarely_yet_answers_and_closes_at_once(
        lab_switch, driver):
    """Its two threads wait IDLE_WAKEUP (not ncclient's and paramiko's 0.1 s)
    between looks: an idle listener's 40 sessions cost it 4 ms of CPU a
    second, not 50.  A reply or a close still wakes them."""
    driver.read(['ethernet1/1'])
    session = driver._manager.ssh_session
    assert session.transport.sock.gettimeout() >= 1
    wait_until(lambda: selecting_for(session) is not None, 5, 'the reader waits')
    assert selecting_for(session) >= 1
    started = time.monotonic()
    assert driver.read(['ethernet1/1']).allowed == {'ethernet1/1': vlans.ALL}
    driver.close()
    wait_until(lambda: not session.is_alive(), 1, 'the reader ended')
    assert time.monotonic() - started < netconf_session.IDLE_WAKEUP
    wait_until(lambda: not session.transport.is_alive(), 2 * netconf_session.IDLE_WAKEUP,
               'the transport thread ended')


def test_broken_session_is_reopened_once(lab_switch, driver):
    driver.read(['ethernet1/1'])
    lab_switch.reboot()
    assert driver.read(['ethernet1/1']).allowed == {'ethernet1/1': vlans.ALL}


def test_wrong_password_is_a_clear_permanent_error(lab_switch):
    driver = driver_for(lab_switch, password='wrong')
    with pytest.raises(base.AuthenticationFailed,
                       match="refused user 'admin': wrong user name or password"):
        driver.read(['ethernet1/1'])
    assert 'wrong' not in repr(driver.login)


def test_wrong_pinned_host_key_is_refused_before_login(lab_switch):
    other = 'SHA256:' + 'A' * 43
    driver = driver_for(lab_switch, host_key=other)
    with pytest.raises(base.HostKeyMismatch, match=f'not its pinned key {other}'):
        driver.read(['ethernet1/1'])
    assert lab_switch.rpc_counts() == {}


def test_unknown_host_key_is_refused_without_trust_on_first_use(lab_switch):
    with pytest.raises(base.HostKeyMismatch, match='unknown host key SHA256:'):
        driver_for(lab_switch, host_key=None).read(['ethernet1/1'])


def test_trust_on_first_use_records_the_key_then_holds_to_it(lab_switch, tmp_path):
    known_hosts = tmp_path / 'known_hosts'
    options = {'known_hosts_file': str(known_hosts), 'trust_on_first_use': True}
    driver = driver_for(lab_switch, host_key=None, **options)
    driver.read(['ethernet1/1'])
    driver.close()
    ip, port = lab_switch.address
    recorded = paramiko.HostKeys(str(known_hosts)).lookup(f'[{ip}]:{port}')
    assert [host_keys.fingerprint(k) for k in recorded.values()] == [lab_switch.fingerprint]
    lab_switch.stop()
    with LabSwitch(port=port) as impostor:
        with pytest.raises(base.HostKeyMismatch, match='not the key known_hosts file'):
            driver_for(impostor, host_key=None, **options).read(['ethernet1/1'])


def test_unreachable_switch_is_retry_later(lab_switch):
    driver = driver_for(lab_switch)
    lab_switch.stop()
    with pytest.raises(base.Unreachable):
        driver.read(['ethernet1/1'])


def test_stalled_switch_times_out(lab_switch, driver):
    driver.read(['ethernet1/1'])
    # The read before the stall must answer within the bound even on a busy
    # machine; 2 s is generous for that and still short to wait out.
    stalled = driver_for(lab_switch, rpc_timeout=2.0, max_sessions=2)
    stalled.read(['ethernet1/1'])
    lab_switch.faults.stall = True
    try:
        with pytest.raises(base.Timeout, match='did not answer within 2 s'):
            stalled.read(['ethernet1/1'])
    finally:
        lab_switch.faults.stall = False
        stalled.close()


def test_rejected_edit_is_permanent_and_names_the_reason(lab_switch, driver):
    with pytest.raises(base.Rejected, match='reserved for internal use'):
        driver.apply(plan.Plan(create=frozenset({4000})))


class _WatchedDriver(cisco_nexus_netconf.CiscoNexusNetconfDriver):
    """Tells the test when the switch first turned it away for want of sessions."""

    turned_away = None

    def _connect(self):
        try:
            return super()._connect()
        except base.SessionLimit:
            self.turned_away.set()
            raise


def test_session_limit_is_retried_with_backoff_until_a_session_frees():
    # The holder plays another tool on the switch: this process may open a
    # second session, the switch refuses it.
    with LabSwitch(max_sessions=1) as switch:
        holder = driver_for(switch)
        holder.read(['ethernet1/1'])
        with pytest.raises(base.SessionLimit, match='xml session exceeded max allowed'):
            driver_for(switch, busy_retry_seconds=0.2, max_sessions=2).read(['ethernet1/1'])
        waiting = driver_for(switch, driver_class=_WatchedDriver, max_sessions=2)
        waiting.turned_away = threading.Event()
        readings = []
        reader = threading.Thread(target=lambda: readings.append(waiting.read(['ethernet1/1'])))
        reader.start()
        assert waiting.turned_away.wait(10)
        holder.close()
        reader.join(10)
        assert readings and readings[0].allowed == {'ethernet1/1': vlans.ALL}
        waiting.close()


def test_a_stalled_switch_never_holds_more_than_max_sessions_of_ours(lab_switch):
    """Each timed-out read abandons its session before the next opens one;
    two drivers of one switch (one replaced after a login change) share the
    budget."""
    first = driver_for(lab_switch, rpc_timeout=0.5, connect_timeout=0.5,
                       busy_retry_seconds=0.0, max_sessions=1)
    second = driver_for(lab_switch, rpc_timeout=0.5, connect_timeout=0.5,
                        busy_retry_seconds=0.0, max_sessions=1)
    first.read(['ethernet1/1'])
    lab_switch.faults.stall = True
    address = lab_switch.address
    most = 0
    try:
        for _ in range(6):
            for driver in (first, second):
                with pytest.raises((base.Timeout, base.SessionLimit)):
                    driver.read(['ethernet1/1'])
                most = max(most, cisco_nexus_netconf.SESSIONS.held(address),
                           lab_switch.sessions())
    finally:
        lab_switch.faults.stall = False
    assert most <= 1
    assert second.read(['ethernet1/1']).allowed == {'ethernet1/1': vlans.ALL}
    with pytest.raises(base.SessionLimit, match=r'psvm already holds 1 sessions'):
        first.read(['ethernet1/1'])
    second.close()
    assert first.read(['ethernet1/1']).allowed == {'ethernet1/1': vlans.ALL}
    first.close()
    assert cisco_nexus_netconf.SESSIONS.held(address) == 0
