"""psvm-api: latency of each kind of call and throughput of concurrent
reads, through the real cheroot server (noauth, loopback) per backend.

The tables hold 10 switches with 48 bindings each; figures are medians of
CALLS calls.  Throughput is GET /v2/os-psvm (10 rows) from CLIENTS threads.
"""

import concurrent.futures
import pathlib
import statistics
import tempfile
import time

import requests

from tests import databases
from tests.functional.api import serving

SWITCHES = 10
PORTS = [f'ethernet1/{p}' for p in range(1, 49)]
CALLS = 100
CLIENTS = 8
READS = 800


def run():
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = pathlib.Path(tmp)
        options = serving.config(tmp_path, auth_strategy='noauth')
        for kind in databases.KINDS:
            with databases.fresh_database(kind, tmp_path) as url:
                with serving.running(options, url, tmp_path) as api:
                    figures.update(_measure(kind, api))
    return figures


def _measure(kind, api):
    cred = _ok(api.call('POST', '/v2/os-psvmcred', json={
        'psvmcred': {'user_name': 'admin', 'password': 'secret'}}))['psvmcred']
    started = time.perf_counter()
    switch_ids = [_ok(api.call('POST', '/v2/os-psvm', json={'psvm': {
        'ip': f'192.0.2.{n + 1}', 'switch_cred_id': cred['id']}}))['psvm']['id']
        for n in range(SWITCHES)]
    bindings = [{'switch_id': s, 'compute_node_id': i + 1, 'switch_port': port}
                for s in switch_ids for i, port in enumerate(PORTS)]
    create_ms = _median_ms(bindings, lambda b: api.call(
        'POST', '/v2/os-psvmpbind', json={'psvmpbind': b}))
    fill_seconds = time.perf_counter() - started
    return {
        f'{kind}_create_binding_ms': create_ms,
        f'{kind}_fill_{len(bindings)}_bindings_s': round(fill_seconds, 2),
        f'{kind}_show_switch_ms': _median_ms(
            range(CALLS), lambda i: api.call('GET', f'/v2/os-psvm/{switch_ids[i % SWITCHES]}')),
        f'{kind}_list_bindings_of_switch_ms': _median_ms(
            range(CALLS), lambda i: api.call('GET', '/v2/os-psvmpbind',
                                             params={'switch_id': switch_ids[i % SWITCHES]})),
        f'{kind}_update_switch_ms': _median_ms(
            range(CALLS), lambda i: api.call('PUT', f'/v2/os-psvm/{switch_ids[i % SWITCHES]}',
                                             json={'psvm': {'description': f'rack {i}'}})),
        f'{kind}_list_switches_per_s_{CLIENTS}_clients': _reads_per_second(api.url),
    }


def _ok(response):
    response.raise_for_status()
    return response.json()


def _median_ms(items, call):
    times = []
    for item in items:
        started = time.perf_counter()
        response = call(item)
        times.append(time.perf_counter() - started)
        response.raise_for_status()
    return round(statistics.median(times) * 1000, 2)


def _reads_per_second(url):
    sessions = [requests.Session() for _ in range(CLIENTS)]

    def read(i):
        sessions[i % CLIENTS].get(f'{url}/v2/os-psvm', timeout=30).raise_for_status()

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(read, range(READS)))
    return round(READS / (time.perf_counter() - started))
