"""The systemd units and the Dockerfile: valid for the tools that read them,
and they start the console scripts the package installs.

No Docker engine runs on the project's machines, so the image is linted
(hadolint), not built.
"""

import configparser
import os
import pathlib
import shutil
import subprocess
import sys
from importlib import metadata

import pytest

ROOT = pathlib.Path(__file__).parents[2]
UNITS = sorted((ROOT / 'etc' / 'systemd').glob('*.service'))
BIN = pathlib.Path(sys.executable).parent


def console_scripts():
    return {e.name for e in metadata.distribution('psvm-listener').entry_points
            if e.group == 'console_scripts'}


def unit(path):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_there_is_a_unit_per_service():
    assert [u.name for u in UNITS] == ['psvm-api.service', 'psvm-listener.service']


@pytest.mark.parametrize('path', UNITS, ids=lambda p: p.name)
def test_unit_starts_its_console_script_stops_on_sigterm_and_restarts(path):
    service = unit(path)['Service']
    command = service['ExecStart'].split()
    assert command[0] == f'/usr/bin/{path.stem}' and path.stem in console_scripts()
    assert command[1:] == ['--config-file', '/etc/psvm/psvm.conf']
    assert service['KillSignal'] == 'SIGTERM'
    assert service['Restart'] == 'on-failure'
    assert service['StateDirectory'] == 'psvm'


def test_units_pass_systemd_analyze_verify(tmp_path):
    """systemd's own parser: an unknown key or a bad value is a complaint on
    stderr (exit status 0 all the same), and ExecStart must exist."""
    for path in UNITS:
        text = path.read_text().replace('/usr/bin/', f'{BIN}/')
        (tmp_path / path.name).write_text(text)
    result = subprocess.run(['systemd-analyze', 'verify',
                             *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ''


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which('hadolint', path=f'{BIN}{os.pathsep}{os.environ["PATH"]}')
    result = subprocess.run([hadolint, '--no-color', str(ROOT / 'Dockerfile')],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_runs_a_console_script_of_the_package():
    lines = (ROOT / 'Dockerfile').read_text().splitlines()
    cmd = next(line for line in lines if line.startswith('CMD '))
    assert cmd == 'CMD ["psvm-listener", "--config-file", "/etc/psvm/psvm.conf"]'
    assert 'psvm-listener' in console_scripts()
    assert 'STOPSIGNAL SIGTERM' in lines
