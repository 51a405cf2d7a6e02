"""The Grafana dashboard and the Prometheus alert rules name only metrics the
service exports, their PromQL parses (promtool), and a running service
exports the series the alerts need."""

import json
import pathlib
import re
import subprocess
import urllib.request

import pytest
import yaml
from prometheus_client import parser as prom_parser

from psvm_listener import metrics
from tests import listener_rig

ROOT = pathlib.Path(__file__).parents[2]
DASHBOARD = ROOT / 'etc' / 'grafana' / 'psvm-listener.json'
ALERTS = ROOT / 'etc' / 'prometheus' / 'psvm-alerts.yaml'
SUFFIXES = {'counter': ('_total', '_created'), 'gauge': ('',),
            'histogram': ('_bucket', '_sum', '_count', '_created')}
KEYWORDS = {'and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring',
            'group_left', 'group_right', 'inf', 'nan'}
# What Grafana substitutes before a query reaches Prometheus.
GRAFANA_VARIABLES = {'$__rate_interval': '5m', '$instance': '.*'}


def exported_names():
    """Every sample name a psvm-listener's registry can export."""
    names = set()
    for family in metrics.Metrics().registry.collect():
        names.update(family.name + suffix for suffix in SUFFIXES[family.type])
    return names


def dashboard_queries():
    panels = json.loads(DASHBOARD.read_text())['panels']
    queries = [t['expr'] for p in panels for t in p['targets']]
    for name, value in GRAFANA_VARIABLES.items():
        queries = [q.replace(name, value) for q in queries]
    return queries


def alert_queries():
    rules = yaml.safe_load(ALERTS.read_text())['groups'][0]['rules']
    return [rule['expr'] for rule in rules]


def metric_names(query):
    """Metric names in a PromQL expression: identifiers outside strings, label
    matchers, ranges and grouping clauses that are not functions nor keywords."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', query)
    text = re.sub(r'\{[^}]*\}', '', text)
    text = re.sub(r'\[[^\]]*\]', '', text)
    text = re.sub(r'\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)', ' ', text)
    names = set()
    for match in re.finditer(r'[A-Za-z_:][A-Za-z0-9_:]*', text):
        if text[match.end():].lstrip().startswith('('):
            continue
        if match.group() in KEYWORDS or text[match.start() - 1:match.start()].isdigit():
            continue
        names.add(match.group())
    return names


@pytest.mark.parametrize('source', [dashboard_queries, alert_queries],
                         ids=['grafana', 'prometheus'])
def test_every_metric_named_is_exported(source):
    exported = exported_names()
    named = set().union(*(metric_names(q) for q in source()))
    assert named, 'no metric found: the parser is broken'
    assert named <= exported, f'not exported by psvm-listener: {sorted(named - exported)}'


def test_dashboard_shows_what_an_operator_watches():
    named = set().union(*(metric_names(q) for q in dashboard_queries()))
    assert {'psvm_lif_usage', 'psvm_lif_limit', 'psvm_sync_duration_seconds_bucket',
            'psvm_event_to_applied_seconds_bucket', 'psvm_drift_repaired_total',
            'psvm_sync_refusals_total', 'psvm_sync_failures_total', 'psvm_queue_depth',
            'psvm_notifications_received_total', 'psvm_notifications_dropped_total',
            'psvm_notifications_requeued_total'} <= named


def test_alerts_cover_lif_sync_refusals_and_consuming():
    rules = {r['alert']: r for r in yaml.safe_load(ALERTS.read_text())['groups'][0]['rules']}
    assert set(rules) >= {'PsvmLifUsageHigh', 'PsvmSwitchNotSynced', 'PsvmSyncRefused',
                          'PsvmListenerNotConsuming'}
    assert '> 0.8' in rules['PsvmLifUsageHigh']['expr']
    assert '3 * psvm_sync_interval_seconds' in rules['PsvmSwitchNotSynced']['expr']


def test_promtool_accepts_the_rules_and_the_dashboard_queries(tmp_path):
    """promtool parses every expression; the dashboard's become recording rules."""
    recording = {'groups': [{'name': 'dashboard', 'rules': [
        {'record': f'psvm:dashboard_query_{n}', 'expr': q}
        for n, q in enumerate(dashboard_queries())]}]}
    (tmp_path / 'dashboard.yaml').write_text(yaml.safe_dump(recording))
    result = subprocess.run(['promtool', 'check', 'rules', str(ALERTS),
                             str(tmp_path / 'dashboard.yaml')],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_running_service_exports_what_the_alerts_need(tmp_path, lab_switch):
    with listener_rig.ListenerRig(tmp_path, lab_switch) as rig:
        rig.host('c1', 'ethernet1/1', vlans=(120,))
        rig.start()
        url = f'http://127.0.0.1:{rig.service.metrics_port}/metrics'
        with urllib.request.urlopen(url, timeout=10) as reply:
            text = reply.read().decode()
    samples = {(s.name, s.labels.get('switch')): s.value
               for family in prom_parser.text_string_to_metric_families(text)
               for s in family.samples}
    switch = str(rig.switch_id)
    assert samples[('psvm_lif_limit', switch)] == 32000
    assert samples[('psvm_lif_usage', switch)] > 0
    assert samples[('psvm_last_successful_sync_timestamp_seconds', switch)] > 0
    assert samples[('psvm_drift_repaired_total', switch)] == 1
    assert samples[('psvm_sync_interval_seconds', None)] == 60
    assert samples[('psvm_notification_listener_running', None)] == 1
