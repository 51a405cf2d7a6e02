"""One psvm-listener process: its parts, and the order they start and stop.

Start: coordination (psvm_listener.coordination: which switches are this
process's), then the reconciler (the nova watcher's baseline, then one full
sync of every switch it owns, which also repairs whatever a previous process
acknowledged but did not finish, honouring the move intents held in PSVM's
DB; retried with back-off while a database cannot be read), then the sources
of marks: notifications, the full-sync timer, the nova watcher, the resync RPC
server, and the metrics endpoint.

Stop: sources first (no new message is taken), then every port still dirty
is synced within ``[listener] shutdown_timeout`` seconds (what is left is
logged), then switch sessions and database connections close.  A
notification taken but not yet marked is requeued by the broker when the
connection closes; one already marked was synced before the exit, or is
covered by the next process's start-up full sync.
"""

from oslo_log import log as logging

from psvm_listener import broker
from psvm_listener import conf as config
from psvm_listener import coordination as coordination_
from psvm_listener import errors
from psvm_listener import handlers
from psvm_listener import inventory as nova
from psvm_listener import listener
from psvm_listener import metrics as metrics_
from psvm_listener import nova_watcher
from psvm_listener import periodic
from psvm_listener import plugins
from psvm_listener import reconciler as reconciler_
from psvm_listener import rpc
from psvm_listener import sync_records
from psvm_listener import transport
from psvm_listener.db import api as db_api

LOG = logging.getLogger(__name__)
HANDLER_THREADS = 8
BROKER_WAIT = 10.0


class Service:
    def __init__(self, conf=config.CONF):
        if not conf.psvm:
            raise config.ConfigError(
                'psvm is False: psvm-listener refuses to touch switches; '
                'set [DEFAULT] psvm = True to run it')
        self.conf = conf
        transport.register_opts(conf)
        # Marking ports takes microseconds: a few handler threads keep up
        # with any notification rate, where oslo.messaging's 64 would only
        # cost memory.
        conf.set_default('executor_thread_pool_size', HANDLER_THREADS)
        self.metrics = metrics_.Metrics()
        self.metrics.sync_interval.set(conf.psvm_sync_interval)
        self.metrics_port = None
        self.reconciler = None
        self._parts = []

    def start(self):
        conf, options = self.conf, self.conf.listener
        self.database = db_api.Database.from_config(conf)
        self._on_stop('database', self.database.close)
        self.inventory = nova.Inventory.from_config(conf)
        self._on_stop('inventory', self.inventory.close)
        records = sync_records.SyncRecords(self.database, options.record_interval)
        self._on_stop('sync records', records.close)
        self.plugin = plugins.load(conf, self.database, self.inventory, records)
        self._on_stop('plugin', self.plugin.close)
        self.coordination = coordination_.from_config(conf, self.metrics)
        self.reconciler = reconciler_.Reconciler(
            self.database, self.inventory, self.plugin, self.metrics,
            intent_ttl=options.move_intent_ttl, recheck_delay=options.move_recheck_delay,
            backoff_base=options.retry_base, backoff_cap=options.retry_cap,
            index_wait=options.bindings_wait, coordination=self.coordination,
            debounce=options.sync_debounce, concurrent_syncs=options.concurrent_syncs,
            save_delay=conf.switches.save_delay if conf.switches.save_config else None)
        self.coordination.start(self.reconciler.rebalance, self._fence)
        self._on_stop('coordination', self.coordination.stop)
        self._on_stop('reconciler', lambda: self.reconciler.stop(options.shutdown_timeout))
        watcher = nova_watcher.NovaWatcher(self.inventory, self.reconciler)
        self._at_start('move intents', self._report_intents)
        # The first reading is the watcher's baseline; taken before the
        # start-up full sync, it misses nothing that sync does not see.
        self._at_start('first poll of nova', watcher.poll)
        self._start_up_sync()

        notify_transport, exchange = self._notification_source()
        self._on_stop('notification transport', lambda: transport.release(notify_transport))
        endpoint = listener.NotificationEndpoint(handlers.load(), self.reconciler,
                                                 self.metrics)
        self._start_server(listener.get_listener(
            notify_transport, endpoint, exchange, options.topics,
            self.notification_pool()), 'notification listener')
        self.metrics.consuming.set(1)
        self._on_stop('consuming gauge', lambda: self.metrics.consuming.set(0))
        self._start_periodic('full-sync timer', conf.psvm_sync_interval,
                             lambda: self.reconciler.mark_all(reason='timer'),
                             conf.psvm_sync_jitter)
        self._start_periodic('nova watcher', conf.psvm_network_poll_interval, watcher.poll)
        rpc_transport = transport.rpc_transport(conf)
        self._on_stop('rpc transport', lambda: transport.release(rpc_transport))
        self._start_server(rpc.get_server(rpc_transport, self.reconciler,
                                          topic=options.rpc_topic, server=conf.host),
                           'resync RPC server')
        server, self.metrics_port = self.metrics.serve(options.metrics_address,
                                                       options.metrics_port)
        self._on_stop('metrics endpoint', server.shutdown)
        LOG.info('psvm-listener %s started: exchange %s topics %s pool %s; metrics on '
                 'http://%s:%s/metrics', conf.host, options.exchange,
                 ','.join(options.topics), self.notification_pool(),
                 options.metrics_address, self.metrics_port)

    def notification_pool(self):
        """One queue for a single listener; among several, one per member
        (``<pool>-<host>``), so every member sees every notification and acts
        on the switches it owns: a notification taken by a member that dies
        is also in the queue of the member that takes its switches over."""
        pool = self.conf.listener.pool
        if coordination_.enabled(self.conf):
            return f'{pool}-{self.conf.host}'
        return pool

    def _fence(self, switch_ids):
        """Fenced: close the sessions of the switches being synced, so this
        member stops talking to them before its locks can expire."""
        for switch_id in switch_ids:
            self.plugin.forget(switch_id)

    def _notification_source(self):
        """(transport, exchange) to consume from: on RabbitMQ, psvm's own
        durable exchange and pool queue, fed from nova's exchange and
        resynced after each reconnect (see broker.py); in process, nova's
        exchange itself."""
        conf, options = self.conf, self.conf.listener
        if transport.in_process(conf):
            return transport.notification_transport(conf), options.exchange
        pool = self.notification_pool()
        keeper = broker.BindingKeeper(
            conf, options.exchange, pool, options.topics,
            lambda: self.reconciler.mark_all(reason='RabbitMQ reconnect'))
        keeper.start(timeout=BROKER_WAIT)
        self._on_stop('notification bindings', keeper.stop)
        return transport.durable_notification_transport(conf), broker.own_exchange(pool)

    def _start_up_sync(self):
        """The first refresh marks every switch; while nova's or PSVM's
        database cannot be read it is retried with back-off (the nova
        watcher's refreshes may get there first)."""
        try:
            self.reconciler.refresh()
        except errors.RetryLater as exc:
            LOG.warning('Start-up full sync waits for the databases: %s', exc)
            retry = periodic.UntilDone(
                'start-up full sync', self.reconciler.refresh,
                lambda: not self.reconciler.full_sync_owed,
                self.conf.listener.retry_base, self.conf.listener.retry_cap)
            retry.start()
            self._on_stop('start-up full sync', retry.stop)

    def report_sections(self):
        """Sections this service adds to its Guru Meditation report."""
        return [('Sync workers', self.describe_workers)]

    def describe_workers(self):
        if self.reconciler is None:
            return 'not started'
        return '\n'.join(self.reconciler.describe_workers()) or 'no switches'

    def _report_intents(self):
        """Moves held in PSVM's DB (a listener restarted mid-move): every
        sync honours them, the start-up full sync first."""
        held = self.reconciler.intents.by_host()
        if held:
            LOG.info('Holding %d moves in flight to hosts %s',
                     sum(map(len, held.values())), sorted(held))

    def _at_start(self, what, action):
        """nova's or PSVM's database down at start-up does not stop the listener:
        notifications are still taken, the timers retry, nothing is removed."""
        try:
            action()
        except errors.RetryLater as exc:
            LOG.warning('%s deferred to the timers: %s', what, exc)

    def _on_stop(self, name, action):
        """Remember how to stop a part; parts stop newest first."""
        self._parts.append((name, action))

    def _start_server(self, server, name):
        server.start()

        def stop():
            server.stop()
            server.wait()
        self._on_stop(name, stop)

    def _start_periodic(self, name, interval, action, jitter=0.0):
        timer = periodic.Periodic(name, interval, action, jitter)
        timer.start()
        self._on_stop(name, timer.stop)

    def stop(self):
        """Stop every part started so far, newest first; safe to call twice."""
        while self._parts:
            name, stop = self._parts.pop()
            try:
                unfinished = stop()
            except Exception:
                LOG.exception('Stopping the %s failed', name)
                continue
            if unfinished:
                LOG.warning('Syncs of switches %s still running after %s s; '
                            'closing their sessions', unfinished,
                            self.conf.listener.shutdown_timeout)
        LOG.info('psvm-listener stopped')
