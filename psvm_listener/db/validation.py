"""Checks on values before they reach a table, each failing with
errors.Invalid naming the field; returns the value as it is stored."""

import datetime
import ipaddress
import re

from psvm_listener import ports
from psvm_listener import vlans
from psvm_listener.db import errors
from psvm_listener.db import models

HOST_KEY = re.compile(r'^SHA256:[A-Za-z0-9+/]{43}=?$')
# PostgreSQL refuses NUL in text outright (a ValueError, not a database
# error); the API's schema refuses every control character, so does this.
CONTROL = re.compile(r'[\x00-\x1f\x7f]')
IP_LENGTH = models.Switch.__table__.c.ip.type.length


def text(field, value, max_length=models.NAME_LENGTH):
    """Printable text; the message never repeats the value (it may be a password)."""
    if not isinstance(value, str):
        raise errors.Invalid(f'{field} must be a string, not {type(value).__name__}',
                             field=field)
    if not value.strip():
        raise errors.Invalid(f'{field} must not be empty', field=field)
    if CONTROL.search(value):
        raise errors.Invalid(f'{field} must not contain control characters', field=field)
    if len(value) > max_length:
        raise errors.Invalid(
            f'{field} is longer than {max_length} characters', field=field)
    return value


def optional_text(field, value):
    return None if value is None else text(field, value)


def integer(field, value, minimum=1, maximum=2 ** 31 - 1):
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.Invalid(f'{field} must be an integer, not {value!r}', field=field)
    if not minimum <= value <= maximum:
        raise errors.Invalid(
            f'{field} must be between {minimum} and {maximum}, not {value}', field=field)
    return value


def ip(field, value):
    """An IPv4 or IPv6 address, stored in its compressed form."""
    try:
        address = str(ipaddress.ip_address(text(field, value).strip()))
    except ValueError:
        raise errors.Invalid(f'{field} {value!r} is not an IP address', field=field)
    if len(address) > IP_LENGTH:
        raise errors.Invalid(f'{field} is longer than {IP_LENGTH} characters', field=field)
    return address


def tcp_port(field, value):
    return integer(field, value, 1, 65535)


def host_key(field, value):
    """An OpenSSH SHA256 fingerprint as ``ssh-keygen -l`` prints it."""
    if value is None:
        return None
    if not isinstance(value, str) or not HOST_KEY.match(value.strip()):
        raise errors.Invalid(
            f'{field} {value!r} is not an SSH host key fingerprint; expected '
            f'SHA256: and 43 base64 characters, as "ssh-keygen -lf" prints it',
            field=field)
    return value.strip()


def vlan_list(field, value):
    """An NX-OS VLAN list, stored as NX-OS writes it; None (or '') for none set."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        parsed = vlans.parse(text(field, value))
    except vlans.InvalidVlanList as exc:
        raise errors.Invalid(f'{field} {value!r} is not a VLAN list: {exc}', field=field)
    return 'all' if parsed is vlans.ALL else vlans.format(parsed)


def driver(field, value):
    """The entry point name of an installed switch driver, or None (psvm_driver).

    The drivers are imported here, not with the module: the client declares
    its records through this module and installs none of the services'
    dependencies (stevedore, oslo.middleware), and only the database layer
    checks a driver's name."""
    if value is None:
        return None
    from psvm_listener import drivers
    known = drivers.names()
    if value not in known:
        raise errors.Invalid(f'{field} {value!r} is not a switch driver; known: '
                             f'{", ".join(known)}', field=field)
    return value


def switch_port(field, value):
    try:
        return ports.normalise(value)
    except ports.InvalidPortName as exc:
        raise errors.InvalidSwitchPort(f'{field}: {exc}', field=field)


def id_(field, value):
    """A row id; its digits as a string are taken too, as the seed's object
    layer coerced them ("2" is 2)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return integer(field, value)


def utc_time(field, value):
    """Naive UTC to the second, as every backend stores it; an aware time
    is converted, a naive one taken as UTC."""
    if not isinstance(value, datetime.datetime):
        raise errors.Invalid(f'{field} must be a datetime, not {value!r}', field=field)
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0)


def sync_result(field, value):
    """Free text from the reconciler, cut to fit rather than refused."""
    if not isinstance(value, str):
        raise errors.Invalid(f'{field} must be a string, not {value!r}', field=field)
    return value[:models.SYNC_RESULT_LENGTH]


def optional_count(field, value):
    return None if value is None else integer(field, value, 0)


def fields(kind, values, checks):
    """Check each of ``values`` with its entry in ``checks``; an unknown
    field is refused by name rather than ignored."""
    checked = {}
    for field, value in values.items():
        if field not in checks:
            raise errors.Invalid(
                f'{field!r} is not a field of a {kind} that can be set; '
                f'expected one of {", ".join(sorted(checks))}', field=field)
        checked[field] = checks[field](field, value)
    return checked
