"""Lab switch speed: small RPCs per second and `show running-config` of 240 ports.

The switch runs as ``psvm-nexus-sim`` in its own process (ports 1/1-48 and
FEX 101-104: 240 ports); the client is the raw NETCONF client, which adds
no wait of its own.  Every port carries 120 VLANs in 60 runs, so the
running-config wraps into continuation lines as on a busy switch; each
port's list is shifted by its index, so no two ports render alike.
"""

import concurrent.futures
import statistics
import subprocess
import sys
import time

from ncclient import manager

from nexus_sim.client import RawNetconfClient
from psvm_listener import vlans as vlan_sets

SMALL_RPCS = 2000
NCCLIENT_RPCS = 30
SESSIONS = 8
RUNNING_CONFIG_READS = 50
NXOS = b'http://www.cisco.com/nxos:1.0'
PORT_VLANS = frozenset(v for start in range(100, 700, 10) for v in (start, start + 1))


def start_switch():
    process = subprocess.Popen(
        [sys.executable, '-m', 'nexus_sim.cli', '--fex', '101-104',
         '--max-list-items', '200'],
        stdout=subprocess.PIPE, text=True)
    ready = process.stdout.readline().split()
    if not ready or ready[0] != 'ready':
        process.kill()
        raise RuntimeError(f'psvm-nexus-sim did not start: {ready}')
    host, port = ready[2].rsplit(':', 1)
    return process, (host, int(port))


def exec_command(*commands):
    cmds = b''.join(b'<cmd>%s</cmd>' % c.encode() for c in commands)
    return b'<exec-command xmlns="%s">%s</exec-command>' % (NXOS, cmds)


def edit_allowed(port_number, step):
    """edit-config of one port's allowed list; ``step`` is the XML inside <vlan>."""
    return (b'<edit-config><target><running/></target><config><configure>'
            b'<__XML__MODE__exec_configure><interface><ethernet><interface>%s</interface>'
            b'<__XML__MODE_if-ethernet-switch><switchport><trunk><allowed><vlan>%s'
            b'</vlan></allowed></trunk></switchport></__XML__MODE_if-ethernet-switch>'
            b'</ethernet></interface></__XML__MODE__exec_configure></configure></config>'
            b'</edit-config>') % (port_number.encode(), step.encode())


def fill_ports(client):
    """Replace the allowed list of all 240 ports by a long one; edits per second."""
    numbers = [f'1/{p}' for p in range(1, 49)] + [
        f'{fex}/1/{p}' for fex in range(101, 105) for p in range(1, 49)]
    texts = [vlan_sets.format(frozenset(v + index for v in PORT_VLANS))
             for index in range(len(numbers))]
    started = time.perf_counter()
    for number, text in zip(numbers, texts, strict=True):
        reply = client.rpc(edit_allowed(number, f'<vlan_id>{text}</vlan_id>'))
        assert b'<ok/>' in reply, reply
    return len(numbers) / (time.perf_counter() - started)


def small_rpcs_per_second(client):
    """Alternating one-port read and one-VLAN edit, one session, back to back."""
    read = exec_command('show running-config interface ethernet1/1')
    edits = [edit_allowed('1/2', '<add><add-vlans>3000</add-vlans></add>'),
             edit_allowed('1/2', '<remove><remove-vlans>3000</remove-vlans></remove>')]
    started = time.perf_counter()
    for index in range(SMALL_RPCS):
        reply = client.rpc(edits[index // 2 % 2] if index % 2 else read)
    assert b'rpc-error' not in reply, reply
    return SMALL_RPCS / (time.perf_counter() - started)


def parallel_small_rpcs_per_second(address):
    """The same mix on 8 sessions at once (NX-OS's session limit), 8 client threads."""
    clients = [RawNetconfClient(address, 'admin', 'secret') for _ in range(SESSIONS)]
    try:
        with concurrent.futures.ThreadPoolExecutor(SESSIONS) as pool:
            started = time.perf_counter()
            list(pool.map(small_rpcs_per_second, clients))
            return SESSIONS * SMALL_RPCS / (time.perf_counter() - started)
    finally:
        for client in clients:
            client.close()


def ncclient_rpcs_per_second(address):
    """ncclient as shipped: its session thread adds up to 100 ms before each send."""
    host, port = address
    with manager.connect(host=host, port=port, username='admin', password='secret',
                         device_params={'name': 'nexus'}, hostkey_verify=False,
                         look_for_keys=False, allow_agent=False) as session:
        started = time.perf_counter()
        for _ in range(NCCLIENT_RPCS):
            session.exec_command(['show running-config interface ethernet1/1'])
        return NCCLIENT_RPCS / (time.perf_counter() - started)


def running_config_latencies(client):
    """Seconds per read, the first right after every port changed (the
    switch renders a port when it changes, so that cost is in the edits)."""
    request = exec_command('show running-config')
    latencies = []
    for _ in range(RUNNING_CONFIG_READS + 1):
        started = time.perf_counter()
        reply = client.rpc(request)
        latencies.append(time.perf_counter() - started)
    assert reply.count(b'interface Ethernet') == 240, 'expected 240 ports'
    return latencies[0], latencies[1:], len(reply)


def run():
    process, address = start_switch()
    try:
        with RawNetconfClient(address, 'admin', 'secret') as client:
            edits_per_second = fill_ports(client)
            rpcs_per_second = small_rpcs_per_second(client)
            cold, warm, size = running_config_latencies(client)
        parallel_per_second = parallel_small_rpcs_per_second(address)
        ncclient_per_second = ncclient_rpcs_per_second(address)
    finally:
        process.terminate()
        process.wait(timeout=10)
    return {
        'small_rpcs_per_s': round(rpcs_per_second),
        'small_rpcs_per_s_8_sessions': round(parallel_per_second),
        'ncclient_as_shipped_rpcs_per_s': round(ncclient_per_second, 1),
        'long_list_edits_per_s': round(edits_per_second),
        'show_running_config_240_ports_ms_first': round(cold * 1e3, 2),
        'show_running_config_240_ports_ms_median': round(statistics.median(warm) * 1e3, 2),
        'show_running_config_240_ports_ms_p95': round(
            statistics.quantiles(warm, n=20)[-1] * 1e3, 2),
        'show_running_config_reply_bytes': size,
    }
