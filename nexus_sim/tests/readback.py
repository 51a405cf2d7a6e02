"""Reading back what the switch printed, for the switch's own tests."""

from nexus_sim import vlans

_PREFIX = vlans.ALLOWED + ' '


def allowed_from_config(text):
    """The allowed list of the one interface in ``text`` (running-config):
    the first allowed-vlan line sets it, each ``add`` line extends it, no
    line at all means ALL."""
    allowed = vlans.ALL
    for line in (line.strip() for line in text.splitlines()):
        if not line.startswith(_PREFIX):
            continue
        words = line[len(_PREFIX):]
        if words.startswith('add '):
            allowed = allowed | vlans.parse(words[len('add '):])
        else:
            allowed = vlans.parse(words)
    return allowed
