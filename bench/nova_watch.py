"""The nova watcher's poll at cloud scale: 20,000 instances, 5,000 migrations.

Every ``psvm_network_poll_interval`` (5 s) the watcher reads, one query per
kind, the network hosts, a per-host fingerprint of the live instances and
the migrations in flight (``psvm_listener.nova_watcher``).  The lab nova is
populated as in ``bench/inventory.py`` (1,000 hosts, 20,000 instances, 400
networks, some moves in flight) plus ended migrations up to 5,000 rows, with
nova's own indexes only, on MariaDB and on PostgreSQL.  Figures: minimum,
median and 90th percentile of each kind's poll and of a whole poll's reads
over ``ROUNDS`` polls on a warm pool, nothing changed (target: a whole poll
within 20 ms); the instance kind's poll after one instance moved; the
one-off baseline (it reads every migrations row, ended ones too).
"""

import pathlib
import statistics
import tempfile
import time

import sqlalchemy as sa

from bench import inventory as inventory_bench
from psvm_listener import inventory
from psvm_listener import nova_watcher
from psvm_listener.lab import nova
from tests import databases

MIGRATIONS = 5000
TARGET_MS = 20
ENDED = ('confirmed', 'completed', 'done', 'reverted', 'failed', 'error')


def _add_ended_migrations(url, instances, hosts):
    """Ended migrations rows up to MIGRATIONS, as years of moves leave them."""
    engine = sa.create_engine(url)
    table = nova.metadata().tables['migrations']
    try:
        with engine.begin() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            rows = []
            for i in range(MIGRATIONS - count):
                source, dest = hosts[i % len(hosts)], hosts[(i + 1) % len(hosts)]
                rows.append(dict(created_at=nova._now(), deleted=0,
                                 instance_uuid=instances[i % len(instances)],
                                 source_compute=source, dest_compute=dest, source_node=source,
                                 dest_node=dest, status=ENDED[i % len(ENDED)]))
            conn.execute(table.insert(), rows)
        nova.NovaLab(url)._analyze()
    finally:
        engine.dispose()


def _measure_moves(lab, reader, instances, cloud, figures, kind):
    """The instance kind's poll after one instance moved host since the last."""
    hosts = sorted(cloud.compute_nodes)
    times = []
    for round_ in range(inventory_bench.ROUNDS):
        lab.move_instance(cloud.instances[round_], hosts[round_ % len(hosts)])
        started = time.perf_counter()
        instances.changes(reader)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    figures[f'{kind}_instance_hosts_one_move_ms_min'] = round(times[0], 1)
    figures[f'{kind}_instance_hosts_one_move_ms_p50'] = round(statistics.median(times), 1)


def _scenario(kind, tmp, figures):
    with databases.fresh_database(kind, tmp) as url:
        nova.create_schema(url)
        lab = nova.NovaLab(url)
        try:
            cloud = lab.populate(hosts=inventory_bench.HOSTS, networks=inventory_bench.NETWORKS,
                                 instances=inventory_bench.INSTANCES,
                                 vlans_per_host=inventory_bench.VLANS_PER_HOST)
        finally:
            lab.close()
        _add_ended_migrations(url, cloud.instances, sorted(cloud.compute_nodes))
        reader = inventory.Inventory(url)
        lab = nova.NovaLab(url)
        try:
            kinds = nova_watcher.NovaWatcher(reader, None).kinds
            started = time.perf_counter()
            for watched in kinds:
                watched.changes(reader)
            figures[f'{kind}_baseline_ms'] = round((time.perf_counter() - started) * 1000, 1)
            for watched in kinds:
                inventory_bench._measure(lambda watched=watched: watched.changes(reader),
                                         figures, f'{kind}_{watched.name.replace(" ", "_")}')
            inventory_bench._measure(lambda: [watched.changes(reader) for watched in kinds],
                                     figures, f'{kind}_poll')
            _measure_moves(lab, reader, kinds[1], cloud, figures, kind)
            newest = max(reader.migrations_since())
            figures[f'{kind}_migrations_in_flight'] = len(reader.migrations_since(newest))
        finally:
            lab.close()
            reader.close()
    figures[f'{kind}_poll_within_target'] = figures[f'{kind}_poll_ms_p50'] <= TARGET_MS


def run():
    figures = {'instances': inventory_bench.INSTANCES, 'migrations': MIGRATIONS,
               'hosts': inventory_bench.HOSTS, 'target_ms': TARGET_MS}
    with tempfile.TemporaryDirectory(prefix='psvm-bench-nova-watch-') as tmp:
        for kind in ('mysql', 'postgresql'):
            _scenario(kind, pathlib.Path(tmp), figures)
    return figures
