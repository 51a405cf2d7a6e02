"""PSVM database: the calls one switch sync makes, and archiving, per backend.

Each sync reads the switch's bindings, its login (one Fernet decrypt) and
records its result; the listener does this for every switch every
psvm_sync_interval.  The tables hold 40 switches of 240 bound ports each
(9,600 bindings), written in bulk; the calls go through db.api.Database.
Archiving moves 5,000 soft-deleted bindings in batches of 1,000.
"""

import datetime
import pathlib
import statistics
import tempfile
import time

from cryptography import fernet

from psvm_listener.db import api
from psvm_listener.db import models
from tests import databases

SWITCHES = 40
PORTS = [f'ethernet1/{p}' for p in range(1, 49)] + [
    f'ethernet{fex}/1/{p}' for fex in range(101, 105) for p in range(1, 49)]
CALLS = 200
ARCHIVED = 5000


def run():
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        key_file = pathlib.Path(tmp) / 'credential.key'
        key_file.write_bytes(fernet.Fernet.generate_key())
        for kind in databases.KINDS:
            with databases.fresh_database(kind, pathlib.Path(tmp)) as url:
                with api.Database(url, key_file=str(key_file)) as db:
                    figures.update(_measure(kind, db))
    return figures


def _measure(kind, db):
    db.create_schema()
    switch_ids = _fill(db)
    at = datetime.datetime.now(datetime.timezone.utc)
    figures = {
        f'{kind}_list_bindings_of_switch_ms': _median_ms(
            lambda i: db.list_bindings(switch_id=switch_ids[i % SWITCHES])),
        f'{kind}_switch_login_ms': _median_ms(
            lambda i: db.switch_login(switch_ids[i % SWITCHES])),
        f'{kind}_record_sync_ms': _median_ms(
            lambda i: db.record_sync(switch_ids[i % SWITCHES], at=at, result='ok',
                                     lif_usage=i, drift=0)),
        f'{kind}_list_bindings_of_50_nodes_ms': _median_ms(
            lambda i: db.list_bindings(compute_node_ids=range(i * 50 + 1, i * 50 + 51))),
    }
    _soft_delete_bindings(db, ARCHIVED)
    started = time.perf_counter()
    while sum(db.archive_deleted_rows(1000).values()):
        pass
    figures[f'{kind}_archive_rows_per_s'] = round(ARCHIVED / (time.perf_counter() - started))
    return figures


def _median_ms(call):
    times = []
    for i in range(CALLS):
        started = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2)


def _fill(db):
    """Credential and switches through the API, bindings in bulk."""
    cred = db.create_credential(user_name='admin', password='admin')
    switch_ids = [db.create_switch(ip=f'10.1.0.{n + 1}', switch_cred_id=cred['id'])['id']
                  for n in range(SWITCHES)]
    now = api.now()
    rows = [{'switch_id': switch_id, 'compute_node_id': n * len(PORTS) + p + 1,
             'switch_port': port, 'created_at': now, 'deleted': 0}
            for n, switch_id in enumerate(switch_ids) for p, port in enumerate(PORTS)]
    with db.engine.begin() as connection:
        connection.execute(models.SwitchportBinding.__table__.insert(), rows)
    return switch_ids


def _soft_delete_bindings(db, count):
    table = models.SwitchportBinding.__table__
    with db.engine.begin() as connection:
        connection.execute(table.update().where(table.c.id <= count).values(
            deleted=table.c.id, deleted_at=api.now()))
