import pytest

from psvm_listener.api import resources
from psvm_listener.api import schemas

SWITCH = resources.SWITCH.create_schema


def refusal(schema, document):
    with pytest.raises(schemas.InvalidBody) as raised:
        schemas.validate(schema, document)
    return raised.value


@pytest.mark.parametrize('fields, field, words', [
    ({'ip': '192.0.2.1', 'switch_cred_id': 1, 'speed': 10}, 'psvm.speed', 'not a field'),
    ({'ip': '192.0.2.1'}, 'psvm.switch_cred_id', 'is required'),
    ({'ip': 'switch-7', 'switch_cred_id': 1}, 'psvm.ip', 'not an IPv4 or IPv6'),
    ({'ip': '192.0.2.1', 'switch_cred_id': 1.5}, 'psvm.switch_cred_id', 'integer'),
    ({'ip': '192.0.2.1', 'switch_cred_id': 1, 'port': 65536}, 'psvm.port', '65535'),
    ({'ip': '192.0.2.1', 'switch_cred_id': 1, 'description': 'd' * 300},
     'psvm.description', 'longer than 255'),
])
def test_refusals_name_the_field(fields, field, words):
    error = refusal(SWITCH, {'psvm': fields})
    assert error.field == field
    assert str(error).startswith(f'{field}: ')
    assert words in str(error)


def test_an_over_long_value_is_not_echoed_back():
    error = refusal(SWITCH, {'psvm': {'ip': '192.0.2.1', 'switch_cred_id': 1,
                                      'description': 'secret' * 100}})
    assert 'secret' not in str(error)


def test_accepts_ipv6_and_port_aliases():
    schemas.validate(SWITCH, {'psvm': {'ip': '2001:db8::7', 'switch_cred_id': 3,
                                       'host_key': None, 'description': None}})
    schemas.validate(resources.BINDING.create_schema, {'psvmpbind': {
        'switch_id': 1, 'compute_node_id': 2, 'switch_port': 'po20'}})


def test_update_needs_one_field_but_none_in_particular():
    schemas.validate(resources.SWITCH.update_schema, {'psvm': {'port': 830}})
    assert refusal(resources.SWITCH.update_schema, {'psvm': {}}).field == 'psvm'


@pytest.mark.parametrize('text', ['', ' \t', 'a\nb', 'nul\x00'])
def test_text_must_be_printable_and_not_blank(text):
    error = refusal(resources.CREDENTIAL.create_schema,
                    {'psvmcred': {'user_name': text, 'password': 'p'}})
    assert error.field == 'psvmcred.user_name'
