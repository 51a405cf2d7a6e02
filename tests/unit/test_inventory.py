"""How the inventory connects to nova: no server needed."""

import pytest

from psvm_listener import conf
from psvm_listener import inventory


def test_postgresql_gives_up_connecting_after_ten_seconds_unless_told_otherwise():
    default = inventory.Inventory('postgresql+psycopg2://nova@192.0.2.1/nova')
    told = inventory.Inventory('postgresql+psycopg2://nova@192.0.2.1/nova?connect_timeout=3')
    assert default.engine.url.query['connect_timeout'] == '10'
    assert told.engine.url.query['connect_timeout'] == '3'


def test_sqlite_file_is_opened_read_only():
    reader = inventory.Inventory('sqlite:////var/lib/nova/nova.sqlite')
    assert reader.engine.url.database == 'file:/var/lib/nova/nova.sqlite?mode=ro'
    assert reader.engine.url.query['uri'] == 'true'


@pytest.mark.parametrize('url', ['not a url', 'nosuchdb://nova:secret@h/nova',
                                 'mysql+nosuchdriver://nova:secret@h/nova'])
def test_unusable_url_is_a_config_error_naming_the_option_not_the_password(url):
    with pytest.raises(conf.ConfigError, match='nova.connection') as raised:
        inventory.Inventory(url)
    assert 'secret' not in str(raised.value)


@pytest.mark.parametrize('url', [None, ''])
def test_unset_connection_names_the_option_and_what_to_set(url):
    with pytest.raises(conf.ConfigError) as raised:
        inventory.Inventory(url)
    assert str(raised.value).startswith(
        'option nova.connection is not set: set [nova] connection to the SQLAlchemy URL of '
        "nova's database")


def test_errors_name_the_sqlite_file_as_configured(tmp_path):
    reader = inventory.Inventory(f'sqlite:///{tmp_path}/missing.sqlite')
    with pytest.raises(inventory.NovaUnavailable) as raised:
        reader.vlans_by_host(['h1'])
    assert f'cannot read the nova database sqlite:///{tmp_path}/missing.sqlite: ' \
        in str(raised.value)
