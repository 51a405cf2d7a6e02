import pytest

from psvm_listener import plan
from psvm_listener.drivers import nxos_cli


def test_a_plan_is_config_commands_interface_said_once_per_run():
    the_plan = plan.Plan(
        changes=(plan.PortChange('port-channel20', replace=frozenset({1, 5})),
                 plan.PortChange('ethernet101/1/7', add=frozenset({7}), remove=frozenset({8}))),
        create=frozenset({5, 7}))
    assert nxos_cli.conf_commands(the_plan, 64, 512) == [
        'vlan 5,7', 'state active', 'no shutdown', 'exit',
        'interface port-channel20', 'switchport trunk allowed vlan 1,5',
        'interface ethernet101/1/7', 'switchport trunk allowed vlan add 7',
        'switchport trunk allowed vlan remove 8']


def test_long_lists_are_chunked_and_an_empty_replace_is_none():
    odd = frozenset(range(1, 200, 2))
    the_plan = plan.Plan(changes=(plan.PortChange('ethernet1/1', replace=frozenset()),
                                  plan.PortChange('ethernet1/2', add=odd)))
    commands = nxos_cli.conf_commands(the_plan, 40, 1000)
    assert commands[:2] == ['interface ethernet1/1', 'switchport trunk allowed vlan none']
    adds = [c for c in commands if c.startswith('switchport trunk allowed vlan add')]
    assert [len(c.split()[-1].split(',')) for c in adds] == [40, 40, 20]


def test_ins_api_request_joins_commands_with_space_semicolon():
    request = nxos_cli.ins_api('cli_conf', ['interface e1/1', 'exit'], rollback='x')['ins_api']
    assert request['input'] == 'interface e1/1 ;exit' and request['rollback'] == 'x'
    assert request['type'] == 'cli_conf' and request['output_format'] == 'json'


def test_outputs_one_or_many_and_the_first_failure():
    one = {'ins_api': {'outputs': {'output': {'code': '200', 'body': 'text'}}}}
    assert nxos_cli.outputs(one) == [{'code': '200', 'body': 'text'}]
    failed = {'ins_api': {'outputs': {'output': [
        {'code': '200', 'body': {}},
        {'code': '400', 'input': 'frob', 'clierror': "% Invalid command at '^' marker.\n"}]}}}
    with pytest.raises(nxos_cli.CommandFailed, match="'frob': % Invalid command"):
        nxos_cli.outputs(failed)
    with pytest.raises(nxos_cli.CommandFailed, match='not an ins_api reply'):
        nxos_cli.outputs({'error': 'x'})
