"""The yardstick: the seed's 2014 sync against the same lab as bench/sync.py.

The 2014 approach, kept here only to measure the project against it:
periodic only (no events), ports one after another and switches one after
another, a new NETCONF session per port (ncclient as shipped, with its wait
of up to 100 ms before each RPC), and per port a read of
``show running-config interface X`` then one ``edit-config`` per chunk of at
most 400 VLAN items, then the session closed.  The lab switches admit lists
of 400 items here (they refuse lists longer than their max_list_items,
64 by default), so the seed's chunks go through.

Each port's VLANs come from nova, one query per port's host.  Where the
seed went wrong this yardstick does not copy it (it kept only the last
allowed-vlan line and crashed on a port allowing ALL): it parses the port
and plans its change with the project's own functions (a port allowing ALL
gets its list replaced), so both end in the same state, checked on the
sample.  It creates no VLANs in the switch's VLAN database; the project's
initial sync does, in the same edit-config.

A sequential sweep of 960 ports takes minutes, so the baseline's full syncs
run on SAMPLE_PORTS ports per switch spread over its ports and FEX, and are
extrapolated linearly to every port (figures named ``..._extrapolated``).
The project's figures are measured in the same run on the same switches
(every port reset to ALL first), through bench/sync.py's functions and the
plugin's own driver (psvm's prompt session): one thread per switch.
Without events a change waits for the next periodic sync: its expected
latency is computed as half the sync interval, not measured.

Every session's end makes paramiko log a socket error (the lab's
``psvm-nexus-sim`` quiets it the same way); its logger is set to CRITICAL
while this runs.
"""

import logging
import pathlib
import tempfile
import time

from ncclient import manager

from bench import sync
from nexus_sim import vlans as sim_vlans
from psvm_listener import plan
from psvm_listener import vlans
from psvm_listener.drivers import cisco_nexus_netconf
from psvm_listener.drivers import nxos_xml

CHUNK_ITEMS = 400
SAMPLE_PORTS = 12
TARGETED_ROUNDS = 10
LIMITS = {'max_list_items': CHUNK_ITEMS, 'max_list_chars': CHUNK_ITEMS * len('4000-4094,')}


def sync_port_2014(address, port, expected, ignored):
    """The seed's sync of one port: its own session, one read, one edit per
    chunk of at most CHUNK_ITEMS items; returns the RPCs it sent before its
    close-session (counted as the project counts its own)."""
    host, ssh_port = address
    with manager.connect(host=host, port=ssh_port, username='admin', password='secret',
                         hostkey_verify=False, allow_agent=False, look_for_keys=False,
                         device_params={'name': 'nexus'}) as session:
        command = f'show running-config interface {port}'
        reply = session.get(filter=('subtree', f'<cmd>{command}</cmd>'))
        text = cisco_nexus_netconf.CiscoNexusNetconfDriver._reply_text(reply)
        actual = vlans.allowed_from_config(nxos_xml.interface_configs(text)[port])
        edits = _chunked(plan.port_change(port, expected, actual, ignored))
        for edit in edits:
            config = nxos_xml.edit_config(plan.Plan(changes=(edit,)), CHUNK_ITEMS, None)
            session.edit_config(target='running', config=config)
    return 1 + len(edits)


def _chunked(change):
    """The change as one-chunk changes: the new list (its first chunk, then
    adds), then adds, then removes."""
    def parts(vlan_set):
        return [vlans.parse(text) for text in vlans.chunks(vlan_set, CHUNK_ITEMS)]

    edits = []
    if change.replace is not None:
        first, *rest = parts(change.replace) or [frozenset()]
        edits.append(plan.PortChange(change.port, replace=first))
        edits += [plan.PortChange(change.port, add=part) for part in rest]
    edits += [plan.PortChange(change.port, add=part) for part in parts(change.add)]
    edits += [plan.PortChange(change.port, remove=part) for part in parts(change.remove)]
    return edits


def run():
    paramiko_log = logging.getLogger('paramiko')
    level = paramiko_log.level
    paramiko_log.setLevel(logging.CRITICAL)
    try:
        with tempfile.TemporaryDirectory(prefix='psvm-bench-baseline-') as tmp:
            with sync.world(pathlib.Path(tmp), **LIMITS) as (rig, switches, switch_ids):
                return _compare(rig, switches, switch_ids)
    finally:
        paramiko_log.setLevel(level)


def _compare(rig, switches, switch_ids):
    ignored = frozenset(rig.conf.psvm_ignore_vlans)

    def old_sync(switch, port):
        node = nodes[port]
        expected = rig.inventory.vlans_by_compute_node([node]).get(node, frozenset())
        return sync_port_2014(switch.address, port, expected, ignored)

    nodes = {binding['switch_port']: binding['compute_node_id']
             for switch_id in switch_ids for binding in rig.database.list_bindings(switch_id)}
    samples = [switch.ports()[::len(switch.ports()) // SAMPLE_PORTS] for switch in switches]
    old_initial = _sweep(switches, samples, old_sync)
    _check(rig, switches, samples, nodes, ignored)
    old_steady = _sweep(switches, samples, old_sync)
    old_sync(switches[0], sync.TARGETED_PORT)
    old_targeted = sync.targeted_sync(
        switches[0], lambda port: old_sync(switches[0], port), TARGETED_ROUNDS)
    for switch in switches:
        for port in switch.ports():
            switch.set_allowed(port, sim_vlans.ALL)
    initial = sync.sync_all(rig, switch_ids)
    steady = sync.sync_all(rig, switch_ids)
    targeted = sync.targeted_sync(
        switches[0], lambda port: rig.plugin.sync(switch_ids[0], [port]).rpcs)
    interval = rig.conf.psvm_sync_interval
    latency_s = interval / 2
    return {
        '2014.sample_ports_per_switch': len(samples[0]),
        'ports_per_switch': len(switches[0].ports()),
        'switches': len(switches),
        'chunk_items': CHUNK_ITEMS,
        'lab_switch_max_list_items': LIMITS['max_list_items'],
        '2014.initial_full_sync_s_extrapolated': old_initial['seconds'],
        '2014.initial_sample_s_measured': old_initial['sample_seconds'],
        '2014.initial_rpcs_per_port': old_initial['rpcs'],
        'project.initial_full_sync_s': initial['seconds'],
        'ratio.initial_full_sync': _ratio(old_initial['seconds'], initial['seconds']),
        '2014.no_drift_full_sync_s_extrapolated': old_steady['seconds'],
        '2014.no_drift_sample_s_measured': old_steady['sample_seconds'],
        '2014.no_drift_rpcs_per_port': old_steady['rpcs'],
        'project.no_drift_full_sync_s': steady['seconds'],
        'ratio.no_drift_full_sync': _ratio(old_steady['seconds'], steady['seconds']),
        '2014.targeted_one_port_p50_ms': old_targeted['p50'],
        '2014.targeted_one_port_rpcs': old_targeted['rpcs'],
        'project.targeted_one_port_p50_ms': targeted['p50'],
        'ratio.targeted_one_port': _ratio(old_targeted['p50'], targeted['p50']),
        '2014.sync_interval_s': interval,
        '2014.event_latency_mean_s_computed_interval_half': latency_s,
        'ratio.event_latency_computed_vs_project_targeted_p50':
            _ratio(latency_s * 1000, targeted['p50']),
    }


def _check(rig, switches, samples, nodes, ignored):
    """The yardstick must do the project's job: every sampled port as nova says."""
    for switch, sample in zip(switches, samples, strict=True):
        expected = rig.inventory.vlans_by_compute_node([nodes[port] for port in sample])
        for port in sample:
            assert switch.allowed(port) == expected[nodes[port]] | ignored, port


def _sweep(switches, samples, old_sync):
    """The seed's full sync on the sampled ports, one after another, switches
    one after another; seconds extrapolated to every port of every switch."""
    extrapolated, measured, rpcs = 0.0, 0.0, set()
    for switch, sample in zip(switches, samples, strict=True):
        started = time.perf_counter()
        for port in sample:
            rpcs.add(old_sync(switch, port))
        seconds = time.perf_counter() - started
        measured += seconds
        extrapolated += seconds * len(switch.ports()) / len(sample)
    return {'seconds': round(extrapolated, 2), 'sample_seconds': round(measured, 3),
            'rpcs': sorted(rpcs)}


def _ratio(baseline, project):
    return round(baseline / project, 1)
