import logging
import os

import hypothesis
import pytest
import sqlalchemy as sa

from nexus_sim import LabSwitch
from psvm_listener.lab import nova
from tests import databases
from tests import log_guard
from tests import messaging
from tests import sync_rig

# Property-based runs (hypothesis, schemathesis) are replayable: in CI
# (CI=true) every run draws the same examples, derived from each test's
# name; elsewhere a failure prints the blob that replays it
# (@reproduce_failure), and pytest --hypothesis-seed=N replays a whole run.
hypothesis.settings.register_profile('ci', derandomize=True, print_blob=True)
hypothesis.settings.register_profile('dev', print_blob=True)
hypothesis.settings.load_profile(os.environ.get(
    'HYPOTHESIS_PROFILE', 'ci' if os.environ.get('CI') else 'dev'))


@pytest.fixture(scope='session', autouse=True)
def no_pool_left_on_the_broker():
    """psvm's pool queues are durable: each test's would stay on the shared
    broker for good."""
    yield
    messaging.delete_pools()


@pytest.fixture(autouse=True)
def no_password_in_any_log(tmp_path_factory):
    """Fail the test if a password the suite uses reached a log, at any level:
    the root logger records DEBUG during the test (a service run with
    debug = True logs that much), not just the WARNING it would otherwise pass."""
    recorder = log_guard.Recorder()
    since = log_guard.now()
    root = logging.getLogger()
    level = root.level
    root.addHandler(recorder)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(recorder)
        root.setLevel(level)
    leaked = log_guard.leaks(recorder.lines, tmp_path_factory.getbasetemp(), since)
    assert not leaked, f'passwords in the logs: {leaked}'


@pytest.fixture(params=databases.KINDS)
def db_url(request, tmp_path):
    """URL of a fresh empty database; each test runs on SQLite, MariaDB and
    PostgreSQL."""
    with databases.fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope='session', autouse=True)
def started_lab_switches():
    """Every lab switch this test process starts, recorded as it starts."""
    started = []
    start = LabSwitch.start

    def recording_start(switch):
        started.append(switch)
        return start(switch)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LabSwitch, 'start', recording_start)
        yield started


@pytest.fixture(autouse=True)
def no_two_sessions_edit_a_lab_switch_at_once(started_lab_switches):
    """Fail the test if two sessions ever edited one lab switch at once (each
    between its read and its edit-config: two psvm processes, or two sessions
    of one, on one switch), on every lab switch started in this process,
    however the test made it; those stopped are let go after the check."""
    yield
    clashes = [(switch.name, switch.concurrent_edits()) for switch in started_lab_switches]
    started_lab_switches[:] = [s for s in started_lab_switches if not s.stopped()]
    clashes = [(name, pairs) for name, pairs in clashes if pairs]
    assert not clashes, f'sessions editing one lab switch at once: {clashes}'


@pytest.fixture
def lab_switch():
    """A started lab Nexus switch (admin:secret; ports 1/1-48, FEX 101-102,
    port-channel20) on NETCONF and NX-API over HTTPS; stopped after the test."""
    with LabSwitch(users={'admin': 'secret'}, ports='1/1-48', fex=(101, 102),
                   port_channels=(20,), nxapi_https_port=0) as switch:
        yield switch


@pytest.fixture(params=sync_rig.FAMILIES, ids=lambda family: family.driver)
def family(request):
    """Each switch family (driver) in turn: NETCONF over SSH, NX-API over HTTPS."""
    return request.param


@pytest.fixture(scope='module', params=databases.KINDS)
def module_nova_url(request, tmp_path_factory):
    """One lab nova database (Icehouse schema) per kind of database for a
    whole module: creating the schema on MariaDB or PostgreSQL took longer
    than most of the tests that read it."""
    with databases.fresh_database(request.param, tmp_path_factory.mktemp('nova')) as url:
        nova.create_schema(url)
        yield url


@pytest.fixture
def nova_url(module_nova_url):
    """The module's lab nova database, every row of an earlier test deleted."""
    engine = sa.create_engine(module_nova_url)
    try:
        with engine.begin() as conn:
            for table in reversed(nova.metadata().sorted_tables):
                conn.execute(table.delete())
    finally:
        engine.dispose()
    return module_nova_url


@pytest.fixture
def nova_lab(nova_url):
    """A lab nova database (Icehouse schema, empty) on each kind of database."""
    lab = nova.NovaLab(nova_url)
    yield lab
    lab.close()
