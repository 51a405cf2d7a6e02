import pytest

from psvm_listener import records
from psvm_listener.api import schemas

SWITCH = schemas.create_body(records.SWITCH)


def refusal(schema, document):
    with pytest.raises(schemas.InvalidBody) as raised:
        schemas.validate(schema, document)
    return raised.value


@pytest.mark.parametrize('fields, field, words', [
    ({'ip': '192.0.2.1', 'switch_cred_id': 1, 'speed': 10}, 'psvm.speed', 'not a field'),
    ({'ip': '192.0.2.1'}, 'psvm.switch_cred_id', 'is required'),
    ({'ip': 'switch-7', 'switch_cred_id': 1}, 'psvm.ip', 'not an IPv4 or IPv6'),
    ({'ip': '192.0.2.1', 'switch_cred_id': 1.5}, 'psvm.switch_cred_id', 'must be an id'),
    ({'ip': '192.0.2.1', 'switch_cred_id': 'two'}, 'psvm.switch_cred_id', 'must be an id'),
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
    schemas.validate(schemas.create_body(records.BINDING), {'psvmpbind': {
        'switch_id': 1, 'compute_node_id': 2, 'switch_port': 'po20'}})


def test_update_needs_one_field_but_none_in_particular():
    schemas.validate(schemas.update_body(records.SWITCH), {'psvm': {'port': 830}})
    assert refusal(schemas.update_body(records.SWITCH), {'psvm': {}}).field == 'psvm'


@pytest.mark.parametrize('text', ['', ' \t', 'a\nb', 'nul\x00'])
def test_text_must_be_printable_and_not_blank(text):
    error = refusal(schemas.create_body(records.CREDENTIAL),
                    {'psvmcred': {'user_name': text, 'password': 'p'}})
    assert error.field == 'psvmcred.user_name'


def test_ids_may_be_digit_strings_as_the_seed_sent_them():
    schemas.validate(SWITCH, {'psvm': {'ip': '2.3.4.5', 'switch_cred_id': '2'}})
    schemas.validate(schemas.create_body(records.BINDING), {'psvmpbind': {
        'switch_id': '1', 'compute_node_id': '1', 'switch_port': 'e100/1/1'}})


@pytest.mark.parametrize('password', [['hunter2-secret'], {'x': 'hunter2-secret'}, 7,
                                      'hunter2-secret' * 30, 'hunter2-secret\x00'])
def test_a_refused_password_is_never_repeated(password):
    error = refusal(schemas.create_body(records.CREDENTIAL),
                    {'psvmcred': {'user_name': 'admin', 'password': password}})
    assert error.field == 'psvmcred.password'
    assert 'hunter2' not in str(error) and '7' not in str(error).split(':', 1)[1]


def _rules(schema, key):
    if isinstance(schema, dict):
        if key in schema and isinstance(schema[key], str):
            yield schema[key]
        for value in schema.values():
            yield from _rules(value, key)
    elif isinstance(schema, list):
        for value in schema:
            yield from _rules(value, key)


@pytest.mark.parametrize('record', records.ALL, ids=lambda r: r.singular)
def test_every_pattern_and_format_of_a_body_has_its_own_words(record):
    """A refused value is described by its rule (never echoed): a rule without
    words would be a 500."""
    for body in (schemas.create_body(record), schemas.update_body(record)):
        assert set(_rules(body, 'pattern')) <= set(schemas.PATTERN_ERRORS)
        assert set(_rules(body, 'format')) <= set(schemas.FORMAT_ERRORS)


def test_a_bad_vlan_list_is_refused_in_words():
    refused = refusal(SWITCH, {'psvm': {'ip': '192.0.2.1', 'switch_cred_id': 1,
                                        'managed_vlans': '\x05\x03'}})
    assert refused.field == 'psvm.managed_vlans' and 'VLAN list' in str(refused)
