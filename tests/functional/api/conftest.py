import pytest

from tests.functional.api import serving


@pytest.fixture
def api(db_url, tmp_path):
    """psvm-api with auth_strategy noauth on loopback, over each database."""
    options = serving.config(tmp_path, auth_strategy='noauth')
    with serving.running(options, db_url, tmp_path) as running_api:
        yield running_api
