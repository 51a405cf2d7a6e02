"""The CLI commands the lab switch answers, with output shaped like NX-OS 7.x on a 5K."""

import re
import time

from nexus_sim import interfaces as port_names
from nexus_sim import model
from nexus_sim import vlans as vlan_sets
from nexus_sim.vlans import ALL

VERSION = '7.3(0)N1(1)'


class CommandError(model.EditRejected):
    """A command the switch does not know, or one with a bad argument."""


class NoStructuredOutput(CommandError):
    """A command NX-API answers only as text (cli_show_ascii): code 501."""


def run(switch, command):
    """The output of one CLI command on ``switch`` (a LabSwitch-like object)."""
    words = command.split()
    text = ' '.join(words).lower()
    for pattern, answer in _COMMANDS:
        match = pattern.match(text)
        if match:
            return answer(switch, *match.groups())
    raise CommandError(f'Syntax error while parsing {command!r}: unknown command')


def _header(command):
    return (f'!Command: {command}\n!Time: {time.strftime("%a %b %d %H:%M:%S %Y")}\n\n'
            f'version {VERSION}\n')


class InterfaceRenderer:
    """Running-config blocks per port, cached while the port's VLAN set is unchanged.

    A VLAN set is an immutable frozenset, replaced on every change, so its
    identity tells whether the cached block is still true.  The switch
    renders a port again when it changes (``block`` right after the edit),
    so a read of the whole running-config only joins cached text.
    """

    def __init__(self):
        self._cache = {}

    def block(self, port, allowed):
        cached = self._cache.get(port)
        if cached is not None and cached[0] is allowed:
            return cached[1]
        lines = [f'interface {port_names.display_name(port)}', '  switchport mode trunk']
        lines += [f'  {line}' for line in vlan_sets.allowed_lines(allowed)]
        text = '\n'.join(lines) + '\n'
        self._cache[port] = (allowed, text)
        return text


def _running_config(switch, *_):
    allowed = switch.state.allowed_map()
    blocks = [switch.renderer.block(port, vlans) for port, vlans in allowed.items()]
    return (_header('show running-config') + f'hostname {switch.name}\n\n'
            + vlan_config(switch.state) + '\n' + '\n'.join(blocks))


def vlan_config(state):
    """``vlan 1,10-20`` lines for every VLAN, then a block for each VLAN whose
    settings are not the defaults, as NX-OS prints them."""
    lines = [f'vlan {part}' for part in vlan_sets.wrap(state.vlans(), 70, 70)]
    for vlan in sorted(state.suspended() | state.shut()):
        lines.append(f'vlan {vlan}')
        if vlan in state.suspended():
            lines.append('  state suspend')
        if vlan in state.shut():
            lines.append('  shutdown')
    return '\n'.join(lines) + '\n'


def _ports(switch, spec, allowed):
    """The ports ``spec`` names (NX-OS ranges), each one the switch has."""
    try:
        wanted = model.expand_ports(spec.replace(' ', ''))
    except port_names.InvalidPortName as exc:
        raise CommandError(f'Invalid interface {spec!r}: {exc}')
    missing = [port for port in wanted if port not in allowed]
    if missing:
        raise CommandError(f'Invalid interface {missing[0]}: no such port on this switch')
    return wanted


def _running_config_interface(switch, spec=None):
    """Every interface's block without ``spec``; else those it names."""
    allowed = switch.state.allowed_map()
    wanted = list(allowed) if spec is None else _ports(switch, spec, allowed)
    blocks = [switch.renderer.block(port, allowed[port]) for port in wanted]
    command = 'show running-config interface' + ('' if spec is None else f' {spec}')
    return _header(command) + '\n' + '\n'.join(blocks)


def _vlan_brief(switch, *_):
    lines = ['', 'VLAN Name                             Status    Ports',
             '---- -------------------------------- --------- -------------------------------']
    state = switch.state
    for vlan in sorted(state.vlans()):
        name = 'default' if vlan == model.DEFAULT_VLAN else f'VLAN{vlan:04d}'
        status = _vlan_status(vlan in state.suspended(), vlan in state.shut())
        lines.append(f'{vlan:<4} {name:<32} {status:<9} ')
    return '\n'.join(lines) + '\n'


def _vlan_status(suspended, shut):
    """NX-OS's Status column: active, suspended, act/lshut, sus/lshut."""
    if shut:
        return 'sus/lshut' if suspended else 'act/lshut'
    return 'suspended' if suspended else 'active'


def _spanning_tree_global(switch, *_):
    return ('\n------- STP Global Info -------\n'
            f'Total ports*vlans : {switch.state.lif_usage()}\n'
            f'Max ports*vlans   : {switch.state.limits.lif_limit}\n'
            'Spanning Tree mode: RPVST\n')


def _inventory(switch, *_):
    parts = ['NAME: "Chassis",  DESCR: "Nexus5548 Chassis"\n'
             'PID: N5K-C5548UP         ,  VID: V01 ,  SN: LAB0000001\n']
    fexes = sorted({port_names.fex_id(p) for p in switch.state.ports()} - {None})
    parts += [f'NAME: "FEX {fex} CHASSIS",  DESCR: "N2K-C2248TP-1GE  CHASSIS"\n'
              f'PID: N2K-C2248TP-1GE     ,  VID: V03 ,  SN: LABFEX{fex}\n' for fex in fexes]
    return '\n'.join(parts)


def _version(switch, *_):
    """NX-OS's uptime and last-reset lines: what tells a reload."""
    booted = switch.state.booted_at
    uptime = int(max(0, time.time() - booted))
    days, rest = divmod(uptime, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    usecs = int((booted % 1) * 1_000_000)
    reset = time.strftime('%a %b %d %H:%M:%S %Y', time.gmtime(booted))
    return ('Cisco Nexus Operating System (NX-OS) Software\n'
            f'Software\n  system:    version {VERSION}\n\n'
            f'Hardware\n  cisco Nexus5548 Chassis ("O2 32X10GE/Modular Universal Platform '
            f'Supervisor")\n\n  Device name: {switch.name}\n\n'
            f'Kernel uptime is {days} day(s), {hours} hour(s), {minutes} minute(s), '
            f'{seconds} second(s)\n\n'
            f'Last reset at {usecs} usecs after  {reset}\n\n'
            '  Reason: Reset Requested by CLI command reload\n')


def _copy_running_startup(switch, *_):
    switch.state.save()
    return '[########################################] 100%\nCopy complete.\n'


_COMMANDS = [
    (re.compile(r'^show running-config$'), _running_config),
    (re.compile(r'^show running-config interface$'), _running_config_interface),
    (re.compile(r'^show running-config interface (.+)$'), _running_config_interface),
    (re.compile(r'^show version$'), _version),
    (re.compile(r'^show vlan brief$'), _vlan_brief),
    (re.compile(r'^show spanning-tree internal info global$'), _spanning_tree_global),
    (re.compile(r'^show inventory$'), _inventory),
    (re.compile(r'^copy running-config startup-config$'), _copy_running_startup),
]


def structured(switch, command):
    """The JSON body NX-API's cli_show gives for ``command``.

    Only some commands have structured output; the others raise
    NoStructuredOutput, as NX-OS answers them (code 501).  A table of one
    row is an object, of several a list: NX-API's own quirk.
    """
    text = ' '.join(command.split()).lower()
    for pattern, answer in _STRUCTURED:
        match = pattern.match(text)
        if match:
            return answer(switch, *match.groups())
    run(switch, command)
    raise NoStructuredOutput('Structured output unsupported')


def _table(name, rows):
    return {f'TABLE_{name}': {f'ROW_{name}': rows[0] if len(rows) == 1 else rows}}


def _switchport(switch, spec=None):
    allowed = switch.state.allowed_map()
    ports = _ports(switch, spec, allowed) if spec else list(allowed)
    return _table('interface', [{
        'interface': port_names.display_name(port), 'switchport': 'Enabled',
        'switchport_monitor': 'Not enabled', 'oper_mode': 'trunk',
        'access_vlan': 1, 'access_vlan_name': 'default', 'native_vlan': 1,
        'native_vlan_name': 'default',
        'trunk_vlans': vlan_sets.format(vlan_sets.IDS if allowed[port] is ALL
                                        else allowed[port]),
    } for port in ports])


def _vlan_brief_rows(switch, *_):
    state = switch.state
    carrying = state.carrying()
    allowed = state.allowed_map()
    return _table('vlanbriefxbrief', [{
        'vlanshowbr-vlanid': vlan, 'vlanshowbr-vlanid-utf': vlan,
        'vlanshowbr-vlanname': 'default' if vlan == model.DEFAULT_VLAN else f'VLAN{vlan:04d}',
        'vlanshowbr-vlanstate': 'suspend' if vlan in state.suspended() else 'active',
        'vlanshowbr-shutstate': 'shutdown' if vlan in state.shut() else 'noshutdown',
        'vlanshowplist-ifidx': ','.join(
            port_names.display_name(port) for port, vlans in allowed.items()
            if vlan in carrying and (vlans is ALL or vlan in vlans)),
    } for vlan in sorted(state.vlans())])


_STRUCTURED = [
    (re.compile(r'^show interface switchport$'), _switchport),
    (re.compile(r'^show interface (.+) switchport$'), _switchport),
    (re.compile(r'^show vlan brief$'), _vlan_brief_rows),
]
