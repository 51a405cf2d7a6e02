"""How the inventory connects to nova: no server needed."""

import pytest
import sqlalchemy as sa

from psvm_listener import conf
from psvm_listener import inventory
from psvm_listener.db import engines


class Captured(Exception):
    """Raised instead of connecting, with the DB-API keyword arguments."""


def connect_arguments(url, **timeouts):
    reader = inventory.Inventory(url, engines.Timeouts(**timeouts))

    def capture(dialect, record, cargs, cparams):
        raise Captured(cparams)
    sa.event.listen(reader.engine, 'do_connect', capture)
    with pytest.raises(Captured) as caught:
        reader.engine.connect()
    return caught.value.args[0]


@pytest.mark.parametrize('url, expected', [
    ('mysql+pymysql://nova@192.0.2.1/nova',
     {'connect_timeout': 3, 'read_timeout': 2.5, 'write_timeout': 2.5}),
    ('postgresql+psycopg2://nova@192.0.2.1/nova',
     {'connect_timeout': 3, 'options': '-c statement_timeout=2500', 'keepalives': 1,
      'tcp_user_timeout': 2500}),
])
def test_every_wait_on_the_nova_server_is_bounded(url, expected):
    arguments = connect_arguments(url, connect=3, query=2.5)
    assert expected.items() <= arguments.items()


def test_a_timeout_in_the_url_wins():
    arguments = connect_arguments('postgresql+psycopg2://nova@192.0.2.1/nova?connect_timeout=7',
                                  connect=3, query=2.5)
    assert arguments['connect_timeout'] == '7'


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
