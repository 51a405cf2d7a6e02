"""The product's wheel, built as pip builds it, for the packaging tests."""

import pathlib
import shutil
import subprocess
import sys
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[1]


def build(directory):
    """Build from a copy of the tree: a build in the tree itself rewrites its
    ``psvm_listener.egg-info``, which the running tests read their entry
    points from, and leaves ``build/`` in it."""
    tree = directory / 'tree'
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(
        '.*', '__pycache__', '*.egg-info', 'build', 'dist', 'state'))
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--quiet',
                    '--no-build-isolation', '--wheel-dir', str(directory / 'dist'), str(tree)],
                   check=True, capture_output=True, timeout=300)
    return zipfile.ZipFile(next((directory / 'dist').glob('psvm_listener-*.whl')))
