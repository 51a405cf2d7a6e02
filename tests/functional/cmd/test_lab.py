"""psvm-lab end to end: the scenario finishes with every port correct on a
switch of each family, through RabbitMQ when it answers and through the
in-process transport when not."""

import re
import socket
import subprocess
import sys
import textwrap

import pytest

from psvm_listener.lab import stack


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize('rabbit_url, transport_words', [
    (stack.RABBIT_URL, 'messaging through RabbitMQ at 127.0.0.1:5672'),
    (None, 'messaging through in-process transport'),
])
def test_lab_scenario_ends_with_every_port_correct(tmp_path, rabbit_url, transport_words):
    rabbit_url = rabbit_url or f'rabbit://guest:guest@127.0.0.1:{closed_port()}/'
    result = subprocess.run(
        [sys.executable, '-m', 'psvm_listener.cmd.lab', '--state-dir', str(tmp_path),
         '--events', '100', '--rabbit-url', rabbit_url],
        capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert transport_words in result.stdout
    assert 'every bound port allows exactly what nova needs' in result.stdout
    for figure in ('initial full sync (s)', 'event→switch latency p50 (ms)',
                   'drift repaired by timer (s)', 'drift repaired by resync cast (s)',
                   'LIF lab1 before → after'):
        assert figure in result.stdout
    assert re.search(r'^\| ports wrong at the end +\| 0 ', result.stdout, re.MULTILINE)
    right = dict(re.findall(r'^\| lab\d \((\w+)\) ports right +\| ([\d,]+ of [\d,]+)',
                            result.stdout, re.MULTILINE))
    assert set(right) == {'cisco_nexus_netconf', 'cisco_nexus_nxapi'}, result.stdout
    for counts in right.values():
        done, of = counts.split(' of ')
        assert done == of and int(of.replace(',', '')) > 0, counts


def test_without_nexus_sim_psvm_lab_says_what_to_install():
    hide = textwrap.dedent('''
        import importlib.abc, sys
        class Hide(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] == 'nexus_sim':
                    raise ModuleNotFoundError(f'No module named {name!r}', name=name)
        sys.meta_path.insert(0, Hide())
        from psvm_listener.cmd import lab
        ''')
    result = subprocess.run([sys.executable, '-c', hide], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1 and 'Traceback' not in result.stderr, result.stderr
    assert 'pip install ./nexus_sim' in result.stderr
