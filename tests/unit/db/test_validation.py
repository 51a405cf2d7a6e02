import datetime

import pytest

from psvm_listener import errors as psvm_errors
from psvm_listener import ports
from psvm_listener.db import api
from psvm_listener.db import errors

FINGERPRINT = 'SHA256:' + 'A' * 43


def checked(kind, values, creating=True):
    return api._checked(kind, values, creating=creating)


def test_switch_gets_defaults_and_canonical_ip():
    values = checked(api.SWITCH, {'ip': ' 2001:DB8:0:0::1 ', 'switch_cred_id': 3})
    assert values == {'ip': '2001:db8::1', 'switch_cred_id': 3, 'port': 22}


def test_binding_port_is_stored_normalised():
    values = checked(api.BINDING, {'switch_id': 1, 'compute_node_id': 2,
                                   'switch_port': 'Eth101/1/7'})
    assert values['switch_port'] == 'ethernet101/1/7'


@pytest.mark.parametrize('kind, values, field', [
    (api.SWITCH, {'ip': '10.0.0.256', 'switch_cred_id': 1}, 'ip'),
    (api.SWITCH, {'ip': 'switch1', 'switch_cred_id': 1}, 'ip'),
    (api.SWITCH, {'ip': 10, 'switch_cred_id': 1}, 'ip'),
    (api.SWITCH, {'ip': 'fe80::1%' + 'a' * 60, 'switch_cred_id': 1}, 'ip'),
    (api.SWITCH, {'ip': '10.0.0.1', 'switch_cred_id': 1, 'description': 'a\x00b'},
     'description'),
    (api.CREDENTIAL, {'user_name': 'admin\n', 'password': 'x'}, 'user_name'),
    (api.CREDENTIAL, {'user_name': 'admin', 'password': 'x\x00'}, 'password'),
    (api.SWITCH, {'ip': '10.0.0.1', 'switch_cred_id': 1, 'port': 0}, 'port'),
    (api.SWITCH, {'ip': '10.0.0.1', 'switch_cred_id': 1, 'port': 65536}, 'port'),
    (api.SWITCH, {'ip': '10.0.0.1', 'switch_cred_id': 1, 'port': '22'}, 'port'),
    (api.SWITCH, {'ip': '10.0.0.1', 'switch_cred_id': True}, 'switch_cred_id'),
    (api.SWITCH, {'ip': '10.0.0.1'}, 'switch_cred_id'),
    (api.SWITCH, {'ip': '10.0.0.1', 'switch_cred_id': 1, 'host_key': 'ssh-rsa AAAA'},
     'host_key'),
    (api.SWITCH, {'ip': '10.0.0.1', 'switch_cred_id': 1, 'description': 'x' * 256},
     'description'),
    (api.SWITCH, {'ip': '10.0.0.1', 'switch_cred_id': 1, 'lif_usage': 5}, 'lif_usage'),
    (api.SWITCH, {'ip': '10.0.0.1', 'switch_cred_id': 1, 'driver': 'nxapi'}, 'driver'),
    (api.SWITCH, {'ip': '10.0.0.1', 'switch_cred_id': 1, 'id': 5}, 'id'),
    (api.CREDENTIAL, {'user_name': '', 'password': 'x'}, 'user_name'),
    (api.CREDENTIAL, {'user_name': 'admin', 'password': None}, 'password'),
    (api.CREDENTIAL, {'user_name': 'admin'}, 'password'),
    (api.BINDING, {'switch_id': 1, 'compute_node_id': -1, 'switch_port': 'e1/1'},
     'compute_node_id'),
    (api.BINDING, {'switch_id': 1, 'compute_node_id': 1, 'switch_port': 'gi0/1'},
     'switch_port'),
])
def test_bad_values_are_refused_naming_the_field(kind, values, field):
    with pytest.raises(errors.Invalid) as raised:
        checked(kind, values)
    assert raised.value.field == field
    assert field in str(raised.value)
    assert isinstance(raised.value, psvm_errors.Permanent)


def test_update_needs_no_required_fields_but_checks_what_is_given():
    assert checked(api.SWITCH, {'description': 'rack 4'}, creating=False) == {
        'description': 'rack 4'}
    with pytest.raises(errors.Invalid, match='created_at'):
        checked(api.BINDING, {'created_at': datetime.datetime(2020, 1, 1)}, creating=False)


def test_bad_port_name_is_both_invalid_and_an_invalid_port_name():
    with pytest.raises(ports.InvalidPortName):
        checked(api.BINDING, {'switch_id': 1, 'compute_node_id': 1, 'switch_port': 'vlan10'})


def test_fingerprint_as_ssh_keygen_prints_it_is_accepted():
    values = checked(api.SWITCH, {'ip': '10.0.0.1', 'switch_cred_id': 1,
                                  'host_key': FINGERPRINT})
    assert values['host_key'] == FINGERPRINT


def test_every_error_is_typed_for_the_caller():
    for error in (errors.NotFound, errors.Duplicate, errors.InUse,
                  errors.InvalidReference, errors.Invalid, errors.SchemaMissing,
                  errors.SchemaUnknown,
                  errors.CredentialKeyMissing, errors.CredentialKeyMismatch):
        assert issubclass(error, psvm_errors.Permanent)
        assert error('message', field='ip').field == 'ip'
    assert issubclass(errors.Unavailable, psvm_errors.RetryLater)
