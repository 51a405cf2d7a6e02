"""The passwords the suite uses, and what every test checks after it ran:
none of them is in a log line it emitted nor in a log file it wrote.

A test (or helper) that uses a password registers it with ``password()``;
the autouse fixture in ``tests/conftest.py`` does the checking.
"""

import logging
import time

PASSWORDS = set()


def password(text):
    PASSWORDS.add(text)
    return text


class Recorder(logging.Handler):
    """Every record that reaches the root logger, formatted with its args."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        try:
            self.lines.append(record.getMessage())
        except Exception:  # a record that cannot format holds no password either
            self.lines.append(str(record.msg))


def leaks(lines, base_dir, since):
    """The registered passwords found in ``lines`` or in the ``*.log`` files
    under ``base_dir`` written since ``since``."""
    texts = list(lines)
    for path in base_dir.rglob('*.log'):
        if path.stat().st_mtime >= since:
            texts.append(path.read_text(errors='replace'))
    return sorted(p for p in PASSWORDS if any(p in text for text in texts))


def now():
    return time.time() - 1
