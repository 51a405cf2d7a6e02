"""Prometheus metrics of one psvm-listener process.

Each ``Metrics`` owns its registry, so several services (tests, benchmarks)
can live in one interpreter without clashing on metric names.  Names follow
Prometheus's conventions: counters end in ``_total``, durations and times
are in seconds, a gauge says what it counts.
"""

import prometheus_client as prom

LATENCY_BUCKETS = (0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(self):
        self.registry = prom.CollectorRegistry()
        r = self.registry
        self.received = prom.Counter(
            'psvm_notifications_received_total', 'Nova notifications received',
            ['event_type'], registry=r)
        self.handled = prom.Counter(
            'psvm_notifications_handled_total', 'Notifications whose hosts were marked dirty',
            ['event_type'], registry=r)
        self.dropped = prom.Counter(
            'psvm_notifications_dropped_total', 'Notifications acknowledged without effect',
            ['event_type', 'reason'], registry=r)
        self.requeued = prom.Counter(
            'psvm_notifications_requeued_total', 'Notifications handed back to the broker',
            ['event_type'], registry=r)
        self.latency = prom.Histogram(
            'psvm_event_to_applied_seconds',
            'From marking a port dirty to the sync that applied it',
            buckets=LATENCY_BUCKETS, registry=r)
        self.sync_duration = prom.Histogram(
            'psvm_sync_duration_seconds', 'Duration of one sync of one switch',
            ['switch'], buckets=LATENCY_BUCKETS, registry=r)
        self.queue_depth = prom.Gauge(
            'psvm_queue_depth',
            'Dirty ports waiting per switch (a full sync waiting: every bound port)',
            ['switch'], registry=r)
        self.failures = prom.Counter(
            'psvm_sync_failures_total', 'Failed syncs per switch', ['switch'], registry=r)
        self.refused_ports = prom.Gauge(
            'psvm_refused_ports', 'Ports whose change the switch refuses, retried '
            'on their own back-off, per switch', ['switch'], registry=r)
        self.reloads = prom.Counter(
            'psvm_switch_reloads_total', 'Reloads seen per switch, each followed by a full sync',
            ['switch'], registry=r)
        self.unsaved = prom.Gauge(
            'psvm_switch_unsaved_changes',
            '1 while the running configuration of a switch has changes not saved to startup',
            ['switch'], registry=r)
        self.lif_usage = prom.Gauge(
            'psvm_lif_usage', 'Spanning-tree logical interfaces (ports x VLANs) per switch',
            ['switch'], registry=r)
        self.lif_limit = prom.Gauge(
            'psvm_lif_limit', 'Logical interfaces a switch may carry: the lower of '
            'psvm_lif_limit and the switch\'s own limit', ['switch'], registry=r)
        self.refusals = prom.Counter(
            'psvm_sync_refusals_total', 'Parts of plans a guard refused, per switch and guard',
            ['switch', 'guard'], registry=r)
        self.drift_repaired = prom.Counter(
            'psvm_drift_repaired_total', 'Ports a sync changed to allow what nova expects',
            ['switch'], registry=r)
        self.last_success = prom.Gauge(
            'psvm_last_successful_sync_timestamp_seconds',
            'When a sync of the switch last succeeded (Unix time)', ['switch'], registry=r)
        self.sync_interval = prom.Gauge(
            'psvm_sync_interval_seconds', 'Seconds between two full syncs '
            '(psvm_sync_interval)', registry=r)
        self.consuming = prom.Gauge(
            'psvm_notification_listener_running', '1 while the notification listener '
            'takes messages from the broker, 0 once it stopped', registry=r)
        self.members = prom.Gauge(
            'psvm_coordination_members', 'Live psvm-listeners in the coordination group',
            registry=r)
        self.owned = prom.Gauge(
            'psvm_switches_owned', 'Switches this psvm-listener owns and syncs',
            ['member'], registry=r)
        self.lock_wait = prom.Histogram(
            'psvm_switch_lock_wait_seconds', 'Wait for a switch\'s coordination lock',
            buckets=LATENCY_BUCKETS, registry=r)
        self.takeovers = prom.Counter(
            'psvm_switch_takeovers', 'Switches taken over from another member '
            '(each runs a full sync)', registry=r)

    def serve(self, address, port):
        """Start the /metrics HTTP endpoint; returns the server and its port."""
        server, thread = prom.start_http_server(port, addr=address, registry=self.registry)
        return server, server.server_address[1]
