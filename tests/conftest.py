import pytest

from tests import databases


@pytest.fixture(params=databases.KINDS)
def db_url(request, tmp_path):
    """URL of a fresh empty database; each test runs on SQLite, MariaDB and
    PostgreSQL."""
    with databases.fresh_database(request.param, tmp_path) as url:
        yield url
