"""What ``pip install`` puts on a machine: the product's package only (no
tests, no benchmarks, no switch simulator), nothing of it importing tests;
and the ``psvm`` client working without the services' dependencies."""

import ast
import pathlib
import re
import subprocess
import sys
import textwrap
from importlib import metadata

import pytest
import tomllib

from tests import wheels

ROOT = pathlib.Path(__file__).parents[2]
PROJECT = tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    return wheels.build(tmp_path_factory.mktemp('wheel'))


def test_wheel_holds_the_product_package_only(wheel):
    tops = {name.split('/')[0] for name in wheel.namelist()}
    assert tops == {'psvm_listener', f"psvm_listener-{PROJECT['version']}.dist-info"}
    assert 'psvm_listener/db/migrations/script.py.mako' in wheel.namelist()


def test_nothing_installed_imports_tests_bench_or_the_simulator(wheel):
    """Only the demo (psvm_listener/lab/, psvm-lab) drives nexus-sim's switches."""
    offenders = []
    for name in wheel.namelist():
        if not name.endswith('.py'):
            continue
        for node in ast.walk(ast.parse(wheel.read(name))):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ''] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f'{name}: {m}' for m in modules
                          if m.split('.')[0] in ('tests', 'bench')
                          or (m.split('.')[0] == 'nexus_sim'
                              and not name.startswith('psvm_listener/lab/'))]
    assert offenders == []


def test_every_entry_point_is_in_the_installed_metadata():
    installed = {(e.group, e.name) for e in metadata.distribution('psvm-listener').entry_points}
    declared = {('console_scripts', name) for name in PROJECT['scripts']} | {
        (group, name) for group, points in PROJECT['entry-points'].items() for name in points}
    assert declared == installed


def _distributions(requirements):
    return {re.split(r'[<>=!~;\[ ]', r, maxsplit=1)[0].strip() for r in requirements}


def _closure(names):
    """Distributions ``names`` need, transitively (markers and extras ignored,
    so the closure is if anything too large: nothing it holds gets hidden)."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        key = dist.metadata['Name'].lower().replace('_', '-')
        if key in seen:
            continue
        seen.add(key)
        todo += _distributions(r for r in dist.requires or () if 'extra ==' not in r)
    return seen


def services_only_modules():
    """Top-level modules of the distributions only [services] brings in."""
    client = _closure(_distributions(PROJECT['dependencies']))
    services = _closure(_distributions(PROJECT['optional-dependencies']['services'])) - client
    owners = metadata.packages_distributions()
    return sorted(module for module, dists in owners.items()
                  if {d.lower().replace('_', '-') for d in dists} <= services)


def test_client_runs_without_the_services_dependencies():
    hidden = services_only_modules()
    assert {'oslo_messaging', 'ncclient', 'cheroot', 'alembic', 'pymysql'} <= set(hidden)
    script = textwrap.dedent(f'''
        import importlib.abc, sys
        HIDDEN = set({hidden!r})
        class Hide(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] in HIDDEN:
                    raise ModuleNotFoundError(f'{{name}} is a services-only dependency')
        sys.meta_path.insert(0, Hide())
        import psvm_listener.osc.plugin
        from psvm_listener.cmd import client
        sys.exit(client.main(['--help']))
        ''')
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert 'switch create' in result.stdout
