"""nexus-sim needs nothing of psvm-listener: a bug shared with the driver it
tests would otherwise pass every test."""

import ast
import pathlib
import subprocess
import sys

import nexus_sim

PACKAGE = pathlib.Path(nexus_sim.__file__).parent
IMPORT_EVERY_MODULE = '''
import importlib, pkgutil, sys
import nexus_sim
for module in pkgutil.walk_packages(nexus_sim.__path__, 'nexus_sim.'):
    importlib.import_module(module.name)
print(sorted(name for name in sys.modules if name.split('.')[0] == 'psvm_listener'))
'''


def imported_packages(path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module.split('.')[0]


def test_no_module_names_psvm_listener_in_an_import():
    offenders = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob('*.py')
                       if 'psvm_listener' in set(imported_packages(path)))
    assert offenders == []


def test_importing_every_module_loads_nothing_of_psvm_listener():
    loaded = subprocess.run([sys.executable, '-c', IMPORT_EVERY_MODULE], check=True,
                            capture_output=True, text=True, cwd=PACKAGE.parent).stdout
    assert loaded.strip() == '[]'
