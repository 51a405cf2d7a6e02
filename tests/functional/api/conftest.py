import pytest

from tests import databases
from tests.functional.api import serving


@pytest.fixture
def api(db_url, tmp_path):
    """psvm-api with auth_strategy noauth on loopback, over each database."""
    options = serving.config(tmp_path, auth_strategy='noauth')
    with serving.running(options, db_url, tmp_path) as running_api:
        yield running_api


@pytest.fixture(scope='module', params=databases.KINDS)
def module_api(request, tmp_path_factory):
    """One psvm-api (noauth) per database for a whole module: starting and
    stopping a server for each test is most of such a test's time."""
    tmp_path = tmp_path_factory.mktemp('api')
    options = serving.config(tmp_path, auth_strategy='noauth')
    with serving.on_new_database(request.param, options, tmp_path) as running_api:
        yield running_api


@pytest.fixture
def empty_api(module_api):
    """The module's psvm-api, with no rows left by an earlier test."""
    module_api.forget_rows()
    return module_api
