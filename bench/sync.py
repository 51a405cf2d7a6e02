"""The intelligent sync at scale: 4 lab switches × 240 ports, 400 networks.

Each switch has 48 ports and 4 FEX of 48 host ports, in nexus-sim processes
of their own (two switches each: the lab's parsing is not in the figures);
every port is bound to its own compute host, which needs about 20 VLANs.  Figures, each with
ncclient's own sending loop ("stock", up to 100 ms wait before each RPC),
with psvm's prompt session ("prompt"), and over NX-API on HTTPS with the
cisco_nexus_nxapi driver ("nxapi"; a request counts as an RPC):

- initial full sync of all four switches from ALL (one thread per switch, as
  the reconciler runs them);
- full sync with no drift (expect exactly 1 RPC per switch);
- targeted sync of one drifted port (read + edit: 2 RPCs), p50 and p90;
- per-RPC latency of a one-port read, and of a 240-port read by
  ``exec-command`` and by ``get`` with a ``<cmd>`` filter (bare RPCs), and
  of the driver's parsed 240-port read;
- the nova query for one host, which the targeted sync waits for.

nova's database is MariaDB, as in production; ``PSVM_BENCH_NOVA_DB=sqlite``
or ``postgresql`` picks another of tests/databases.py.  PSVM's own is SQLite.
"""

import contextlib
import os
import pathlib
import statistics
import tempfile
import threading
import time

from bench import lab_processes
from psvm_listener.drivers import base
from psvm_listener.drivers import cisco_nexus_netconf
from psvm_listener.drivers import cisco_nexus_nxapi
from psvm_listener.drivers import netconf_session
from psvm_listener.drivers import nxos_xml
from tests import databases
from tests import sync_rig

SWITCHES = 4
FEX = (101, 102, 103, 104)
NETWORKS = 400
VLANS_PER_HOST = 20
TARGETED_ROUNDS = 60
RPC_ROUNDS = 40
TARGETED_PORT = 'ethernet101/1/7'
NOVA_DB = os.environ.get('PSVM_BENCH_NOVA_DB', 'mysql')


class MeasuredDriver(cisco_nexus_netconf.CiscoNexusNetconfDriver):
    """The driver, plus both read forms as bare RPCs, to compare them."""

    def exec_command(self, ports):
        return self._request(lambda m: m.exec_command([nxos_xml.show_interfaces_command(ports)]))

    def get_cmd(self, ports):
        command = nxos_xml.show_interfaces_command(ports)
        return self._request(lambda m: m.get(filter=('subtree', f'<cmd>{command}</cmd>')))


class StockSessionDriver(MeasuredDriver):
    """The same driver over ncclient's own session, for the 'before' figures."""

    session_class = netconf_session.StockSSHSession


def run():
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix='psvm-bench-sync-'))
        figures = {}
        for label, driver_class, family in (
                ('stock', StockSessionDriver, sync_rig.NETCONF),
                ('prompt', MeasuredDriver, sync_rig.NETCONF),
                ('nxapi', cisco_nexus_nxapi.CiscoNexusNxapiDriver, sync_rig.NXAPI)):
            figures.update(_run_world(f'{tmp}/{label}', label, driver_class, family))
        return figures


def _run_world(tmp, label, driver_class, family):
    path = pathlib.Path(tmp)
    path.mkdir()
    with world(path, driver_class, family) as (rig, switches, switch_ids):
        initial = sync_all(rig, switch_ids)
        steady = sync_all(rig, switch_ids)
        targeted = targeted_sync(switches[0], lambda port: rig.plugin.sync(
            switch_ids[0], [port]).rpcs)
        node = rig.database.list_bindings(switch_id=switch_ids[0])[0]['compute_node_id']
        nova_query = _timed(lambda: rig.inventory.vlans_by_compute_node([node]))
        rpc = _rpc_latency(driver_class, switches[1]) if family is sync_rig.NETCONF else {}
        return {
            f'{label}.nova_db': NOVA_DB,
            f'{label}.initial_full_sync_s': initial['seconds'],
            f'{label}.initial_rpcs_per_switch': initial['rpcs'],
            f'{label}.initial_ports_changed': initial['changed'],
            f'{label}.no_drift_full_sync_s': steady['seconds'],
            f'{label}.no_drift_rpcs_per_switch': steady['rpcs'],
            f'{label}.no_drift_ports_changed': steady['changed'],
            f'{label}.targeted_one_port_p50_ms': targeted['p50'],
            f'{label}.targeted_one_port_p90_ms': targeted['p90'],
            f'{label}.targeted_one_port_rpcs': targeted['rpcs'],
            f'{label}.nova_query_one_host_p50_ms': nova_query,
            **{f'{label}.{k}': v for k, v in rpc.items()},
        }


@contextlib.contextmanager
def world(path, driver_class=None, family=sync_rig.NETCONF, **limits):
    """The lab of this benchmark, also the baseline's: SWITCHES lab switches
    in nexus-sim processes of their own, two each (``limits`` as its options
    take them; NX-API on HTTPS too), nova with one host
    per port, every port bound; the plugin over ``driver_class`` (its own when
    None), the switches registered as ``family`` reaches them.
    Yields (rig, lab switches, switch ids)."""
    with contextlib.ExitStack() as stack:
        switches = stack.enter_context(lab_processes.LabProcesses(
            SWITCHES, fex=FEX, per_process=2, nxapi_https=True, **limits)).switches
        nova_url = stack.enter_context(databases.fresh_database(NOVA_DB, path))
        rig = stack.enter_context(sync_rig.Rig(path, switches[0], nova_url=nova_url,
                                               family=family))
        if driver_class is not None:
            rig.plugin.driver_class = driver_class
        switch_ids = [rig.switch_id] + [rig.add_switch(s) for s in switches[1:]]
        _bind_cloud(rig, switches, switch_ids)
        yield rig, switches, switch_ids


def _bind_cloud(rig, switches, switch_ids):
    """One compute host per port, each with its ~20 VLANs in nova."""
    ports = [(switch_id, port) for sw, switch_id in zip(switches, switch_ids, strict=True)
             for port in sw.ports()]
    cloud = rig.nova.populate(hosts=len(ports), networks=NETWORKS,
                              instances=len(ports) * VLANS_PER_HOST,
                              vlans_per_host=VLANS_PER_HOST)
    nodes = [cloud.compute_nodes[host] for host in sorted(cloud.compute_nodes)]
    for (switch_id, port), node in zip(ports, nodes, strict=True):
        rig.database.create_binding(switch_id=switch_id, compute_node_id=node,
                                    switch_port=port)


def sync_all(rig, switch_ids):
    """Every port of every switch, one thread per switch; wall time."""
    results = {}

    def sync(switch_id):
        results[switch_id] = rig.plugin.sync(switch_id)

    threads = [threading.Thread(target=sync, args=(switch_id,)) for switch_id in switch_ids]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    assert len(results) == len(switch_ids), 'a switch failed to sync'
    return {'seconds': round(seconds, 3),
            'rpcs': sorted({r.rpcs for r in results.values()}),
            'changed': sum(len(r.changes) for r in results.values())}


def targeted_sync(switch, sync_port, rounds=TARGETED_ROUNDS):
    """One drifted port synced alone, as after a notification;
    ``sync_port(port)`` syncs it and returns the RPCs it took."""
    port = TARGETED_PORT
    durations, rpcs = [], set()
    for _ in range(rounds):
        switch.set_allowed(port, switch.allowed(port) | {3000})
        started = time.perf_counter()
        rpcs.add(sync_port(port))
        durations.append((time.perf_counter() - started) * 1000)
        assert 3000 not in switch.allowed(port)
    return {'p50': _ms(statistics.median(durations)),
            'p90': _ms(statistics.quantiles(durations, n=10)[-1]), 'rpcs': sorted(rpcs)}


def _rpc_latency(driver_class, switch):
    """Round trip of single reads on an open session, beside the plugin's
    own (a second tool on the switch, so a second session slot)."""
    ip, port = switch.address
    conf = sync_rig.make_conf(**{'switches.max_sessions': 2})
    driver = driver_class(conf, base.Login(ip, port, 'admin', 'secret', switch.fingerprint))
    ports = switch.ports()
    try:
        return {'rpc_read_one_port_p50_ms': _timed(lambda: driver.read(['ethernet1/1'])),
                'rpc_exec_command_240_ports_p50_ms': _timed(lambda: driver.exec_command(ports)),
                'rpc_get_cmd_240_ports_p50_ms': _timed(lambda: driver.get_cmd(ports)),
                'read_240_ports_parsed_p50_ms': _timed(lambda: driver.read(ports))}
    finally:
        driver.close()


def _timed(call):
    call()
    durations = []
    for _ in range(RPC_ROUNDS):
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    return _ms(statistics.median(durations))


def _ms(value):
    return round(value, 2)
