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
            'description': 'SSH host key fingerprint as "ssh-keygen -lf" prints it'}
SWITCH_PORT = {'type': 'string', 'format': 'switch-port', 'minLength': 1,
               'maxLength': 64,
               'description': 'ethernet1/19, ethernet101/1/7 (FEX) or port-channel20'}

CREDENTIAL_FIELDS = {'user_name': TEXT, 'password': TEXT}
SWITCH_FIELDS = {'ip': IP, 'switch_cred_id': ID, 'port': TCP_PORT,
                 'host_key': HOST_KEY, 'description': OPTIONAL_TEXT}
BINDING_FIELDS = {'switch_id': ID, 'compute_node_id': ID, 'switch_port': SWITCH_PORT}


def body(key, fields, required):
    """``{key: {...}}``: a create body (``required`` fields) or, with none
    required, an update body that must change at least one field."""
    inner = {'type': 'object', 'properties': fields, 'additionalProperties': False}
    if required:
        inner['required'] = list(required)
    else:
        inner['minProperties'] = 1
    return {'type': 'object', 'properties': {key: inner}, 'required': [key],
            'additionalProperties': False}


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
    """jsonschema's message, without echoing an over-long value back."""
    if error.validator == 'maxLength':
        return f'is longer than {error.validator_value} characters'
    if error.validator == 'pattern':
        return 'contains control characters or only blanks, or has the wrong form'
    if error.validator == 'format':
        return FORMAT_ERRORS[error.validator_value]
    if error.validator == 'anyOf':
        return 'has the wrong type or form'
    if error.validator == 'required':
        return 'is required'
    if error.validator == 'additionalProperties':
        return 'is not a field that can be set here'
    return error.message[:200]
