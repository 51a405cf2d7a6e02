"""Guru Meditation reports (oslo.reports): what every thread is doing, on SIGUSR2.

psvm-listener runs one sync thread per switch (``sync-<switch id>``), the
notification and RPC executors and the timers; when a switch hangs or a sync
never ends, the stacks of those threads are the first thing an operator
needs.  oslo.reports' own thread section numbers threads by ident only, so a
section of its own names each thread; the service may add sections of its
own (the listener adds its switches' queues).

``kill -USR2 <pid>`` writes the report to stderr, or to a file in
``[oslo_reports] log_dir`` when it is set.
"""

import sys
import threading
import traceback

from oslo_reports import guru_meditation_report as gmr
from oslo_reports import opts as gmr_opts

from psvm_listener import version


def register_opts(conf):
    for group, opts in gmr_opts.list_opts():
        conf.register_opts(opts, group=group)


def named_threads():
    """Every live thread by name, with its stack, newest frame last."""
    frames = sys._current_frames()
    blocks = []
    for thread in sorted(threading.enumerate(), key=lambda t: t.name):
        frame = frames.get(thread.ident)
        kind = 'daemon' if thread.daemon else 'thread'
        stack = ''.join(traceback.format_stack(frame)) if frame else '  (no frame)\n'
        blocks.append(f'------ {kind} {thread.name} (ident {thread.ident}) ------\n{stack}')
    return '\n'.join(blocks)


def setup(conf, service_name, sections=()):
    """Write a report on SIGUSR2 (or on changes to ``[oslo_reports]
    file_event_handler``).  ``sections``: (title, callable returning text)."""
    gmr.TextGuruMeditation.persistent_sections = [('Threads by name', named_threads),
                                                  *sections]
    gmr.TextGuruMeditation.setup_autorun(version.VERSION, service_name=service_name,
                                         conf=conf)
