"""Every console script as installed: --version, and what --help says first."""

import os
import subprocess
import sys
from importlib import metadata

import pytest

BIN = os.path.dirname(sys.executable)
SCRIPTS = ('psvm-listener', 'psvm-api', 'psvm-manage', 'psvm-status', 'psvm', 'psvm-lab')


def run(script, *args):
    return subprocess.run([os.path.join(BIN, script), *args], capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize('script', SCRIPTS)
def test_version_is_the_package_version(script):
    done = run(script, '--version')
    assert done.returncode == 0, done.stderr
    assert (done.stdout + done.stderr).split()[-1] == metadata.version('psvm-listener')


@pytest.mark.parametrize('script, first_line', [
    ('psvm-listener', 'psvm-listener: keep switch ports in step with nova, driven by its '
                      'events.'),
    ('psvm-api', "psvm-api: serve the REST API over PSVM's switches, credentials and "
                 'bindings.'),
])
def test_help_starts_with_what_the_program_is(script, first_line):
    done = run(script, '--help')
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == first_line
