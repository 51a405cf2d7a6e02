"""VLAN sets as NX-OS writes them: "1,10-20", "none", and ALL.

A port that has no ``switchport trunk allowed vlan`` line allows every VLAN.
That is kept as the value ``ALL`` rather than a set of 4094 ids, so that
"allows everything" and "allows exactly 1-4094" stay different facts.
"""

import re

MIN_VLAN = 1
MAX_VLAN = 4094

ALLOWED_PREFIX = 'switchport trunk allowed vlan'


class InvalidVlanList(ValueError):
    """Text that is not an NX-OS VLAN list, or a VLAN id outside 1-4094."""


class _AllVlans:
    """The allowed list of a port without an allowed-vlan line."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return 'ALL'

    def __reduce__(self):
        return (_AllVlans, ())


ALL = _AllVlans()

EVERY_VLAN = frozenset(range(MIN_VLAN, MAX_VLAN + 1))
"""Every valid VLAN id, as a set (ALL is a fact about a port, not a set)."""

_ITEM = re.compile(r'^(\d+)(?:-(\d+))?$')
_SINGLES = re.compile(r'[0-9]+(?:,[0-9]+)*')


def check_vlan(vlan):
    if not MIN_VLAN <= vlan <= MAX_VLAN:
        raise InvalidVlanList(f'VLAN {vlan} is outside {MIN_VLAN}-{MAX_VLAN}')
    return vlan


def parse(text):
    """"1,10-20" → {1, 10..20}; "none" or "" → set(); "all" → ALL.

    A full sync parses every port's list whose config changed since its
    last read (every port, after a full sync from ALL): a list of single
    VLANs, as most are, takes one regular expression, not one per item."""
    text = text.strip().lower()
    if text == 'all':
        return ALL
    if text in ('', 'none'):
        return frozenset()
    if not _SINGLES.fullmatch(text):
        return frozenset(_parse_items(text))
    vlans = frozenset(map(int, text.split(',')))
    check_vlan(min(vlans))
    check_vlan(max(vlans))
    return vlans


def _parse_items(text):
    vlans = set()
    for item in text.split(','):
        item = item.strip()
        match = _ITEM.match(item)
        if not match:
            raise InvalidVlanList(f'{item!r} is not a VLAN or range')
        low = check_vlan(int(match.group(1)))
        high = check_vlan(int(match.group(2) or low))
        if high < low:
            raise InvalidVlanList(f'range {item!r} runs backwards')
        vlans.update(range(low, high + 1))
    return vlans


def ranges(vlans):
    """Sorted, maximal (low, high) runs of a VLAN set."""
    runs = []
    for vlan in sorted(vlans):
        if runs and runs[-1][1] == vlan - 1:
            runs[-1][1] = vlan
        else:
            runs.append([vlan, vlan])
    return [tuple(run) for run in runs]


def _item(run):
    low, high = run
    return str(low) if low == high else f'{low}-{high}'


def format(vlans):  # noqa: A001 - the inverse of parse
    """{1, 10..20} → "1,10-20"; set() → "none"; ALL → "all"."""
    if vlans is ALL:
        return 'all'
    if not vlans:
        return 'none'
    return ','.join(_item(run) for run in ranges(vlans))


def chunks(vlans, max_items=None, max_chars=None, first_chars=None):
    """Split a VLAN set into list strings a device takes in one command.

    Each string has at most ``max_items`` comma-separated items (a range is
    one item) and at most ``max_chars`` characters (``first_chars`` for the
    first string, when given).  A range too long for ``max_chars`` cannot
    happen: the longest item, "4000-4094", is 9.
    """
    result, current, length = [], [], 0
    for run in ranges(vlans):
        item = _item(run)
        grown = length + len(item) + (1 if current else 0)
        room = first_chars if first_chars is not None and not result else max_chars
        full = (max_items is not None and len(current) >= max_items) or (
            room is not None and grown > room)
        if current and full:
            result.append(','.join(current))
            current, grown = [], len(item)
        current.append(item)
        length = grown
    if current:
        result.append(','.join(current))
    return result


def allowed_lines(vlans, width=80):
    """The running-config lines NX-OS prints for a port's allowed list.

    ALL prints no line; a long list wraps into continuation lines
    ``switchport trunk allowed vlan add ...`` of about ``width`` characters.
    """
    if vlans is ALL:
        return []
    if not vlans:
        return [f'{ALLOWED_PREFIX} none']
    first, *rest = chunks(vlans, max_chars=width - len(ALLOWED_PREFIX) - len(' add '),
                          first_chars=width - len(ALLOWED_PREFIX) - 1)
    return [f'{ALLOWED_PREFIX} {first}'] + [
        f'{ALLOWED_PREFIX} add {part}' for part in rest]


def allowed_from_config(text):
    """The allowed list of one interface, read from its running-config text.

    Every allowed-vlan line counts: the first sets the list, each ``add``
    line extends it, ``except``/``remove`` lines are applied in order, and
    no line at all means ALL.
    """
    allowed = ALL
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith(ALLOWED_PREFIX):
            continue
        words = line[len(ALLOWED_PREFIX):].split()
        if not words:
            raise InvalidVlanList(f'empty allowed-vlan line: {line!r}')
        verb, rest = words[0].lower(), ' '.join(words[1:])
        if verb == 'add':
            allowed = ALL if allowed is ALL else allowed | parse(rest)
        elif verb == 'remove':
            allowed = EVERY_VLAN if allowed is ALL else allowed
            allowed = allowed - parse(rest)
        elif verb == 'except':
            allowed = EVERY_VLAN - parse(rest)
        else:
            allowed = parse(' '.join(words))
    return allowed
