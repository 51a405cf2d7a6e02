"""From "these hosts changed" to synced switch ports, one worker per switch.

Reconciliation is level-based, not edge-based: a notification, a timer tick,
a poll or an RPC cast only marks ports dirty; the sync recomputes what each
port should carry from nova's DB and what it carries from the switch.  So a
lost, duplicated or reordered mark can never leave a port wrong longer than
one full-sync interval, and marks can be merged freely (see workqueue).

host --(bindings)--> switch, ports --(PortQueue of that switch)--> worker
thread --> plugin.sync(switch, ports).  Each switch has its own thread, so a
switch that fails holds up nobody else, and one that hangs only the slot it
holds (at most ``concurrent_syncs`` switches sync at once, until the hung
RPC times out); a failing switch backs off exponentially and keeps its
ports dirty until a sync of them succeeds.

Among several listeners (psvm_listener.coordination) a listener marks and
syncs only the switches it owns, each sync under the switch's lock; a
switch taken over from another member gets a full sync at once.
"""

import datetime
import threading
import time

from oslo_log import log as logging

from psvm_listener import coordination as coordination_
from psvm_listener import errors
from psvm_listener import intents
from psvm_listener import memory
from psvm_listener import workqueue

LOG = logging.getLogger(__name__)

SAVE_DELAY_CAP = 10
"""Unsaved changes wait at most this many ``save_delay`` for their save."""


class IndexNotBuilt(errors.RetryLater):
    """No host can be mapped to ports yet: the bindings index was never built."""


class BindingIndex:
    """Which ports of which switch face each host, rebuilt from the DB.

    Bindings name compute nodes; notifications name service hosts: the
    inventory translates.  Kept in memory so that marking a host costs no
    query; refreshed at start, on every poll of nova and on full syncs.
    A host maps to a tuple of (switch id, port) pairs: with tens of
    thousands of ports, a dict of sets per host would cost megabytes.
    Each switch's bindings are kept too, with their version, for its full
    syncs (db.facts.SwitchBindings).
    """

    def __init__(self):
        self._by_host = {}
        self.nodes = ()
        self._by_switch = {}
        self._read = None

    def refresh(self, database, inventory, if_changed=False):
        """Read every binding and the hosts of their nodes again; with
        ``if_changed`` (the poll every few seconds) only when the bindings'
        version or a node's host moved since the last read: reading and
        indexing 40,000 bindings costs a second of CPU, under the GIL."""
        version = database.bindings_version()
        if if_changed and self._read is not None and self._read[0] == version:
            hosts = inventory.hosts_of_compute_nodes(self.nodes)
            if hosts == self._read[1]:
                return
        by_switch = database.bindings_by_switch()
        self.nodes = tuple(sorted({node for bindings in by_switch.values()
                                   for _, node in bindings.pairs}))
        hosts = inventory.hosts_of_compute_nodes(self.nodes)
        self._read = (version, hosts)
        by_host = {}
        for switch_id, bindings in by_switch.items():
            for port, node in bindings.pairs:
                host = hosts.get(node)
                if host is not None:
                    by_host.setdefault(host, []).append((switch_id, port))
        self._by_host = {host: tuple(ports) for host, ports in by_host.items()}
        self._by_switch = by_switch

    def port_count(self, switch_id):
        """Bound ports of a switch: what a full sync of it covers."""
        bindings = self._by_switch.get(switch_id)
        return 0 if bindings is None else len(bindings.pairs)

    def bindings_of(self, switch_id):
        """The switch's bindings as last read (None: it had none)."""
        return self._by_switch.get(switch_id)

    def ports_of(self, hosts):
        """``{switch_id: ports}`` facing any of ``hosts``."""
        found = {}
        for host in hosts:
            for switch_id, port in self._by_host.get(host, ()):
                found.setdefault(switch_id, set()).add(port)
        return found


class SharedNeeds:
    """One nova read for a full sync of every switch, shared by the workers.

    The first worker to need it reads what every bound node needs; the
    others wait for that read instead of asking nova at once, 100 switches
    making 100 queries on a database server's few cores.  A switch marked
    after the read began may have been marked for a change the read
    predates: its worker reads nova on its own (``for_switch`` gives None).
    """

    def __init__(self, inventory, nodes, intents):
        self._inventory = inventory
        self._nodes = nodes
        self._intents = intents
        self._lock = threading.Lock()
        self._needs = None
        self._began = None

    def for_switch(self, last_mark):
        """The shared needs, if every mark of the switch (the newest at
        ``last_mark``) came before the read; else None."""
        with self._lock:
            if self._began is None:
                self._began = time.monotonic()
                self._needs = self._inventory.needs_of_compute_nodes(
                    self._nodes, self._intents.by_host())
        if self._needs is None or last_mark > self._began:
            return None
        return self._needs


class SwitchWorker:
    """The one thread that syncs one switch, fed by that switch's PortQueue.

    Asked to stop, it takes no new mark but drains what is dirty (those
    ports' notifications were acknowledged) until the queue is empty or the
    reconciler gives up on it (``abandon``).
    """

    def __init__(self, switch_id, reconciler):
        self.switch_id = switch_id
        self.queue = workqueue.PortQueue(reconciler.debounce)
        self.backoff = workqueue.Backoff(reconciler.backoff_base, reconciler.backoff_cap)
        self._refusals = {}
        self.save_due = None
        """Monotonic time of the next save, while changes wait unsaved."""
        self._unsaved_since = None
        self._reconciler = reconciler
        self._stopping = threading.Event()
        self._abandoned = threading.Event()
        self.name = f'sync-{switch_id}'
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        """Refuse new marks; drain the dirty ones, then end."""
        self._stopping.set()
        self.queue.close()

    def abandon(self):
        """End after the sync in flight, whatever is still dirty."""
        self.stop()
        self._abandoned.set()

    def join(self, timeout):
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self):
        """Wait for dirty ports, then for one of the reconciler's sync slots,
        then take the batch: the marks made while every slot was busy join
        it, so a burst on many switches costs fewer syncs, not a backlog."""
        while not self._abandoned.is_set():
            ready = self.queue.ready(timeout=self._wait())
            if self.save_due is not None and time.monotonic() >= self.save_due:
                with self._reconciler.sync_slots:
                    self._save()
            if not ready:
                if self._stopping.is_set():
                    return
                continue
            with self._reconciler.sync_slots:
                batch = self.queue.take(timeout=0)
                if batch is None:
                    continue
                self._reconciler.show_depth(self.switch_id, self.queue)
                delay = self._sync(batch)
            if delay:
                self._abandoned.wait(delay)

    def _wait(self):
        """How long to wait for marks: until the next save at most."""
        if self.save_due is None:
            return 1.0
        return min(1.0, max(0.0, self.save_due - time.monotonic()))

    def changed(self):
        """A sync left unsaved changes: save ``save_delay`` after the last one,
        but no later than SAVE_DELAY_CAP delays after the first, so steady
        churn cannot put the save off for ever."""
        now = time.monotonic()
        delay = self._reconciler.save_delay
        if self._unsaved_since is None:
            self._unsaved_since = now
        self.save_due = min(now + delay, self._unsaved_since + SAVE_DELAY_CAP * delay)

    def _save(self):
        """Save the switch's configuration; a failed save is tried again later."""
        try:
            self._reconciler.save_switch(self.switch_id)
        except errors.PsvmError as exc:
            self.save_due = time.monotonic() + self._reconciler.save_delay
            LOG.warning('Saving the configuration of switch %s failed (%s: %s); '
                        'trying again in %.0f s', self.switch_id, type(exc).__name__,
                        exc, self._reconciler.save_delay)
            return
        self.save_due = self._unsaved_since = None

    def _sync(self, batch):
        """Sync one batch; returns the back-off delay before the next one."""
        ports, marked_at = batch
        try:
            refused = self._sync_finding_refusals(self._batch_ports(ports), marked_at)
        except errors.PsvmError as exc:
            self.queue.done(batch, ok=False)
            delay = self.backoff.failed(permanent=isinstance(exc, errors.Permanent))
            if getattr(exc, 'retry_after', None) is not None:
                delay = min(delay, exc.retry_after)
            LOG.warning('Sync of switch %s failed (%s: %s); retrying in %.1f s',
                        self.switch_id, type(exc).__name__, exc, delay)
            return delay
        except Exception:
            self.queue.done(batch, ok=False)
            delay = self.backoff.failed()
            LOG.exception('Sync of switch %s failed unexpectedly; retrying in %.1f s',
                          self.switch_id, delay)
            return delay
        self._hold_refused(refused, marked_at)
        self.queue.done(batch, ok=True)
        self.backoff.succeeded()
        return 0

    def _batch_ports(self, ports):
        """A full sync leaves out the held ports: each waits for its own retry."""
        held = self.queue.held()
        if ports is workqueue.ALL and held:
            return frozenset(self._reconciler.bound_ports(self.switch_id)) - held
        return ports

    def _sync_finding_refusals(self, ports, marked_at):
        """Sync ``ports``; when the switch refuses the batch, halve it until
        the refused ports are alone, syncing the others on the way.

        Returns {port: the switch's words} for the ports it refused.  Any
        other failure propagates: the whole batch is dirty again (a port
        synced twice is harmless, the sync is idempotent).
        """
        try:
            self._reconciler.sync_switch(self.switch_id, ports, marked_at)
        except errors.Refused as exc:
            if ports is workqueue.ALL:
                ports = frozenset(self._reconciler.bound_ports(self.switch_id))
            if len(ports) <= 1:
                return dict.fromkeys(ports, str(exc))
            ordered = sorted(ports)
            half = len(ordered) // 2
            refused = self._sync_finding_refusals(frozenset(ordered[:half]), marked_at)
            refused.update(self._sync_finding_refusals(frozenset(ordered[half:]), marked_at))
            return refused
        for port in () if ports is workqueue.ALL else ports:
            self._refusals.pop(port, None)
        if ports is workqueue.ALL:
            self._refusals.clear()
        return {}

    def _hold_refused(self, refused, marked_at):
        """Each refused port backs off on its own, stays dirty, and is reported."""
        for port, message in sorted(refused.items()):
            backoff = self._refusals.setdefault(port, workqueue.Backoff(
                self._reconciler.backoff_base, self._reconciler.backoff_cap))
            delay = backoff.failed()
            self.queue.hold((port,), time.monotonic() + delay, marked_at)
            LOG.warning('Switch %s refused the change of port %s (%s); the other ports '
                        'are synced, this one is retried in %.1f s',
                        self.switch_id, port, message, delay)
        self._reconciler.report_refusals(self.switch_id, refused, self.queue.held())


def _waiting(queue):
    return 'every port dirty' if queue.full_sync_waiting() else f'{queue.depth()} dirty ports'


class Reconciler:
    """Marks ports dirty and runs one worker per switch to sync them.

    ``database``: PSVM's DB API (list_switches, list_bindings).
    ``inventory``: nova's view (hosts_of_compute_nodes).  ``plugin``: the
    sync plugin (``sync(switch_id, ports, needs=...)``).  ``coordination``:
    which switches this process owns and their locks (default: ``Solo``,
    every switch, no lock).
    """

    def __init__(self, database, inventory, plugin, metrics, *, intent_ttl=1800.0,
                 recheck_delay=2.0, backoff_base=0.5, backoff_cap=60.0, index_wait=5.0,
                 coordination=None, debounce=0.0, save_delay=None, concurrent_syncs=8):
        self.database = database
        self.inventory = inventory
        self.plugin = plugin
        plugin.on_lost = self.switch_lost
        self.metrics = metrics
        self.save_delay = save_delay
        """Seconds from a change to the save of the switch's configuration;
        None: never saved ([switches] save_config off)."""
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.debounce = debounce
        self.sync_slots = threading.BoundedSemaphore(concurrent_syncs)
        """At most this many switches sync (or save) at once.  Each sync is
        some milliseconds of CPU under one GIL: forty at once starve the
        thread that consumes notifications, whose marks would have merged
        into the waiting switches' next batches.  A switch that hangs holds
        one slot until its RPC times out."""
        self.intents = intents.Intents(database, intent_ttl)
        self.recheck_delay = recheck_delay
        self.index_wait = index_wait
        self.coordination = coordination or coordination_.Solo(None)
        self._index = BindingIndex()
        self._index_built = threading.Event()
        self._full_sync_owed = True
        self._shared = None
        self._last_marks = {}
        self._workers = {}
        self._rechecks = set()
        self._owned = set()
        self._lock = threading.Lock()
        self._stopped = False

    # -- marking ---------------------------------------------------------

    def refresh(self, if_changed=False):
        """Re-read switches and bindings (``if_changed``: the bindings only if
        they changed, see BindingIndex.refresh); start workers for new
        switches, stop those of deleted ones and close their sessions (a
        sync in flight fails on its own).

        The first refresh that succeeds also marks every switch: that is the
        start-up full sync, owed since start even if nova's database was
        unreadable then, and it repairs what a previous process acknowledged
        but did not finish.
        """
        switch_ids = {switch['id'] for switch in self.database.list_switches()}
        self._index.refresh(self.database, self.inventory, if_changed)
        with self._lock:
            if self._stopped:
                return
            deleted = [self._workers.pop(i) for i in self._workers.keys() - switch_ids]
            self._owned -= {worker.switch_id for worker in deleted}
            for switch_id in switch_ids - self._workers.keys():
                worker = SwitchWorker(switch_id, self)
                self._workers[switch_id] = worker
                worker.start()
                if self.coordination.owns(switch_id):
                    self._owned.add(switch_id)
            owed, self._full_sync_owed = self._full_sync_owed, False
            owned = len(self._owned)
        self.metrics.owned.labels(str(self.coordination.member)).set(owned)
        self._index_built.set()
        for worker in deleted:
            worker.stop()
            self.plugin.forget(worker.switch_id)
        if owed:
            self._mark_every_switch('start-up')

    @property
    def full_sync_owed(self):
        """True until the start-up full sync could be marked."""
        with self._lock:
            return self._full_sync_owed

    def bound_ports(self, switch_id):
        """Every port bound on a switch, from PSVM's database."""
        return {binding['switch_port']
                for binding in self.database.list_bindings(switch_id=switch_id)}

    def mark_hosts(self, hosts, reason='event', at=None):
        """Mark dirty every bound port facing one of ``hosts``."""
        at = time.monotonic() if at is None else at
        for switch_id, ports in self._index.ports_of(hosts).items():
            self._mark(switch_id, ports, at)
        LOG.debug('Marked hosts %s (%s)', sorted(hosts), reason)

    def mark_switch(self, switch_id, reason='rpc'):
        """Mark every port of one switch dirty."""
        self.refresh()
        self._mark(switch_id, workqueue.ALL, time.monotonic())
        LOG.info('Full sync of switch %s requested (%s)', switch_id, reason)

    def mark_all(self, reason='timer'):
        """Mark every port of every switch dirty: a full sync.  The bindings
        are read again only if they changed (BindingIndex.refresh): reading
        100,000 of them was a quarter of a full sync with nothing to do."""
        self.refresh(if_changed=True)
        self._mark_every_switch(reason)

    def _mark_every_switch(self, reason):
        """A full sync of every switch, whose nova read the workers share."""
        self._shared = SharedNeeds(self.inventory, self._index.nodes, self.intents)
        now = time.monotonic()
        for switch_id in self._worker_ids():
            self._mark(switch_id, workqueue.ALL, now)
        LOG.info('Full sync of every switch (%s)', reason)

    def switch_lost(self, switch_id):
        """A switch dropped a session: it may be reloading with its startup
        configuration, so sync all of it as soon as it answers again."""
        LOG.warning('Switch %s dropped its session; full sync as soon as it answers',
                    switch_id)
        self._mark(switch_id, workqueue.ALL, time.monotonic())

    def apply(self, change, at=None):
        """Record the moves of a handler's ``Change`` and mark its hosts;
        when a move ends, mark them once more ``recheck_delay`` later.

        Until the bindings index was built once (nova's database unreadable
        since start), no host maps to a port: the notification waits up to
        ``index_wait`` seconds for it, then raises IndexNotBuilt (retry
        later) so that it is requeued, never acknowledged unmarked.
        """
        if not self._index_built.wait(self.index_wait):
            raise IndexNotBuilt('the bindings of hosts to switch ports could not be read '
                                'yet (nova\'s database unreadable since start)')
        hosts = set(change.hosts)
        for instance, source, destination in change.moves_started:
            self.intents.start(instance, destination, source)
            hosts.add(destination)
        for instance in change.moves_ended:
            hosts.update(self.intents.end(instance))
        self.mark_hosts(hosts, reason='notification', at=at)
        if change.moves_ended:
            self._recheck_later(hosts)

    def _recheck_later(self, hosts):
        """nova writes some moves' end to its DB after the notification
        (DESIGN §5): look at the hosts again once that write has landed,
        rather than wait for the next poll of nova's DB."""
        def recheck():
            with self._lock:
                self._rechecks.discard(timer)
            self.mark_hosts(hosts, reason='move ended, looking again')
        timer = threading.Timer(self.recheck_delay, recheck)
        timer.daemon = True
        with self._lock:
            if self._stopped:
                return
            self._rechecks.add(timer)
        timer.start()

    def rebalance(self, everything=False):
        """Ownership may have moved: fully sync the switches this member took
        over (every one it owns if ``everything``: back after a fence,
        others may have synced them), and close the sessions of those it
        handed over, as NX-OS has 8 for everyone."""
        with self._lock:
            owned = {i for i in self._workers if self.coordination.owns(i)}
            taken, lost = owned - self._owned, self._owned - owned
            self._owned = owned
        self.metrics.owned.labels(str(self.coordination.member)).set(len(owned))
        self.metrics.takeovers.inc(len(taken))
        now = time.monotonic()
        for switch_id in sorted(owned if everything else taken):
            self._mark(switch_id, workqueue.ALL, now)
        for switch_id in sorted(lost):
            self.plugin.forget(switch_id)
        if taken or lost:
            LOG.info('Member %s owns switches %s: took over %s, handed over %s',
                     self.coordination.member, sorted(owned), sorted(taken), sorted(lost))

    def _mark(self, switch_id, ports, at):
        if not self.coordination.owns(switch_id):
            return
        with self._lock:
            worker = self._workers.get(switch_id)
            if worker is not None:
                self._last_marks[switch_id] = max(at, self._last_marks.get(switch_id, at))
        if worker is None:
            LOG.warning('Switch %s is not known (yet); ports %s not marked',
                        switch_id, ports)
            return
        worker.queue.add(ports, at)
        self.show_depth(switch_id, worker.queue)

    def show_depth(self, switch_id, queue):
        self.metrics.queue_depth.labels(str(switch_id)).set(
            queue.depth(every=self._index.port_count(switch_id)))

    def _last_mark(self, switch_id):
        with self._lock:
            return self._last_marks.get(switch_id, 0.0)

    def _worker_ids(self):
        with self._lock:
            return list(self._workers)

    # -- syncing -----------------------------------------------------------

    def sync_switch(self, switch_id, ports, marked_at):
        """Sync ``ports`` (or ``ALL``) of one switch.

        The plugin records each sync's result, LIF usage and drift in the
        switch's row; here go the metrics.
        """
        if not self.coordination.owns(switch_id):
            LOG.debug('Switch %s handed over; its new owner syncs it', switch_id)
            return None
        label = str(switch_id)
        started = time.monotonic()
        every_port = ports is workqueue.ALL
        shared = self._shared if every_port else None
        try:
            needs = shared and shared.for_switch(self._last_mark(switch_id))
            with self.coordination.sync_lock(switch_id):
                result = self.plugin.sync(
                    switch_id, None if every_port else sorted(ports), needs=needs,
                    bindings=self._index.bindings_of(switch_id) if every_port else None)
        except Exception:
            self.metrics.failures.labels(label).inc()
            raise
        finished = time.monotonic()
        if every_port:
            memory.release_free_memory()
        self.metrics.sync_duration.labels(label).observe(finished - started)
        self.metrics.latency.observe(finished - marked_at)
        self._count(label, result)
        if result.unsaved and self.save_delay is not None:
            with self._lock:
                worker = self._workers.get(switch_id)
            if worker is not None and (result.changes or worker.save_due is None):
                worker.changed()
        return result

    def _count(self, label, result):
        """A sync a guard held back, in part or whole, is not a success."""
        metrics = self.metrics
        if not result.refusals:
            metrics.last_success.labels(label).set_to_current_time()
        metrics.drift_repaired.labels(label).inc(len(result.changes))
        for refusal in result.refusals:
            metrics.refusals.labels(label, refusal.guard).inc()
        if result.lif_usage is not None:
            metrics.lif_usage.labels(label).set(result.lif_usage)
        if result.lif_limit is not None:
            metrics.lif_limit.labels(label).set(result.lif_limit)
        if result.reloaded:
            metrics.reloads.labels(label).inc()
        metrics.unsaved.labels(label).set(int(result.unsaved))

    def save_switch(self, switch_id):
        """Copy running to startup configuration ([switches] save_config),
        holding the switch's lock as a sync does.  A switch handed over since
        its changes is its new owner's to save: that owner's takeover sync
        finds them unsaved in PSVM's record."""
        if not self.coordination.owns(switch_id):
            LOG.debug('Switch %s handed over; its new owner saves it', switch_id)
            return
        with self.coordination.sync_lock(switch_id):
            self.plugin.save(switch_id)
        self.metrics.unsaved.labels(str(switch_id)).set(0)
        LOG.info('Saved the running configuration of switch %s', switch_id)

    # -- lifecycle ---------------------------------------------------------

    def queue_depths(self):
        with self._lock:
            return {switch_id: w.queue.depth() for switch_id, w in self._workers.items()}

    def describe_workers(self):
        """One line per switch: its sync thread and what waits for it."""
        with self._lock:
            workers = sorted(self._workers.items())
        return [f'switch {switch_id}: thread {worker.name}, {_waiting(worker.queue)}'
                for switch_id, worker in workers]

    def wait_idle(self, timeout):
        """Block until every switch has nothing dirty or in flight."""
        deadline = time.monotonic() + timeout
        with self._lock:
            workers = list(self._workers.values())
        return all(worker.queue.wait_idle(max(0.0, deadline - time.monotonic()))
                   for worker in workers)

    def report_refusals(self, switch_id, refused, held):
        """Count the ports a switch refuses; name the new refusals in its record."""
        self.metrics.refused_ports.labels(str(switch_id)).set(len(held))
        if not refused:
            return
        words = '; '.join(f'port {port}: {message}' for port, message in sorted(refused.items()))
        try:
            row = self.database.get_switch(switch_id)
            self.database.record_sync(
                switch_id, at=datetime.datetime.now(datetime.timezone.utc),
                result=f'{row["last_sync_result"]}; refused {words}',
                lif_usage=row['lif_usage'], drift=row['drift'])
        except errors.PsvmError as exc:
            LOG.warning('switch %s: could not record the refused ports: %s', switch_id, exc)

    def stop(self, timeout):
        """Take no new mark; sync every dirty port within ``timeout`` s.

        Notifications of dirty ports were acknowledged: dropping them would
        leave ports wrong until the next process's start-up sync.  What is
        still dirty at the deadline is logged by switch and port.  Returns
        the ids of switches whose sync was still running.
        """
        with self._lock:
            self._stopped = True
            workers = list(self._workers.values())
            rechecks, self._rechecks = self._rechecks, set()
        for timer in rechecks:
            timer.cancel()
        for worker in workers:
            worker.stop()
        deadline = time.monotonic() + timeout
        running = [w for w in workers if not w.join(max(0.0, deadline - time.monotonic()))]
        for worker in running:
            worker.abandon()
        for worker in workers:
            left = worker.queue.pending()
            if left is workqueue.ALL or left:
                LOG.warning('Stopped with switch %s ports %s still dirty; the next '
                            'start-up full sync will sync them', worker.switch_id,
                            'ALL' if left is workqueue.ALL else ','.join(sorted(left)))
        return [w.switch_id for w in running]
