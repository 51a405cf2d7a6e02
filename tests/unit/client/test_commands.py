import io

import pytest

from psvm_listener.client import commands
from psvm_listener.cmd import client


def test_every_noun_has_the_five_verbs():
    assert sorted(commands.commands()) == sorted(
        f'{noun} {verb}' for noun in ('cred', 'switch', 'bind')
        for verb in ('list', 'show', 'create', 'set', 'delete'))


@pytest.mark.parametrize('argv, fields', [
    (['switch', 'create', '--ip', '192.0.2.1', '--cred', '3', '--port', '830'],
     {'ip': '192.0.2.1', 'switch_cred_id': 3, 'port': 830}),
    (['bind', 'create', '--switch', '1', '--compute-node', '2', '--port', 'po20'],
     {'switch_id': 1, 'compute_node_id': 2, 'switch_port': 'po20'}),
])
def test_options_become_api_fields(argv, fields):
    app = client.PsvmApp()
    command_class, name, args = app.command_manager.find_command(argv)
    command = command_class(app, None, cmd_name=' '.join(name))
    parsed = command.get_parser('psvm').parse_args(args)
    assert commands._fields(parsed, command.noun) == fields


def test_create_requires_the_required_options():
    app = client.PsvmApp()
    command_class, name, _ = app.command_manager.find_command(['switch', 'create'])
    parser = command_class(app, None).get_parser('psvm')
    with pytest.raises(SystemExit):
        parser.parse_args(['--ip', '192.0.2.1'])


def test_password_from_stdin_loses_a_windows_line_end(monkeypatch):
    app = client.PsvmApp()
    command_class, name, args = app.command_manager.find_command(
        ['cred', 'create', '--user-name', 'admin', '--password-stdin'])
    command = command_class(app, None, cmd_name=' '.join(name))
    parsed = command.get_parser('psvm').parse_args(args)
    monkeypatch.setattr('sys.stdin', io.StringIO('s3cret\r\n'))
    assert commands._fields(parsed, command.noun) == {'user_name': 'admin',
                                                      'password': 's3cret'}
