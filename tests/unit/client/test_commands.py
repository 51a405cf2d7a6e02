import io
from importlib import metadata

import pytest

from psvm_listener.client import commands
from psvm_listener.cmd import client


def test_every_record_has_the_five_verbs_and_plans_their_four():
    assert sorted(commands.COMMANDS) == sorted(
        [f'{noun} {verb}' for noun in ('credential', 'switch', 'binding')
         for verb in ('list', 'show', 'create', 'set', 'delete')]
        + [f'plan {verb}' for verb in ('list', 'show', 'approve', 'discard')])


def test_openstackclient_entry_points_name_every_command():
    points = {e.name: e.value for e in metadata.entry_points(group='openstack.psvm.v2')}
    assert {name.replace('psvm_', '', 1).replace('_', ' '): target.split(':')[1]
            for name, target in points.items()} == {
        name: cls.__name__ for name, cls in commands.COMMANDS.items()}
    for target in points.values():
        assert getattr(commands, target.split(':')[1]).__module__ == commands.__name__


def parsed(argv):
    app = client.PsvmApp()
    command_class, name, args = app.command_manager.find_command(argv)
    command = command_class(app, None, cmd_name=' '.join(name))
    return command, command.get_parser('psvm').parse_args(args)


@pytest.mark.parametrize('argv, fields', [
    (['switch', 'create', '--ip', '192.0.2.1', '--credential', '3', '--port', '830'],
     {'ip': '192.0.2.1', 'switch_cred_id': 3, 'port': 830}),
    (['binding', 'create', '--switch', '1', '--compute-node', '2', '--switch-port', 'po20'],
     {'switch_id': 1, 'compute_node_id': 2, 'switch_port': 'po20'}),
])
def test_options_become_api_fields(argv, fields):
    command, args = parsed(argv)
    assert commands.record_options.values(args, command.record, creating=True) == fields


def test_create_requires_the_required_options():
    app = client.PsvmApp()
    command_class, name, _ = app.command_manager.find_command(['switch', 'create'])
    parser = command_class(app, None).get_parser('psvm')
    with pytest.raises(SystemExit):
        parser.parse_args(['--ip', '192.0.2.1'])


def test_password_from_stdin_loses_a_windows_line_end(monkeypatch):
    command, args = parsed(['credential', 'create', '--user-name', 'admin',
                            '--password-stdin'])
    monkeypatch.setattr('sys.stdin', io.StringIO('s3cret\r\n'))
    assert commands.record_options.values(args, command.record, creating=True) == {
        'user_name': 'admin', 'password': 's3cret'}
