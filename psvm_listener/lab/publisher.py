"""A nova-like notification publisher, for tests, benchmarks and the lab.

It sends what nova-compute sends (DESIGN.md §5) through oslo.messaging's
Notifier: legacy events with driver ``messaging`` (bare v1 messages) or
``messagingv2`` (the ``oslo.message`` envelope) on topic ``notifications``,
versioned events with ``messagingv2`` on ``versioned_notifications``.  The
context carries an auth token onto the wire (``_context_auth_token``), as
nova's did, so tests can check it never reaches a log.
"""

import datetime

import oslo_messaging as messaging


class WireContext(dict):
    """A request context that reaches the wire whole, auth token included.

    oslo.messaging 18 sends a context only through its ``redacted_copy()``
    (which strips the token) and drops a plain dict; nova up to Ocata sent
    ``_context_auth_token`` with every notification, so the lab does too.
    """

    def redacted_copy(self):
        return self


CONTEXT = WireContext(auth_token='gAAAA-lab-secret-token', user_id='lab-user',
                      project_id='lab-project', request_id='req-lab')


def _legacy_payload(instance, host, fixed_ips=None):
    payload = {'instance_id': instance, 'host': host, 'node': host,
               'tenant_id': 'lab-project', 'user_id': 'lab-user', 'state': 'active',
               'launched_at': datetime.datetime.now(datetime.timezone.utc).isoformat()}
    if fixed_ips is not None:
        payload['fixed_ips'] = [
            {'address': address, 'label': label, 'type': 'fixed', 'version': 4,
             'meta': {}, 'floating_ips': []} for label, address in fixed_ips]
    return payload


def _versioned_payload(instance, host, fixed_ips=()):
    addresses = [{'nova_object.name': 'IpPayload', 'nova_object.namespace': 'nova',
                  'nova_object.version': '1.0',
                  'nova_object.data': {'label': label, 'address': address, 'version': 4,
                                       'mac': 'fa:16:3e:00:00:01', 'port_uuid': None,
                                       'meta': {}, 'device_name': None}}
                 for label, address in fixed_ips]
    return {'nova_object.name': 'InstanceActionPayload', 'nova_object.namespace': 'nova',
            'nova_object.version': '1.8',
            'nova_object.data': {'uuid': instance, 'host': host, 'node': host,
                                 'state': 'active', 'ip_addresses': addresses}}


class NovaPublisher:
    """Publishes nova-compute's notifications on ``transport``.

    ``versioned`` selects the versioned event names and payloads (and
    ``messagingv2`` on ``versioned_notifications``); otherwise legacy events
    go out with ``driver`` (``messaging`` or ``messagingv2``).  The
    transport's ``control_exchange`` must be the listener's exchange.
    """

    def __init__(self, transport, driver='messaging', versioned=False):
        self.versioned = versioned
        topic = 'versioned_notifications' if versioned else 'notifications'
        self._notifier = messaging.Notifier(
            transport, driver='messagingv2' if versioned else driver, topics=[topic])
        self._publishers = {}

    def _publisher(self, host):
        publisher_id = f'nova-compute:{host}' if self.versioned else f'compute.{host}'
        if publisher_id not in self._publishers:
            self._publishers[publisher_id] = self._notifier.prepare(publisher_id=publisher_id)
        return self._publishers[publisher_id]

    def send(self, legacy_event, versioned_event, publisher_host, instance, host,
             fixed_ips=None):
        """One event as nova emits it from ``publisher_host`` about ``instance``."""
        if self.versioned:
            event, payload = versioned_event, _versioned_payload(instance, host, fixed_ips or ())
        else:
            event, payload = legacy_event, _legacy_payload(instance, host, fixed_ips)
        self._publisher(publisher_host).info(CONTEXT, event, payload)

    def create(self, instance, host, fixed_ips=(('lab-net', '10.0.0.2'),)):
        self.send('compute.instance.create.end', 'instance.create.end',
                  host, instance, host, fixed_ips)

    def delete(self, instance, host):
        self.send('compute.instance.delete.end', 'instance.delete.end', host, instance, host)

    def live_migration_pre(self, instance, source, dest):
        """Emitted on the destination; the payload host is still the source."""
        self.send('compute.instance.live_migration.pre.start',
                  'instance.live_migration_pre.start', dest, instance, source)

    def live_migration_post_dest(self, instance, dest):
        self.send('compute.instance.live_migration.post.dest.end',
                  'instance.live_migration_post_dest.end', dest, instance, dest)

    def live_migration_rollback(self, instance, source):
        self.send('compute.instance.live_migration._rollback.end',
                  'instance.live_migration_rollback.end', source, instance, source)

    def rebuild(self, instance, host):
        """The end of a rebuild or evacuation, on the (new) host."""
        self.send('compute.instance.rebuild.end', 'instance.rebuild.end', host, instance, host)

    def resize_prep(self, instance, source, dest):
        """Runs on the destination; the instance is still on the source."""
        self.send('compute.instance.resize.prep.start', 'instance.resize_prep.start',
                  dest, instance, source)

    def finish_resize(self, instance, dest):
        self.send('compute.instance.finish_resize.end', 'instance.resize_finish.end',
                  dest, instance, dest)

    def resize_confirm(self, instance, source, dest):
        """Runs on the source, after nova moved the instance to ``dest``."""
        self.send('compute.instance.resize.confirm.end', 'instance.resize_confirm.end',
                  source, instance, dest)

    def resize_revert(self, instance, source):
        self.send('compute.instance.resize.revert.end', 'instance.resize_revert.end',
                  source, instance, source)
