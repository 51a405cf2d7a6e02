"""JSON schemas of request bodies, shared by validation and the OpenAPI document.

They say what the database layer will accept, so that bad input is refused
with a 400 naming the field before it reaches a table (the database layer
checks again, and its errors map to the same 400).
"""

import ipaddress

import jsonschema

from psvm_listener import ports
from psvm_listener.db import models

# Printable text: no control characters, and not only blanks.
TEXT_PATTERN = r'^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$'
HOST_KEY_PATTERN = r'^SHA256:[A-Za-z0-9+/]{43}=?$'
VLAN_LIST_PATTERN = r'^\s*(all|none|[0-9][0-9,\s-]*)?\s*$'
MAX_ID = 2 ** 31 - 1

ID = {'type': 'integer', 'minimum': 1, 'maximum': MAX_ID}
TEXT = {'type': 'string', 'minLength': 1, 'maxLength': models.NAME_LENGTH,
        'pattern': TEXT_PATTERN}
OPTIONAL_TEXT = {'anyOf': [TEXT, {'type': 'null'}]}
IP = {'type': 'string', 'format': 'ip-address', 'minLength': 2, 'maxLength': 64,
      'description': 'IPv4 or IPv6 address of the switch'}
TCP_PORT = {'type': 'integer', 'minimum': 1, 'maximum': 65535}
HOST_KEY = {'anyOf': [{'type': 'string', 'pattern': HOST_KEY_PATTERN},
                      {'type': 'null'}],
            'description': 'an SSH host key fingerprint as "ssh-keygen -lf" prints it '
                           "(for NX-API the TLS certificate's, SHA256:<base64>), or null"}
DRIVER = {'anyOf': [TEXT, {'type': 'null'}],
          'description': 'entry point name of the switch driver (psvm_listener.drivers), '
                         'or null for [DEFAULT] psvm_driver'}
SWITCH_PORT = {'type': 'string', 'format': 'switch-port', 'minLength': 1,
               'maxLength': 64,
               'description': 'ethernet1/19, ethernet101/1/7 (FEX) or port-channel20, in any '
                              'form NX-OS takes (e100/1/1, Eth1/19, po20); stored and '
                              'returned normalised: e100/1/1 is returned as ethernet100/1/1'}

# The seed's object layer coerced ids, so its clients send "2" as well as 2;
# the database layer turns the digits into the integer (and checks the range).
ID_DIGITS_PATTERN = '^[0-9]{1,10}$'
ID_IN_BODY = {'anyOf': [ID, {'type': 'string', 'pattern': ID_DIGITS_PATTERN}],
              'description': 'an id: an integer, or its digits as a string'}
# As the seed showed them: UTC, ISO 8601 without a zone, with microseconds.
DATE_TIME = {'type': 'string', 'pattern': r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$',
             'description': 'UTC time, as the seed showed it: 2012-10-01T18:50:27.781065'}
OPTIONAL_DATE_TIME = {'anyOf': [DATE_TIME, {'type': 'null'}]}
OPTIONAL_STRING = {'anyOf': [{'type': 'string'}, {'type': 'null'}]}
OPTIONAL_COUNT = {'anyOf': [{'type': 'integer', 'minimum': 0}, {'type': 'null'}]}
VLAN_LIST = {'anyOf': [{'type': 'string', 'maxLength': 20000,
                        'pattern': VLAN_LIST_PATTERN},
                       {'type': 'null'}],
             'description': 'an NX-OS VLAN list ("100-3000")'}


def create_body(record):
    """``{singular: {...}}`` with every required field."""
    return _body(record, {'required': list(record.required)})


def update_body(record):
    """``{singular: {...}}`` that changes at least one field, any of them."""
    return _body(record, {'minProperties': 1})


def _body(record, rule):
    inner = {'type': 'object', 'properties': record.schemas,
             'additionalProperties': False, **rule}
    return {'type': 'object', 'properties': {record.singular: inner},
            'required': [record.singular], 'additionalProperties': False}


PATTERN_ERRORS = {
    TEXT_PATTERN: 'contains control characters or only blanks',
    HOST_KEY_PATTERN: 'is not an SSH host key fingerprint (SHA256: and 43 base64 '
                      'characters)',
    ID_DIGITS_PATTERN: 'must be an id: an integer, or its digits as a string',
    VLAN_LIST_PATTERN: 'is not an NX-OS VLAN list ("all", "none" or "10,20-30")',
}
FORMATS = jsonschema.FormatChecker(formats=())
FORMAT_ERRORS = {
    'ip-address': 'is not an IPv4 or IPv6 address',
    'switch-port': 'is not a switch port; expected ethernet1/19, ethernet101/1/7 '
                   '(FEX) or port-channel20',
}


@FORMATS.checks('ip-address', raises=ValueError)
def _is_ip_address(value):
    return not isinstance(value, str) or bool(ipaddress.ip_address(value))


@FORMATS.checks('switch-port', raises=ports.InvalidPortName)
def _is_switch_port(value):
    return not isinstance(value, str) or bool(ports.normalise(value))


class InvalidBody(ValueError):
    """The body does not match its schema; the message names the field."""

    def __init__(self, message, field):
        super().__init__(message)
        self.field = field


def validate(schema, document):
    """Raise InvalidBody for the most relevant error in ``document``."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=FORMATS)
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return
    field = _field_of(error)
    raise InvalidBody(f'{field or "body"}: {_describe(error)}', field)


def _field_of(error):
    path = [str(p) for p in error.absolute_path]
    if error.validator == 'required':
        missing = error.message.split("'")[1]
        path.append(missing)
    elif error.validator == 'additionalProperties':
        extra = sorted(set(error.instance) - set(error.schema.get('properties', {})))
        path.append(extra[0] if extra else '')
    return '.'.join(path)


def _describe(error):
    """What is wrong, from the rule alone: never the value, which may be a
    password (jsonschema's own messages repeat it)."""
    rule = error.validator_value
    described = {
        'type': lambda: f'must be of type {_types(rule)}',
        'minimum': lambda: f'must be at least {rule}',
        'maximum': lambda: f'must be at most {rule}',
        'minLength': lambda: f'must have at least {rule} characters',
        'maxLength': lambda: f'is longer than {rule} characters',
        'pattern': lambda: PATTERN_ERRORS[rule],
        'format': lambda: FORMAT_ERRORS[rule],
        'anyOf': lambda: (f'must be {error.schema["description"]}'
                          if 'description' in error.schema else 'has the wrong type or form'),
        'required': lambda: 'is required',
        'additionalProperties': lambda: 'is not a field that can be set here',
        'minProperties': lambda: 'must set at least one field',
    }.get(error.validator)
    return described() if described else f'does not satisfy {error.validator}'


def _types(rule):
    return ' or '.join(rule) if isinstance(rule, list) else rule
