"""Nova inventory at cloud scale: 1,000 hosts, 20,000 instances, 400 networks.

The lab nova is populated as a cloud in use (``NovaLab.populate``: ~20 VLANs
per host, every other network multi_host, 102,400 fixed IPs, some deleted
instances and migrations in flight), on MariaDB (the target: one call for
every host within 100 ms), on PostgreSQL and on SQLite; ``sqlite_lab_*`` are
psvm-lab's own nova (SQLite, 200 hosts, 3,000 instances, 300 networks).

``PSVM_BENCH_INVENTORY_HOSTS`` (e.g. "1000,5000,20000") measures clouds of
other sizes too, 20 instances per host and a network per 2.5 hosts (5,000
hosts: 100,000 instances, 2,000 networks, 512,000 fixed IPs), their figures
named ``<database>_<hosts>_...`` (the 1,000-host cloud keeps its names);
``PSVM_BENCH_INVENTORY_DBS`` (e.g. "mysql") picks the databases.  The
targets: every host within 100 ms at 1,000 hosts, 500 ms at 5,000 and
2,000 ms at 20,000.
Each figure is the minimum, median and 90th percentile over ``ROUNDS`` calls
on a warm connection pool (the minimum is the figure least disturbed by other
work on the machine):

- ``all_hosts``: ``vlans_by_host()``, every host of the cloud in one call;
- ``compute_nodes``: ``vlans_by_compute_node`` for the 1,000 bound nodes,
  what a full sync of every switch asks;
- ``one_host``: ``vlans_by_host([host])``, and ``one_compute_node``:
  ``vlans_by_compute_node([id])``, what a targeted sync waits for after a
  notification (it sits on the event-to-switch path);
- ``few_hosts``: ``vlans_by_host`` for 5 hosts, a targeted sync of a batch.
"""

import os
import pathlib
import statistics
import tempfile
import time

from psvm_listener import inventory
from psvm_listener.lab import nova
from tests import databases

HOSTS = 1000
INSTANCES = 20000
NETWORKS = 400
VLANS_PER_HOST = 20
ROUNDS = 15
KINDS = tuple(os.environ.get('PSVM_BENCH_INVENTORY_DBS', 'mysql,postgresql,sqlite').split(','))
SIZES = tuple(int(n) for n in os.environ.get('PSVM_BENCH_INVENTORY_HOSTS', '1000').split(','))
TARGET_MS = {1000: 100, 5000: 500, 20000: 2000}


def _timed(call):
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _measure(call, figures, name):
    call()
    times = sorted(_timed(call) for _ in range(ROUNDS))
    figures[f'{name}_ms_min'] = round(times[0], 1)
    figures[f'{name}_ms_p50'] = round(statistics.median(times), 1)
    figures[f'{name}_ms_p90'] = round(times[int(len(times) * 0.9) - 1], 1)


def _scenario(kind, tmp, figures, prefix, **size):
    """Figures ``<prefix>_...`` for a cloud of ``size``."""
    with databases.fresh_database(kind, tmp) as url:
        nova.create_schema(url)
        lab = nova.NovaLab(url)
        started = time.perf_counter()
        try:
            cloud = lab.populate(**size)
        finally:
            lab.close()
        figures[f'{prefix}_populate_s'] = round(time.perf_counter() - started, 1)
        reader = inventory.Inventory(url)
        try:
            nodes = list(cloud.compute_nodes.values())
            one = next(iter(cloud.compute_nodes))
            needs = reader.vlans_by_host(cloud.compute_nodes)
            figures[f'{prefix}_vlans_per_host_mean'] = round(
                statistics.mean(len(vlans) for vlans in needs.values()), 1)
            _measure(reader.vlans_by_host, figures, f'{prefix}_all_hosts')
            _measure(lambda: reader.vlans_by_compute_node(nodes), figures,
                     f'{prefix}_compute_nodes')
            _measure(lambda: reader.vlans_by_host([one]), figures, f'{prefix}_one_host')
            _measure(lambda: reader.vlans_by_compute_node([cloud.compute_nodes[one]]), figures,
                     f'{prefix}_one_compute_node')
            few = sorted(cloud.compute_nodes)[:5]
            _measure(lambda: reader.vlans_by_host(few), figures, f'{prefix}_few_hosts')
        finally:
            reader.close()


def _cloud_of(hosts):
    """The populate arguments of a cloud of ``hosts`` hosts: 20 instances each,
    and networks enough that no /24 runs out of fixed IPs."""
    if hosts == HOSTS:
        return dict(hosts=HOSTS, networks=NETWORKS, instances=INSTANCES,
                    vlans_per_host=VLANS_PER_HOST)
    return dict(hosts=hosts, networks=min(hosts * 2 // 5, nova.LAST_VLAN - nova.FIRST_VLAN + 1),
                instances=hosts * VLANS_PER_HOST, vlans_per_host=VLANS_PER_HOST)


def run():
    figures = {'hosts': HOSTS, 'instances': INSTANCES, 'networks': NETWORKS}
    with tempfile.TemporaryDirectory(prefix='psvm-bench-inventory-') as tmp:
        for kind in KINDS:
            for hosts in SIZES:
                prefix = kind if hosts == HOSTS else f'{kind}_{hosts}'
                _scenario(kind, pathlib.Path(tmp), figures, prefix, **_cloud_of(hosts))
                target = TARGET_MS.get(hosts)
                if target:
                    figures[f'{prefix}_all_hosts_within_target'] = (
                        figures[f'{prefix}_all_hosts_ms_p50'] <= target)
        if 'sqlite' in KINDS:
            _scenario('sqlite', pathlib.Path(tmp), figures, 'sqlite_lab',
                      hosts=200, networks=300, instances=3000)
    figures['target_ms'] = TARGET_MS
    return figures
