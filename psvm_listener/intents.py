"""Moves in flight: instance VLANs a destination needs before nova says so.

Live migration and resize start on the destination (``pre.start``, resize
prep) while nova's DB still puts the instance on its source.  An intent
``instance -> destination`` is handed to the inventory with every sync, which
adds the instance's VLANs to the destination's expected set.  An intent ends
when the move's end event arrives (the handler says so), or after a time to
live, so a lost end event cannot pin VLANs on a port forever.

Intents live in PSVM's database (``psvm_move_intent``), not in the process:
a listener restarted mid-move reads them before its start-up full sync and
keeps the destination's VLANs, and several listeners share them.  Each sync
reads them afresh (one small SELECT), so what one listener records, every
other one honours at its next sync.
"""


class Intents:
    """The move intents of PSVM's ``database``, held ``ttl`` seconds at most."""

    def __init__(self, database, ttl):
        self.database = database
        self.ttl = ttl

    def start(self, instance, host, source=None):
        """``host`` needs the VLANs of ``instance`` from now on; ``source``
        is the host it leaves, to look at again when the move ends, as the
        end event may name only the destination."""
        self.database.start_move(self.ttl, instance_uuid=instance, dest_host=host,
                                 source_host=source)

    def end(self, instance):
        """Forget the move of ``instance``; returns every host it involved."""
        move = self.database.end_move(instance)
        if move is None:
            return frozenset()
        return frozenset(h for h in (move['source_host'], move['dest_host']) if h)

    def by_host(self):
        """``{host: frozenset(instance uuids)}`` of moves not yet expired."""
        return by_destination(self.database.list_moves())

    def expire(self):
        """Soft-delete the moves past their time to live; how many."""
        return self.database.expire_moves()


def by_destination(moves):
    """``{destination host: frozenset(instance uuids)}`` of ``moves``
    (dicts with ``dest_host`` and ``instance_uuid``)."""
    hosts = {}
    for move in moves:
        hosts.setdefault(move['dest_host'], set()).add(move['instance_uuid'])
    return {host: frozenset(instances) for host, instances in hosts.items()}
