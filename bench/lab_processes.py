"""Lab switches in processes of their own, so no figure carries the lab's CPU.

``LabProcesses(count, fex=..., per_process=N)`` starts ``nexus-sim``
(``python -m nexus_sim.cli``) processes of at most N switches each, several,
so that the lab is never the bottleneck on two cores; ``.switches`` are
``RemoteSwitch`` handles with the LabSwitch calls the benchmarks use, over
the lab's loopback control interface; ``cpu_seconds()`` is the CPU the lab
processes used (user + system), to report beside the listener's.
"""

import collections
import contextlib
import os
import subprocess
import sys
import time
import urllib.parse

from nexus_sim import control
from nexus_sim import vlans as sim_vlans
from psvm_listener import vlans as vlan_sets

CLOCK_TICKS = os.sysconf('SC_CLK_TCK')
NxapiFront = collections.namedtuple('NxapiFront', 'url address')


class RemoteSwitch:
    """One switch of a lab process, seen through its control interface."""

    def __init__(self, client, name, address, fingerprint):
        self.client = client
        self.name = name
        self.address = address
        self.fingerprint = fingerprint
        self.nxapi = {}
        self.tls_fingerprint = None
        self._ports = None

    def ports(self):
        if self._ports is None:
            self._ports = list(self.client.state(self.name)['ports'])
        return self._ports

    def allowed_map(self):
        """Port → allowed VLANs, one snapshot (one request for every port)."""
        return {port: vlan_sets.parse(text)
                for port, text in self.client.state(self.name)['ports'].items()}

    def allowed(self, port):
        return self.allowed_map()[port]

    def set_allowed(self, port, vlans):
        every = vlans is vlan_sets.ALL or vlans is sim_vlans.ALL
        self.client.set_allowed(self.name, port,
                                'all' if every else vlan_sets.format(frozenset(vlans)))

    def journal(self, since=0):
        return [dict(entry, vlans=vlan_sets.parse(entry['vlans']))
                for entry in self.client.journal(self.name, since)]

    def rpc_counts(self):
        return self.client.state(self.name)['rpc_counts']

    def wait_for(self, predicate, timeout=10.0, interval=0.05):
        """Poll ``predicate`` until it gives a true value (returned) or raise."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f'lab: condition not met within {timeout} s')
            time.sleep(interval)


def _start(names, ports, fex, limits, nxapi_https):
    command = [sys.executable, '-m', 'nexus_sim.cli', '--ports', ports,
               '--lif-limit', '1000000']
    for option, value in sorted(limits.items()):
        command += [f'--{option.replace("_", "-")}', str(value)]
    if fex:
        command += ['--fex', ','.join(map(str, fex))]
    if nxapi_https:
        command += ['--nxapi-https', '0']
    for name in names:
        command += ['--listen', f'{name}=127.0.0.1:0']
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    switches, fronts = [], {}
    while True:
        line = process.stdout.readline().split()
        if line[:1] == ['ready'] and len(line) == 4:
            host, port = line[2].rsplit(':', 1)
            switches.append((line[1], (host, int(port)), line[3]))
        elif line[:1] == ['nxapi'] and len(line) >= 3:
            fronts[line[1]] = line[2:]
        elif line[:1] == ['control'] and len(line) == 2:
            break
        else:
            process.kill()
            raise RuntimeError(f'nexus-sim did not start: {line}')
    client = control.ControlClient(line[1], timeout=60)
    remotes = [RemoteSwitch(client, *switch) for switch in switches]
    for remote in remotes:
        if remote.name in fronts:
            url, *fingerprint = fronts[remote.name]
            parsed = urllib.parse.urlsplit(url)
            remote.nxapi['https'] = NxapiFront(url, (parsed.hostname, parsed.port))
            remote.tls_fingerprint = fingerprint[0] if fingerprint else None
    return process, remotes


class LabProcesses(contextlib.AbstractContextManager):
    """``count`` lab switches of ``ports`` and ``fex`` over several processes;
    ``limits`` as nexus-sim's options (max_list_items=400...); NX-API on
    HTTPS too if ``nxapi_https``."""

    def __init__(self, count, fex=(), ports='1/1-48', per_process=4, nxapi_https=False,
                 **limits):
        self.processes, self.switches = [], []
        names = [f'lab{index}' for index in range(count)]
        try:
            for start in range(0, count, per_process):
                process, switches = _start(names[start:start + per_process], ports, fex,
                                           limits, nxapi_https)
                self.processes.append(process)
                self.switches.extend(switches)
        except BaseException:
            self.close()
            raise

    def cpu_seconds(self):
        """User + system CPU seconds of every lab process so far."""
        return sum(process_cpu_seconds(process.pid) for process in self.processes)

    def close(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __exit__(self, *exc_info):
        self.close()


def process_cpu_seconds(pid):
    """User + system CPU seconds of a live process (/proc/PID/stat)."""
    with open(f'/proc/{pid}/stat') as stat:
        fields = stat.read().rpartition(')')[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_threads(pid):
    with open(f'/proc/{pid}/status') as status:
        for line in status:
            if line.startswith('Threads:'):
                return int(line.split()[1])
    return None
