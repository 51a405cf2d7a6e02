"""Console scripts' main functions called in-process, as their scripts
would run them: argv, stdin, stdout and stderr their own, and the
process-wide state they touch (oslo.config's CONF, the root logger that
cliff configures) put back afterwards."""

import contextlib
import io
import logging
import subprocess
import sys

from psvm_listener import conf


def call_main(main, argv, stdin=None):
    """``main(argv)``'s exit code and output, as a CompletedProcess."""
    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    streams = (contextlib.redirect_stdout(out), contextlib.redirect_stderr(err))
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or '')
    try:
        with streams[0], streams[1]:
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code
    finally:
        sys.stdin = old_stdin
        conf.CONF.clear()
        for handler in set(root.handlers) - set(handlers):
            root.removeHandler(handler)
        root.setLevel(level)
    return subprocess.CompletedProcess(argv, code or 0, out.getvalue(), err.getvalue())
