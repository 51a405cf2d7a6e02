"""Chaos suite fixtures; figures of every case are printed at the end.

Run apart from ``make test``: ``make chaos``.
"""

import json

import pytest

from tests.functional.chaos import world as chaos_world

FIGURES = []


@pytest.fixture
def world(tmp_path):
    with chaos_world.World(tmp_path) as made:
        yield made


@pytest.fixture
def record():
    """``record(figures)`` keeps one case's figures for the summary."""
    return FIGURES.append


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section('chaos figures')
        for figures in FIGURES:
            terminalreporter.write_line(json.dumps(figures))
