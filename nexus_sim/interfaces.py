"""Interface names as NX-OS takes and prints them, written from the switch's behaviour.

The CLI takes any unambiguous abbreviation of the interface type, in any
case, with or without a space before the number: ``e1/19``, ``Eth 1/19``,
``ethernet1/19``; ``po20``, ``Port-Channel 20``.  Ethernet numbers are
slot/port, or fex/1/port for a fabric extender's host port (FEX ids
100-199), or slot/port/lane for a breakout lane.  The lab keeps
``ethernet1/19`` and ``port-channel20`` as its own spelling; running-config
and NX-API print ``Ethernet1/19`` and ``port-channel20``.
"""

import re

ETHERNET = 'ethernet'
PORT_CHANNEL = 'port-channel'
_SHORTEST = {ETHERNET: 1, PORT_CHANNEL: 2}
_NAME = re.compile(r'^([a-z-]+)\s*(\d[\d/]*)$')
FEX_IDS = range(100, 200)
PORT_CHANNEL_IDS = range(1, 4097)


class InvalidPortName(ValueError):
    """A name NX-OS would answer with "Invalid interface format"."""


def interface_type(word):
    """The interface type ``word`` abbreviates, or InvalidPortName."""
    for kind, shortest in _SHORTEST.items():
        if len(word) >= shortest and kind.startswith(word):
            return kind
    raise InvalidPortName(f'{word!r} is not an interface type this switch has '
                          '(ethernet, port-channel)')


def normalise(name):
    """The lab's spelling of ``name``: 'ethernet1/19', 'ethernet101/1/7', 'port-channel20'."""
    match = _NAME.match(str(name).strip().lower())
    if not match:
        raise InvalidPortName(f'Invalid interface format {name!r}')
    kind = interface_type(match.group(1))
    numbers = [int(part) if part.isdigit() else None for part in match.group(2).split('/')]
    if kind == PORT_CHANNEL:
        if len(numbers) != 1 or numbers[0] not in PORT_CHANNEL_IDS:
            raise InvalidPortName(f'Invalid interface {name!r}: port-channels are 1-4096')
    elif not _ethernet_numbers(numbers):
        raise InvalidPortName(f'Invalid interface {name!r}: expected slot/port, '
                              'fex/1/port or slot/port/lane')
    return kind + '/'.join(str(number) for number in numbers)


def _ethernet_numbers(numbers):
    if None in numbers or len(numbers) not in (2, 3) or 0 in numbers:
        return False
    if len(numbers) == 3 and numbers[0] in FEX_IDS:
        return numbers[1] == 1
    return numbers[0] not in FEX_IDS


def kind(port):
    return PORT_CHANNEL if port.startswith(PORT_CHANNEL) else ETHERNET


def number(port):
    """'1/19', '101/1/7', '20'."""
    return port[len(kind(port)):]


def fex_id(port):
    """The FEX a host port sits on, or None for the parent switch's own ports."""
    parts = number(port).split('/')
    return int(parts[0]) if kind(port) == ETHERNET and int(parts[0]) in FEX_IDS else None


def display_name(port):
    """How running-config and NX-API print a port: Ethernet1/19, port-channel20."""
    return 'Ethernet' + number(port) if kind(port) == ETHERNET else port
