"""Switch port names: accept what operators type, store what NX-OS prints.

``Eth1/19``, ``e1/19`` and ``ethernet1/19`` are one port; stored and sent
to the switch as ``ethernet1/19``.  FEX host ports are ``ethernet101/1/7``
and port-channels ``port-channel20`` (``po20``).
"""

import functools
import re


class InvalidPortName(ValueError):
    """A name that is not an NX-OS ethernet, FEX or port-channel interface."""


_ETHERNET = re.compile(r'^(?:e|eth|ethernet)\s*(\d+/\d+(?:/\d+)?)$')
_PORT_CHANNEL = re.compile(r'^(?:po|port-channel)\s*(\d+)$')


def normalise(name):
    """The canonical NX-OS spelling of a port name, or InvalidPortName."""
    if not isinstance(name, str):
        raise InvalidPortName(f'port name must be a string, not {name!r}')
    return _normalised(name)


@functools.lru_cache(maxsize=16384)
def _normalised(name):
    """Kept per name: a full sync reads every port's name off every switch,
    the same few thousand names each time."""
    text = name.strip().lower()
    match = _ETHERNET.match(text)
    if match and _numbers_valid(match.group(1)):
        return f'ethernet{match.group(1)}'
    match = _PORT_CHANNEL.match(text)
    if match and 1 <= int(match.group(1)) <= 4096:
        return f'port-channel{int(match.group(1))}'
    raise InvalidPortName(
        f'{name!r} is not a switch port; expected ethernet1/19, '
        f'ethernet101/1/7 (FEX) or port-channel20')


def _numbers_valid(path):
    return all(part.isdigit() and not (len(part) > 1 and part[0] == '0')
               and 0 < int(part) < 1000 for part in path.split('/'))


def kind(port):
    """'port-channel' or 'ethernet', for a normalised name."""
    return 'port-channel' if port.startswith('port-channel') else 'ethernet'


def number(port):
    """The part after the kind: '1/19', '101/1/7', '20'."""
    return port[len(kind(port)):]
