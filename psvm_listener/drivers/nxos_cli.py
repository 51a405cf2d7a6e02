"""NX-API CLI forms the Nexus NX-API driver sends and reads (DESIGN.md §6).

A plan becomes configuration commands for one ``cli_conf`` request,
`` ;``-separated: ``interface`` is said again only when the port changes;
VLANs are created ``state active`` and ``no shutdown``.  Nothing here does I/O.
"""

from psvm_listener.drivers import steps

_ALLOWED = 'switchport trunk allowed vlan'
_VERBS = {'replace': '', 'add': 'add ', 'remove': 'remove '}


class CommandFailed(ValueError):
    """An output whose code is not 200: the command and the switch's words."""


def conf_commands(plan, max_items, max_chars):
    commands, port = [], None
    for step in steps.plan_steps(plan, max_items, max_chars):
        if step.verb == 'create':
            commands += [f'vlan {step.vlans}', 'state active', 'no shutdown', 'exit']
            port = None
            continue
        if step.port != port:
            commands.append(f'interface {step.port}')
            port = step.port
        commands.append(f'{_ALLOWED} {_VERBS[step.verb]}{step.vlans}')
    return commands


def ins_api(kind, commands, **extra):
    """The ``ins_api`` request document for ``commands``."""
    return {'ins_api': dict({'version': '1.0', 'type': kind, 'chunk': '0', 'sid': '1',
                             'input': ' ;'.join(commands), 'output_format': 'json'},
                            **extra)}


def outputs(document):
    """The outputs of an ``ins_api`` reply, a list even for one command;
    CommandFailed for the first that failed."""
    try:
        found = document['ins_api']['outputs']['output']
    except (KeyError, TypeError):
        raise CommandFailed(f'not an ins_api reply: {str(document)[:200]}')
    found = found if isinstance(found, list) else [found]
    for output in found:
        if str(output.get('code')) != '200':
            words = (output.get('clierror') or output.get('msg') or '').strip()
            raise CommandFailed(f'{output.get("input", "?")!r}: {words}')
    return found
