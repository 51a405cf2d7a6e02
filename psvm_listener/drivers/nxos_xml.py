"""NX-OS NETCONF forms the Nexus driver sends and the CLI text it reads back.

Requests follow DESIGN.md §6: configuration goes inside
``<configure><__XML__MODE__exec_configure>``; reads are CLI ``show`` commands
whose reply ``<data>`` holds the running-config text.  Nothing here does I/O.
"""

import datetime
import re

from lxml import etree

from psvm_listener import ports
from psvm_listener import vlans
from psvm_listener.drivers import steps

LIF_COMMAND = 'show spanning-tree internal info global'
VERSION_COMMAND = 'show version'
VLAN_COMMAND = 'show vlan brief'
EVERY_INTERFACE_COMMAND = 'show running-config interface'

_INTERFACE_MODES = {
    'ethernet': '__XML__MODE_if-ethernet-switch',
    'port-channel': '__XML__MODE_if-eth-port-channel-switch',
}
_LIF_USAGE = re.compile(r'^\s*Total ports\*vlans\s*:\s*(\d+)', re.M)
_LIF_LIMIT = re.compile(r'^\s*Max ports\*vlans\s*:\s*(\d+)', re.M)
_INTERFACE = re.compile(r'^interface\s+(\S+)\s*$', re.I)
_LAST_NUMBER = re.compile(r'^(.*?)(\d+)$')
_TRUNK = re.compile(r'^\s*switchport mode trunk\s*$', re.M)
_ACTIVE_VLAN_ROW = re.compile(r'^(\d{1,4})\s+\S+\s+active\s', re.M)
_LAST_RESET = re.compile(r'^\s*Last reset at \d+ usecs after\s+(.+?)\s*$', re.M)
_UPTIME = re.compile(r'^\s*Kernel uptime is (\d+) day\(s\), (\d+) hour\(s\), '
                     r'(\d+) minute\(s\), (\d+) second\(s\)', re.M)


class UnreadableReply(ValueError):
    """Reply text without what the command should have printed."""


def show_interfaces_command(names):
    """One ``show running-config interface`` for many ports, as ranges.

    NX-OS takes a comma-separated list with ranges of the last number:
    ``ethernet1/1-48,ethernet101/1/1-48,port-channel20``.
    """
    groups = {}
    for name in names:
        prefix, number = _LAST_NUMBER.match(name).groups()
        groups.setdefault(prefix, []).append(int(number))
    items = [prefix + (str(low) if low == high else f'{low}-{high}')
             for prefix, numbers in groups.items() for low, high in vlans.ranges(numbers)]
    return 'show running-config interface ' + ','.join(items)


def interface_configs(text):
    """{port: its running-config lines} for each ``interface`` block in ``text``."""
    configs, current = {}, None
    for line in text.splitlines():
        match = _INTERFACE.match(line)
        if match:
            current = ports.normalise(match.group(1))
            configs[current] = []
        elif current is not None and line[:1].isspace():
            configs[current].append(line)
        elif line.strip():
            current = None
    return {port: '\n'.join(lines) for port, lines in configs.items()}


def is_trunk(config):
    """Does a port's running-config put it in trunk mode?"""
    return bool(_TRUNK.search(config))


def vlan_database(text):
    """The VLANs of ``show vlan brief`` that carry traffic (status active):
    those a port's logical interfaces count.  A suspended or shut VLAN costs
    nothing until the driver creates it again, active and up."""
    return frozenset(int(vlan) for vlan in _ACTIVE_VLAN_ROW.findall(text))


def boot_time(text, now):
    """When the switch booted, from ``show version``: its "Last reset at" line
    (exact: the same for every read until the next reload), else ``now``
    less its kernel uptime; None when it prints neither."""
    reset = _LAST_RESET.search(text)
    if reset:
        try:
            return datetime.datetime.strptime(' '.join(reset.group(1).split()),
                                              '%a %b %d %H:%M:%S %Y')
        except ValueError:
            pass
    uptime = _UPTIME.search(text)
    if not uptime:
        return None
    days, hours, minutes, seconds = map(int, uptime.groups())
    return now - datetime.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def lif_figures(text):
    """(usage, limit or None) from ``show spanning-tree internal info global``."""
    usage = _LIF_USAGE.search(text)
    if not usage:
        raise UnreadableReply(f'no "Total ports*vlans" line in the reply to {LIF_COMMAND!r}')
    limit = _LIF_LIMIT.search(text)
    return int(usage.group(1)), int(limit.group(1)) if limit else None


def edit_config(plan, max_items, max_chars):
    """The ``<config>`` that applies ``plan`` (steps.plan_steps), all in this one
    document; VLANs are created active and not shut."""
    config = etree.Element('config')
    mode = etree.SubElement(etree.SubElement(config, 'configure'), '__XML__MODE__exec_configure')
    for step in steps.plan_steps(plan, max_items, max_chars):
        if step.verb == 'create':
            create = _sub(mode, 'vlan', 'vlan-id-create-delete')
            _sub(create, '__XML__PARAM_value').text = step.vlans
            _active_and_up(_sub(create, '__XML__MODE_vlan'))
        elif step.verb == 'replace':
            _allowed(mode, step.port, 'vlan_id').text = step.vlans
        else:
            _allowed(mode, step.port, step.verb, f'{step.verb}-vlans').text = step.vlans
    return config


def _active_and_up(vlan_mode):
    """``state active`` and ``no shutdown``, as the 2014 driver configured them: a VLAN
    an operator suspended or shut passes no traffic, even where a port allows it."""
    _sub(vlan_mode, 'state', 'vstate').text = 'active'
    _sub(vlan_mode, 'no', 'shutdown')


def _sub(parent, *names):
    for name in names:
        parent = etree.SubElement(parent, name)
    return parent


def _allowed(mode, port, *names):
    kind = ports.kind(port)
    interface = _sub(mode, 'interface', kind)
    _sub(interface, 'interface').text = ports.number(port)
    return _sub(interface, _INTERFACE_MODES[kind], 'switchport', 'trunk', 'allowed', 'vlan',
                *names)
