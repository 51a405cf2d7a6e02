"""A one-port sync against switches of 240, 1,008 and 4,032 bound ports.

What a notification costs must not grow with the switch: each size is one
lab switch (48 ports and 4, 20 or 83 FEX of 48 host ports) in a nexus-sim
process of its own, every port bound (round-robin over HOSTS hosts of ~20
VLANs in nova on MariaDB, PSVM's database too), and one drifted port synced
alone ROUNDS times through the plugin: p50 wall and CPU milliseconds (this
process's CPU: the lab's is not in it), and the RPCs it took.
"""

import contextlib
import gc
import pathlib
import statistics
import tempfile
import time

from bench import lab_processes
from bench import scale
from tests import databases
from tests import sync_rig

SIZES = {240: 4, 1008: 20, 4032: 83}
HOSTS = 200
ROUNDS = 40


def run():
    figures = {}
    with tempfile.TemporaryDirectory(prefix='psvm-bench-targeted-') as tmp:
        for ports, fex in SIZES.items():
            figures.update(_size(pathlib.Path(tmp) / str(ports), ports, fex))
    for measure in ('cpu', 'wall'):
        low, high = (figures[f'ports_{n}_{measure}_p50_ms'] for n in (240, 4032))
        figures[f'{measure}_4032_over_240'] = round(high / low, 2)
    return figures


def _size(path, ports, fex):
    path.mkdir()
    with contextlib.ExitStack() as stack:
        lab = stack.enter_context(lab_processes.LabProcesses(1, fex=tuple(range(101, 101 + fex))))
        switch = lab.switches[0]
        psvm_url = stack.enter_context(databases.fresh_database(scale.DB, path))
        nova_url = stack.enter_context(databases.fresh_database(scale.DB, path))
        rig = stack.enter_context(sync_rig.Rig(path, switch, psvm_url=psvm_url,
                                               nova_url=nova_url,
                                               psvm_lif_limit=scale.LIF_LIMIT))
        cloud = rig.nova.populate(hosts=HOSTS, networks=scale.NETWORKS,
                                  instances=HOSTS * scale.VLANS_PER_HOST,
                                  vlans_per_host=scale.VLANS_PER_HOST)
        nodes = [cloud.compute_nodes[host] for host in sorted(cloud.compute_nodes)]
        scale.insert_bindings(rig.database, [
            {'switch_id': rig.switch_id, 'compute_node_id': nodes[index % len(nodes)],
             'switch_port': port} for index, port in enumerate(switch.ports())])
        rig.plugin.sync(rig.switch_id)
        port = switch.ports()[len(switch.ports()) // 2]
        walls, cpus, rpcs = [], [], set()
        for _ in range(ROUNDS):
            switch.set_allowed(port, switch.allowed(port) | {3900})
            # Reading the port back parses the whole switch's state (4,032
            # lists at the largest size): as timeit does, no collection of
            # that garbage runs inside the sync being timed.
            gc.disable()
            wall, cpu = time.perf_counter(), time.process_time()
            rpcs.add(rig.plugin.sync(rig.switch_id, [port]).rpcs)
            cpus.append((time.process_time() - cpu) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
            gc.enable()
        assert 3900 not in switch.allowed(port)
        return {f'ports_{ports}_wall_p50_ms': round(statistics.median(walls), 2),
                f'ports_{ports}_cpu_p50_ms': round(statistics.median(cpus), 2),
                f'ports_{ports}_rpcs': sorted(rpcs)}
