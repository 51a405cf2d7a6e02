"""``GET /status``: every switch on one read-only HTML page, for a browser.

What the last sync of each switch recorded in PSVM's database (LIF usage,
its result, the drift it repaired), the ports bound to it, and its pending
plans from their own table (the one source of truth: psvm-manage plan list
and the API read the same rows); never read from the switches nor from
nova, so the page answers at once while a switch hangs or nova's database
is down.  Plain HTML and CSS: a ``<meter>`` draws each switch's LIF usage
against its limit.
"""

import html

STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid #ccc; padding: .4em .8em; text-align: left; }
meter { width: 12em; }
.failed { color: #a00; }
.refused { color: #a60; }
"""


def render(switches, bindings, pending, lif_limit):
    """The page (bytes, UTF-8) for the rows of ``list_switches``,
    ``list_bindings`` and ``list_pending_plans``; ``lif_limit``: [DEFAULT]
    psvm_lif_limit."""
    ports, plans = {}, {}
    for binding in bindings:
        ports[binding['switch_id']] = ports.get(binding['switch_id'], 0) + 1
    for plan in pending:
        plans.setdefault(plan['switch_id'], []).append(plan)
    rows = '\n'.join(_row(switch, ports.get(switch['id'], 0), plans.get(switch['id'], []),
                          lif_limit)
                     for switch in switches)
    refused = sum(1 for switch in switches if switch['id'] in plans)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>psvm-listener status</title>
<style>{STYLE}</style></head>
<body>
<h1>psvm-listener status</h1>
<p id="summary">{len(switches)} switches, {len(bindings)} bound ports,
{refused} with refused plans pending.</p>
<table id="switches">
<thead><tr><th>Switch</th><th>Address</th><th>Ports</th><th>LIF usage</th>
<th>Last sync</th><th>Result</th><th>Drift repaired</th><th>Pending plans</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""
    return page.encode('utf-8')


def _row(switch, port_count, pending, lif_limit):
    result = switch['last_sync_result'] or 'never synced'
    kind = next((kind for kind in ('failed', 'refused') if result.startswith(kind)), 'ok')
    cells = [
        f"{switch['id']}" + (f" <small>{_text(switch['description'])}</small>"
                             if switch['description'] else ''),
        _text(f"{switch['ip']}:{switch['port']}"),
        str(port_count),
        _lif(switch['lif_usage'], lif_limit),
        _text(switch['last_sync_at'].isoformat(sep=' ', timespec='seconds')
              if switch['last_sync_at'] else 'never'),
        f'<span class="{kind}">{_text(result)}</span>',
        '' if switch['drift'] is None else str(switch['drift']),
        '<br>'.join(_pending(plan) for plan in pending),
    ]
    return (f'<tr class="switch" data-switch-id="{switch["id"]}">'
            + ''.join(f'<td>{cell}</td>' for cell in cells) + '</tr>')


def _lif(usage, limit):
    if usage is None:
        return 'not read yet'
    if not limit:
        return f'{usage:,}'
    share = usage / limit
    return (f'<meter min="0" max="{limit}" low="{int(limit * 0.8)}" '
            f'high="{int(limit * 0.95)}" optimum="0" value="{usage}"></meter> '
            f'{usage:,} / {limit:,} ({share:.1%})')


def _pending(plan):
    """One pending plan: its id (what to approve), its ports, why refused."""
    return (f'<span class="pending-plan" data-plan-id="{plan["id"]}">'
            f'plan {plan["id"]} ({_text(", ".join(plan["ports"]))}): '
            f'{_text("; ".join(plan["reasons"]))}</span>')


def _text(value):
    return html.escape(str(value))
