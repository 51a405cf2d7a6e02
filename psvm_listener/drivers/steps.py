"""A plan as the commands a Nexus takes, in the order every Nexus driver sends them.

NETCONF (nxos_xml) and NX-API (nxos_cli) write the same steps in their own
forms, so both drivers change a switch the same way.
"""

from typing import NamedTuple

from psvm_listener import vlans


class Step(NamedTuple):
    """One command of a plan: verb create (port None), replace, add or remove."""

    verb: str
    port: str | None
    vlans: str


def plan_steps(plan, max_items, max_chars):
    """The plan as commands, in the order ``plan.order`` names (create the
    VLANs, replace lists: the first chunk replaces, the others add; add;
    remove; or the replacements first, when only that keeps the switch
    within its LIF limit); each VLAN list cut into chunks the device takes
    whole.  NX-OS runs them in the order sent."""
    def lists(vlan_set):
        return vlans.chunks(vlan_set, max_items, max_chars)

    def create():
        return [Step('create', None, part) for part in lists(plan.create)]

    def replace():
        found = []
        for change in plan.changes:
            if change.replace is not None:
                first, *rest = lists(change.replace) or ['none']
                found.append(Step('replace', change.port, first))
                found.extend(Step('add', change.port, part) for part in rest)
        return found

    def change_lists(verb):
        return lambda: [Step(verb, change.port, part) for change in plan.changes
                        for part in lists(getattr(change, verb))]

    kinds = {'create': create, 'replace': replace,
             'add': change_lists('add'), 'remove': change_lists('remove')}
    return [step for kind in plan.order for step in kinds[kind]()]
