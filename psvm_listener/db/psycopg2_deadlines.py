"""psycopg2 connections whose every wait on the server has a deadline.

libpq has no read timeout: ``statement_timeout`` is the server's, TCP
keepalives and ``tcp_user_timeout`` end a connection only when the peer
stops acknowledging.  A server gone behind something that still
acknowledges (a proxy, a NAT, a load balancer keeping the client side up)
leaves a query waiting forever, and with it a switch's worker.  psycopg2's
wait callback (one per process) lets the client wait itself: each wait for
the socket is bounded by the connection's timeouts, and a wait that misses
its deadline raises what SQLAlchemy takes for a disconnect (retry-later; the
pool closes and drops the connection).
"""

import functools
import select

import psycopg2
import psycopg2.extensions

_WAITS = {psycopg2.extensions.POLL_READ: lambda fd: ([fd], [], []),
          psycopg2.extensions.POLL_WRITE: lambda fd: ([], [fd], [])}


class DeadlineConnection(psycopg2.extensions.connection):
    """A connection that knows how long it may wait (set on subclasses)."""

    connect_timeout = None
    query_timeout = None


@functools.cache
def connection_factory(connect_timeout, query_timeout):
    """The connection class for these timeouts (seconds), for
    ``psycopg2.connect(connection_factory=...)``; installs the wait callback."""
    psycopg2.extensions.set_wait_callback(wait)
    return type('DeadlineConnection', (DeadlineConnection,),
                {'connect_timeout': connect_timeout, 'query_timeout': query_timeout})


def wait(connection):
    """psycopg2's wait callback: poll until done, each wait bounded (other
    connections of the process, without timeouts, wait as libpq would)."""
    connecting = connection.status == psycopg2.extensions.STATUS_SETUP
    timeout = getattr(connection, 'connect_timeout' if connecting else 'query_timeout', None)
    while True:
        state = connection.poll()
        if state == psycopg2.extensions.POLL_OK:
            return
        if state not in _WAITS:
            raise psycopg2.OperationalError(f'unexpected poll state {state}')
        if not any(select.select(*_WAITS[state](connection.fileno()), timeout)):
            # Not closed here: psycopg2 holds the connection's lock during the
            # wait.  SQLAlchemy reads the message as a disconnect and closes it.
            raise psycopg2.OperationalError(
                f'could not receive data from server: no answer within {timeout:g} s')
