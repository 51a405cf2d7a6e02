"""Concurrent editors: two sessions each editing on what they read before the other."""

from nexus_sim import model


def record(session, kind, started, ended):
    return model.RpcRecord(session, kind, started, ended)


def test_edits_one_after_the_other_do_not_clash():
    log = [record(1, 'exec-command', 0.0, 0.1), record(1, 'edit-config', 0.2, 0.3),
           record(2, 'exec-command', 0.4, 0.5), record(2, 'edit-config', 0.6, 0.7)]
    assert model.concurrent_edits(log) == []


def test_a_read_between_another_sessions_read_and_edit_is_no_clash():
    log = [record(1, 'exec-command', 0.0, 0.1), record(2, 'exec-command', 0.15, 0.2),
           record(1, 'edit-config', 0.2, 0.3)]
    assert model.concurrent_edits(log) == []


def test_an_edit_inside_another_sessions_read_modify_write_clashes():
    log = [record(1, 'exec-command', 0.0, 0.1), record(2, 'exec-command', 0.12, 0.14),
           record(2, 'edit-config', 0.15, 0.18), record(1, 'edit-config', 0.2, 0.3)]
    assert model.concurrent_edits(log) == [(1, 2)]
