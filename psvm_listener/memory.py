"""Keep the listener's resident memory near what it really holds.

A full sync of a switch with thousands of ports builds and parses replies
of megabytes; CPython frees them, but glibc keeps the freed pages in its
arenas (one per thread that allocates, up to eight per core), so the RSS
would stay at the sum of the peaks of every worker thread.  The listener
limits the arenas at start (``limit_arenas``, before any thread runs) and
returns free pages after each full sync (``release_free_memory``).
Elsewhere than glibc both do nothing.
"""

import ctypes
import ctypes.util

_LIBC_NAME = ctypes.util.find_library('c')
_libc = ctypes.CDLL(_LIBC_NAME) if _LIBC_NAME else None
_trim = getattr(_libc, 'malloc_trim', None)
_mallopt = getattr(_libc, 'mallopt', None)
M_ARENA_MAX = -8


def release_free_memory():
    if _trim is not None:
        _trim(0)


def limit_arenas(count):
    """At most ``count`` malloc arenas; call before starting threads."""
    if _mallopt is not None:
        _mallopt(M_ARENA_MAX, count)
