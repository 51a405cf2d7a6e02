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
    """The plan as commands, in the order every Nexus driver sends them: create
    the VLANs, replace lists (the first chunk replaces, the others add), add,
    remove; each VLAN list cut into chunks the device takes whole."""
    def lists(vlan_set):
        return vlans.chunks(vlan_set, max_items, max_chars)

    steps = [Step('create', None, part) for part in lists(plan.create)]
    for change in plan.changes:
        if change.replace is not None:
            first, *rest = lists(change.replace) or ['none']
            steps.append(Step('replace', change.port, first))
            steps.extend(Step('add', change.port, part) for part in rest)
    for verb in ('add', 'remove'):
        steps.extend(Step(verb, change.port, part) for change in plan.changes
                     for part in lists(getattr(change, verb)))
    return steps
