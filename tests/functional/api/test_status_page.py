"""The /status page in a real browser (Debian's chromium, headless, through
chromedriver): it needs a login, then shows the lab's switches as their last
sync recorded them, with a bar of LIF usage against the limit."""

import logging
import urllib.parse

import pytest
import requests
from oslo_policy import opts as policy_opts
from selenium import webdriver
from selenium.webdriver.chrome import service as chrome_service
from selenium.webdriver.common.by import By

from nexus_sim import LabSwitch
from psvm_listener import pending_plans
from tests import sync_rig
from tests.functional.api import serving

CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
BROWSER_FLAGS = ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                 '--disable-background-networking', '--disable-extensions',
                 '--disable-component-update', '--disable-default-apps', '--no-first-run',
                 '--disable-sync', '--metrics-recording-only', '--mute-audio')


@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    """One headless chromium for the module: each test's psvm-api has a port,
    so an origin, of its own, and no login is remembered across tests.

    The login goes in the URL the browser opens, which selenium logs at
    DEBUG: its logger stays at INFO, or the test's own login would count as
    a password leaked to a log (tests/log_guard.py)."""
    selenium_log = logging.getLogger('selenium')
    level = selenium_log.level
    selenium_log.setLevel(logging.INFO)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp('chromium')
    for flag in (*BROWSER_FLAGS, f'--user-data-dir={profile}'):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=chrome_service.Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    selenium_log.setLevel(level)


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    """Two lab switches synced once by the real plugin (which records LIF usage,
    result and drift), and psvm-api with http_basic over the same database;
    one for the module, as the browser is."""
    tmp_path = tmp_path_factory.mktemp('lab')
    with LabSwitch(users={'admin': 'secret'}, ports='1/1-4') as first, \
            LabSwitch(users={'admin': 'secret'}, ports='1/1-4') as second, \
            sync_rig.Rig(tmp_path, first) as rig:
        rig.host('c1', 'ethernet1/1', vlans=(120, 121))
        rig.host('c2', 'ethernet1/2', vlans=(130,))
        second_id = rig.add_switch(second)
        rig.host('c3', 'ethernet1/3', vlans=(140,), switch_id=second_id)
        rig.sync()
        rig.plugin.sync(second_id)
        options = serving.config(tmp_path, auth_strategy='http_basic',
                                 http_basic_auth_user_file=serving.write_htpasswd(
                                     tmp_path, [serving.ADMIN]))
        options.set_override('psvm_lif_limit', 32000)
        with serving.running(options, rig.conf.database.connection, tmp_path) as api:
            yield rig, second, second_id, api, tmp_path


def with_login(url, user, password):
    parts = urllib.parse.urlsplit(url)
    return parts._replace(netloc=f'{user}:{password}@{parts.netloc}').geturl()


def test_status_page_needs_a_login(lab, browser):
    """Through localhost, an origin of its own: the browser remembers the login
    the other tests give 127.0.0.1."""
    _, _, _, api, _ = lab
    elsewhere = api.url.replace('127.0.0.1', 'localhost')
    browser.get(with_login(elsewhere + '/status', 'admin', 'wrong-password'))
    assert not browser.find_elements(By.ID, 'switches')
    browser.get(elsewhere + '/status')
    assert not browser.find_elements(By.ID, 'switches')
    reply = requests.get(api.url + '/status', timeout=30)
    assert reply.status_code == 401
    assert reply.headers['WWW-Authenticate'] == 'Basic realm="psvm"'


def test_status_page_shows_every_lab_switch_with_its_lif_bar(lab, browser):
    rig, second, second_id, api, _ = lab
    recorded = {s['id']: s for s in rig.database.list_switches()}

    browser.get(with_login(api.url + '/status', *serving.ADMIN))
    assert browser.title == 'psvm-listener status'
    rows = {int(row.get_attribute('data-switch-id')): row
            for row in browser.find_elements(By.CSS_SELECTOR, '#switches tr.switch')}
    assert sorted(rows) == sorted([rig.switch_id, second_id])
    for switch_id, switch in ((rig.switch_id, rig.switch), (second_id, second)):
        cells = [cell.text for cell in rows[switch_id].find_elements(By.TAG_NAME, 'td')]
        ip, port = switch.address
        assert cells[1] == f'{ip}:{port}'
        meter = rows[switch_id].find_element(By.TAG_NAME, 'meter')
        usage = recorded[switch_id]['lif_usage']
        assert usage > 0
        assert int(meter.get_attribute('value')) == usage
        assert int(meter.get_attribute('max')) == 32000
        assert meter.size['width'] > 0
        assert f'{usage:,} / 32,000' in cells[3]
        assert cells[5].startswith('ok: changed ')
    first = [cell.text for cell in rows[rig.switch_id].find_elements(By.TAG_NAME, 'td')]
    assert first[2] == '2'
    assert first[6] == str(recorded[rig.switch_id]['drift'])
    assert browser.find_element(By.ID, 'summary').text.startswith(
        '2 switches, 3 bound ports, 0 with refused plans pending')


def test_status_page_shows_the_pending_plans_from_their_table(lab, browser):
    """A refused sync's plan shows in its switch's row while pending, and not
    once discarded, though the switch's last sync result still tells of it."""
    rig, _, second_id, api, _ = lab
    rig.conf.set_override('psvm_max_removal_ratio', 0.1)
    rig.nova.delete_network(rig.network(120))
    plan_id = rig.sync().pending_plan
    assert plan_id is not None

    browser.get(with_login(api.url + '/status', *serving.ADMIN))
    row = browser.find_element(By.CSS_SELECTOR, f'tr.switch[data-switch-id="{rig.switch_id}"]')
    cells = [cell.text for cell in row.find_elements(By.TAG_NAME, 'td')]
    assert cells[5].startswith('refused: would remove 1 of ')
    assert cells[7].startswith(f'plan {plan_id} (ethernet1/1, ethernet1/2): would remove 1 of ')
    other = browser.find_element(By.CSS_SELECTOR, f'tr.switch[data-switch-id="{second_id}"]')
    assert other.find_elements(By.TAG_NAME, 'td')[7].text == ''
    assert browser.find_element(By.ID, 'summary').text.startswith(
        '2 switches, 3 bound ports, 1 with refused plans pending')

    pending_plans.discard(rig.database, plan_id)
    browser.get(with_login(api.url + '/status', *serving.ADMIN))
    assert not browser.find_elements(By.CSS_SELECTOR, '.pending-plan')
    assert browser.find_element(By.ID, 'summary').text.startswith(
        '2 switches, 3 bound ports, 0 with refused plans pending')
    assert f'pending plan {plan_id}' in rig.database.get_switch(rig.switch_id)[
        'last_sync_result']


def test_status_page_follows_the_policy(lab):
    rig, _, _, _, tmp_path = lab
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"psvm:status:show": "role:nobody"\n')
    api_options = serving.config(tmp_path, auth_strategy='http_basic',
                                 http_basic_auth_user_file=str(tmp_path / 'htpasswd'))
    for group, opts in policy_opts.list_opts():
        api_options.register_opts(opts, group=group)
    api_options.set_override('policy_file', str(policy_file), 'oslo_policy')
    with serving.running(api_options, rig.conf.database.connection, tmp_path) as denied:
        reply = requests.get(denied.url + '/status', auth=serving.ADMIN, timeout=30)
    assert reply.status_code == 403
    assert 'policy does not allow the status page' in reply.text
