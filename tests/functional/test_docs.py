"""The documentation and the release notes build without a single warning
(``tox -e docs``, ``tox -e releasenotes``), so neither can rot unseen: a
reference generated from code that changed, a page left out of a toctree or
a broken cross-reference fails here."""

import html as html_lib
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parents[2]


def build(source, out):
    """sphinx-build with warnings as errors; the completed process."""
    return subprocess.run(
        [sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-E', '-q', '-b', 'html',
         '-d', str(out / 'doctrees'), str(ROOT / source), str(out / 'html')],
        capture_output=True, text=True, timeout=600, cwd=ROOT)


@pytest.fixture(scope='module')
def docs(tmp_path_factory):
    out = tmp_path_factory.mktemp('docs')
    return build('doc/source', out), out / 'html'


def test_docs_build_without_warnings(docs):
    result, html = docs
    assert result.returncode == 0, result.stderr
    assert (html / 'index.html').exists()


@pytest.mark.parametrize('page, text', [
    ('configuration/options.html', 'psvm_max_removal_ratio'),
    ('configuration/sample.html', '#psvm_sync_interval = 60'),
    ('configuration/policy.html', 'psvm:status:show'),
    ('reference/api.html', 'DELETE /v2/os-psvmpbind/{id}'),
    ('reference/api.html', 'e100/1/1 is returned as ethernet100/1/1'),
    ('cli/psvm-manage.html', 'psvm-manage credential-key rotate'),
    ('cli/psvm.html', 'psvm switch create'),
    ('cli/psvm-status.html', '--json'),
    ('install/nova-database.html', 'GRANT SELECT ON nova.migrations TO'),
])
def test_references_are_generated_from_the_code(docs, page, text):
    _, html = docs
    assert text in shown((html / page).read_text())


def test_release_notes_build_without_warnings(tmp_path):
    result = build('releasenotes/source', tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'psvm-status upgrade check' in shown(
        (tmp_path / 'html' / 'unreleased.html').read_text())


def shown(page):
    """The text a reader sees: tags dropped, entities decoded."""
    return html_lib.unescape(re.sub(r'<[^>]+>', '', page))
