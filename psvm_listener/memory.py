"""Keep the listener's resident memory near what it really holds.

A full sync of a switch with thousands of ports builds and parses replies
of megabytes; CPython frees them, but glibc keeps the freed pages in its
arenas (one per thread that allocates, up to eight per core), so the RSS
would stay at the sum of the peaks of every worker thread.  The listener
limits the arenas at start (``limit_arenas``, before any thread runs) and
returns free pages after each full sync (``release_free_memory``).
Elsewhere than glibc both do nothing.  It also spaces out CPython's cyclic
garbage collections (``space_collections``).
"""

import ctypes
import ctypes.util
import gc

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


COLLECTION_THRESHOLDS = (50000, 20, 10)
"""gc thresholds of the listener; CPython's are (700, 10, 10)."""


def space_collections():
    """Collect cyclic garbage after 50,000 new containers, not 700.

    A full sync of 100,000 ports makes millions of containers that live
    (replies, parsed lists, plans, the facts written): with CPython's
    thresholds a fifth of its CPU went to collections that found almost
    nothing, 2.5 s of an 11.4 s sync.  The listener makes little cyclic
    garbage, and what it makes dies young, in the first generation's
    collections."""
    gc.set_threshold(*COLLECTION_THRESHOLDS)
