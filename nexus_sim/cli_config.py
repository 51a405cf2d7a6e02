"""NX-OS configuration commands, as NX-API's ``cli_conf`` runs them.

Commands run one after another in one configuration session: ``interface
ethernet1/1-4`` or ``vlan 10-12`` enters a mode that the next commands act
in, until ``exit``, ``end`` or another mode command.  Each command becomes
the model changes it makes; ``ConfigSession.run`` returns them so that the
caller applies them command by command (NX-API's stop-on-error) or all at
once (rollback-on-error).
"""

from nexus_sim import interfaces as port_names
from nexus_sim import model
from nexus_sim.vlans import ALL

_ALLOWED = ('switchport', 'trunk', 'allowed', 'vlan')
_TOP = ('configure terminal', 'config terminal', 'conf t', 'config t', 'configure t')


class CommandError(model.EditRejected):
    """A command NX-OS refuses: the reply's ``clierror``."""


def invalid(command):
    return CommandError(f"% Invalid command at '^' marker.\n{command}\n^")


class ConfigSession:
    """The mode one request's commands run in."""

    def __init__(self, switch):
        self.switch = switch
        self.ports = None
        self.vlans = None

    def run(self, command):
        """The changes ``command`` makes (possibly none); CommandError if refused."""
        words = command.lower().split()
        text = ' '.join(words)
        if not words or text in _TOP:
            return []
        if text in ('exit', 'end'):
            self.ports = self.vlans = None
            return []
        if words[0] == 'interface' and len(words) > 1:
            return self._enter_interfaces(''.join(words[1:]))
        if words[0] == 'vlan' and len(words) == 2:
            return self._enter_vlans(words[1])
        if words[:2] == ['no', 'vlan'] and len(words) == 3:
            self.ports = self.vlans = None
            return [model.Change('vlan-delete', None, self._list(words[2]))]
        if self.ports is not None:
            return self._interface_command(words, command)
        if self.vlans is not None:
            return self._vlan_command(text, command)
        raise invalid(command)

    def _list(self, text):
        return model.parse_list(text, self.switch.limits)

    def _enter_interfaces(self, spec):
        try:
            ports = model.expand_ports(spec)
        except port_names.InvalidPortName as exc:
            raise CommandError(f'% Invalid interface format: {exc}')
        self.ports = [self.switch.state.port(port) for port in ports]
        self.vlans = None
        return []

    def _enter_vlans(self, text):
        ids = self._list(text)
        if ids is ALL:
            raise CommandError('% Invalid VLAN list: all')
        self.vlans, self.ports = ids, None
        return [model.Change('vlan-create', None, ids)]

    def _interface_command(self, words, command):
        if words in (['switchport'], ['switchport', 'mode', 'trunk']):
            return []
        if tuple(words[:4]) != _ALLOWED or len(words) < 5:
            raise invalid(command)
        verb, rest = words[4], words[5:]
        if verb in ('add', 'remove', 'except') and len(rest) == 1:
            vlans = self._list(rest[0])
            if verb == 'except' and vlans is ALL:
                raise invalid(command)
            return self._each(verb, vlans)
        if len(rest) == 0:
            return self._each('set', self._list(verb))
        raise invalid(command)

    def _each(self, op, vlans):
        return [model.Change(op, port, vlans) for port in self.ports]

    def _vlan_command(self, text, command):
        if text in ('state active', 'state suspend'):
            return [model.vlan_state_change(text.split()[1], self.vlans)]
        if text == 'shutdown':
            return [model.Change('vlan-shutdown', None, self.vlans)]
        if text == 'no shutdown':
            return [model.Change('vlan-no-shutdown', None, self.vlans)]
        raise invalid(command)
