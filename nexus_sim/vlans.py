"""VLAN lists as NX-OS reads and prints them, written from the switch's behaviour.

The CLI takes ``10``, ``10-20``, ``10-20,40`` (whitespace around items is
tolerated), the keywords ``all`` and ``none``; ids run 1-4094.  A trunk
port that was never given an allowed list carries every VLAN, which is not
the same fact as a list that happens to name 1-4094: ``ALL`` keeps it
apart.  Running-config prints a list as maximal ranges joined by commas
and wraps a long one onto ``switchport trunk allowed vlan add`` lines.
"""

import itertools

FIRST = 1
LAST = 4094
IDS = frozenset(range(FIRST, LAST + 1))
ALLOWED = 'switchport trunk allowed vlan'
LINE_WIDTH = 80


class BadVlanList(ValueError):
    """Text NX-OS would answer with "Invalid value/range"."""



class _Every:
    """A port's list when no allowed-vlan command was ever given."""

    def __repr__(self):
        return 'all'

    def __reduce__(self):
        return 'ALL'


ALL = _Every()


def parse(text):
    """The VLAN ids a list names: a frozenset, or ALL for ``all``."""
    words = str(text).strip().lower()
    if words == 'all':
        return ALL
    if words == 'none':
        return frozenset()
    if not words:
        raise BadVlanList('an empty VLAN list')
    ids = set()
    for item in (part.strip() for part in words.split(',')):
        low_text, dash, high_text = item.partition('-')
        low, high = _vlan_id(low_text, item), _vlan_id(high_text if dash else low_text, item)
        if low > high:
            raise BadVlanList(f'Invalid range {item!r}: the first id is above the last')
        ids.update(range(low, high + 1))
    return frozenset(ids)


def _vlan_id(text, item):
    text = text.strip()
    if not text.isdigit():
        raise BadVlanList(f'Invalid value {item!r}: not a VLAN id or range')
    vlan = int(text)
    if not FIRST <= vlan <= LAST:
        raise BadVlanList(f'Invalid value {vlan}: VLAN ids run {FIRST}-{LAST}')
    return vlan


def items(vlans):
    """'10-12', '40', ...: each maximal run of consecutive ids, as NX-OS prints it.

    Within a run, id minus its position in the sorted list is constant."""
    texts = []
    for _, run in itertools.groupby(enumerate(sorted(vlans)), key=lambda pair: pair[1] - pair[0]):
        run = [vlan for _, vlan in run]
        texts.append(f'{run[0]}-{run[-1]}' if len(run) > 1 else str(run[0]))
    return texts


def format(vlans):  # noqa: A001 - NX-OS's own spelling of a list
    if vlans is ALL:
        return 'all'
    return ','.join(items(vlans)) or 'none'


def wrap(vlans, first_room, room):
    """Comma-joined pieces of a list: the first at most ``first_room`` long,
    the others at most ``room``; a run is never split."""
    pieces, piece = [], ''
    for item in items(vlans):
        limit = room if pieces else first_room
        if piece and len(piece) + 1 + len(item) > limit:
            pieces.append(piece)
            piece = item
        else:
            piece = f'{piece},{item}' if piece else item
    return pieces + [piece] if piece else pieces


def allowed_lines(vlans):
    """The running-config lines of a port's allowed list: none when it carries ALL."""
    if vlans is ALL:
        return []
    if not vlans:
        return [f'{ALLOWED} none']
    first, *more = wrap(vlans, LINE_WIDTH - len(ALLOWED) - 3,
                        LINE_WIDTH - len(ALLOWED) - len(' add ') - 2)
    return [f'{ALLOWED} {first}'] + [f'{ALLOWED} add {piece}' for piece in more]
