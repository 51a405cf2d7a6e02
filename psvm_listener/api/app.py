"""The WSGI application: route, authorize, validate, call the database layer.

Routing is one pattern: ``/v2[/{project_id}]/{collection}[/{id}]``, and
``/v2[/{project_id}]/os-psvmplan[/{id}[/approve|/discard]]`` for the pending
plans; the project id of nova-style URLs is accepted and ignored (every
call is an administrator's).  Everything a caller can get wrong answers 4xx; a 5xx
means a bug here or a database that is down.
"""

import json
import re

import webob
import webob.dec
from oslo_context import context
from oslo_log import log as logging
from oslo_policy import policy as oslo_policy

from psvm_listener import errors
from psvm_listener import pending_plans
from psvm_listener import records
from psvm_listener.api import faults
from psvm_listener.api import openapi
from psvm_listener.api import plans
from psvm_listener.api import policy
from psvm_listener.api import resources
from psvm_listener.api import schemas
from psvm_listener.api import status_page
from psvm_listener.api import versions
from psvm_listener.db import errors as db_errors
from psvm_listener.plugins import base as plugin_base

LOG = logging.getLogger(__name__)

OPENAPI_PATH = '/v2/openapi.json'
STATUS_PATH = '/status'
HEALTHCHECK_PATH = '/healthcheck'
COLLECTIONS = {record.collection: record for record in records.ALL}
ROUTE = re.compile(
    r'^/v2(?:/(?P<project_id>[^/]+))?/(?P<collection>%s)(?:/(?P<id>[^/]+))?/?$'
    % '|'.join(sorted(COLLECTIONS, key=len, reverse=True)))
PLAN_ROUTE = re.compile(
    r'^/v2(?:/(?P<project_id>[^/]+))?/%s(?:/(?P<id>[^/]+)(?:/(?P<action>%s))?)?/?$'
    % (plans.COLLECTION, '|'.join(plans.ACTIONS)))
ACTIONS = {
    False: {'GET': 'list', 'POST': 'create'},
    True: {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'},
}


class Application:
    """Serves the three resources over ``database`` (a db.api.Database).

    ``resync(switch_id)`` is called after each change to a switch or a
    binding; ``enforcer`` is an oslo.policy Enforcer with our rules;
    ``lif_limit`` ([DEFAULT] psvm_lif_limit) scales the status page's bars;
    ``approve_plan(plan_id)`` is pending_plans.approve bound to this
    service's configuration and database.
    """

    def __init__(self, database, enforcer, resync, lif_limit=None, approve_plan=None):
        self.database = database
        self.enforcer = enforcer
        self.resync = resync
        self.lif_limit = lif_limit
        self.approve_plan = approve_plan

    @webob.dec.wsgify
    def __call__(self, request):
        try:
            return self._dispatch(request)
        except faults.Fault as fault:
            return faults.response(fault.status, str(fault), fault.headers)
        except (db_errors.DbError, db_errors.Unavailable) as exc:
            fault = faults.from_db_error(exc)
            if fault is None:
                raise
            if fault.status >= 500:
                LOG.warning('cannot serve %s %s: %s', request.method,
                            _path(request), exc)
            return faults.response(fault.status, str(fault))

    def _dispatch(self, request):
        if _path(request).rstrip('/') == STATUS_PATH:
            return self.status(request)
        match = ROUTE.match(_path(request))
        if match is None:
            return self._plan_call(request, PLAN_ROUTE.match(_path(request)))
        resource = COLLECTIONS[match.group('collection')]
        row_id = match.group('id')
        methods = ACTIONS[row_id is not None]
        action = methods.get(request.method)
        if action is None:
            raise faults.Fault(405, f'{request.method} is not allowed here',
                               {'Allow': ', '.join(methods)})
        self._authorize(request, resource, action)
        handler = getattr(self, action)
        if row_id is None:
            return handler(request, resource)
        return handler(request, resource, _row_id(resource.name, row_id))

    def _authorize(self, request, resource, action):
        self._enforce(request, policy.rule_name(resource.name, action),
                      f'{resource.name} {action}')

    def _enforce(self, request, rule, what):
        if request.environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed':
            raise faults.Fault(401, 'authentication required')
        creds = context.RequestContext.from_environ(request.environ).to_policy_values()
        try:
            self.enforcer.authorize(rule, {}, creds, do_raise=True)
        except oslo_policy.PolicyNotAuthorized:
            raise faults.Fault(403, f'policy does not allow {what}')

    def _plan_call(self, request, match):
        """A pending plan's route: list, show, or POST an action."""
        if match is None:
            raise faults.Fault(404, f'no resource at {_path(request)[:100]}')
        plan_id, action = match.group('id'), match.group('action')
        verb = action or ('list' if plan_id is None else 'show')
        method = 'POST' if action else 'GET'
        if request.method != method:
            raise faults.Fault(405, f'{request.method} is not allowed here', {'Allow': method})
        self._enforce(request, policy.rule_name(plans.NAME, verb), f'{plans.NAME} {verb}')
        if plan_id is None:
            found = self.database.list_pending_plans(**_list_filters(request, plans.FILTERS))
            return _json({plans.PLURAL: [plans.view(plan) for plan in found]})
        plan_id = _row_id(plans.NAME, plan_id)
        if verb == 'discard':
            pending_plans.discard(self.database, plan_id)
        if verb != 'approve':
            return self._plan(plan_id)
        result = self._approve(plan_id)
        return self._plan(plan_id, {plans.SYNC: result.as_dict()})

    def _approve(self, plan_id):
        """Apply the plan once, through the code psvm-manage plan approve runs;
        the switch's or the plan's own errors as faults."""
        try:
            return self.approve_plan(plan_id)
        except (db_errors.DbError, db_errors.Unavailable):
            raise
        except (plugin_base.PlanChanged, pending_plans.SwitchesUntouchable) as exc:
            raise faults.Fault(409, str(exc))
        except errors.RetryLater as exc:
            raise faults.Fault(503, f'{exc}; the plan is pending again, approve it later')
        except errors.Permanent as exc:
            raise faults.Fault(502, f'{exc}; the plan is pending again')

    def _plan(self, plan_id, beside=None):
        return _json({plans.SINGULAR: plans.view(self.database.get_pending_plan(plan_id)),
                      **(beside or {})})

    def status(self, request):
        if request.method not in ('GET', 'HEAD'):
            raise faults.Fault(405, f'{request.method} is not allowed here', {'Allow': 'GET'})
        self._enforce(request, policy.STATUS_RULE, 'the status page')
        body = status_page.render(self.database.list_switches(), self.database.list_bindings(),
                                  self.database.list_pending_plans(), self.lif_limit)
        return webob.Response(status=200, content_type='text/html', charset='utf-8',
                              body=body)

    def list(self, request, resource):
        list_rows = getattr(self.database, f'list_{resource.names}')
        rows = list_rows(**_list_filters(request, resource.filters))
        return _json({resource.plural: [resources.view(resource, row) for row in rows]})

    def show(self, request, resource, row_id):
        return _one(resource, self._db(resource, 'get', row_id))

    def create(self, request, resource):
        values = _body(request, resource, schemas.create_body(resource))
        row = self._db(resource, 'create', **values)
        self._resync(resource, row)
        return _one(resource, row)

    def update(self, request, resource, row_id):
        values = _body(request, resource, schemas.update_body(resource))
        before = self._db(resource, 'get', row_id) if resource.resyncs else None
        row = self._db(resource, 'update', row_id, **values)
        self._resync(resource, before, row)
        return _one(resource, row)

    def delete(self, request, resource, row_id):
        before = self._db(resource, 'get', row_id) if resource.resyncs else None
        self._db(resource, 'delete', row_id)
        self._resync(resource, before)
        return webob.Response(status=200, content_type=None, body=b'')

    def _db(self, resource, verb, *args, **kwargs):
        return getattr(self.database, f'{verb}_{resource.name}')(*args, **kwargs)

    def _resync(self, resource, *rows):
        """Cast one resync for each switch the ``rows`` are or belong to
        (a binding moved between switches changes both)."""
        if not resource.resyncs:
            return
        key = 'id' if resource is records.SWITCH else 'switch_id'
        for switch_id in sorted({row[key] for row in rows}):
            self.resync(switch_id)


def _path(request):
    """The path as the server gave it (PEP 3333: bytes as latin-1), not
    decoded as UTF-8, which fails on a path such as /v2/%ff."""
    return request.environ.get('PATH_INFO', '')


def _row_id(kind, text):
    if text.isascii() and text.isdigit() and 1 <= int(text) <= schemas.MAX_ID:
        return int(text)
    raise faults.Fault(404, f'no {kind} with id {text[:40]!r}')


def _list_filters(request, filters):
    """Lists may be narrowed by ``filters`` (records.Filter): ``?switch_id=3``,
    ``?compute_node_id=7&compute_node_id=8``."""
    try:
        given = {each: request.GET.getall(each.field) for each in filters}
    except UnicodeDecodeError:
        raise faults.Fault(400, 'the query string is not UTF-8')
    filters = {}
    for each, texts in given.items():
        if not texts:
            continue
        if len(texts) > 1 and not each.repeat:
            raise faults.Fault(400, f'{each.field}: give it once')
        ids = [_filter_id(each.field, text) for text in texts]
        filters[each.keyword] = ids if each.repeat else ids[0]
    return filters


def _filter_id(field, text):
    if not (text.isascii() and text.isdigit() and int(text) <= schemas.MAX_ID):
        raise faults.Fault(400, f'{field}: must be an id (an integer)')
    return int(text)


def _body(request, resource, schema):
    """The fields of a JSON body that matches ``schema``, or a 400."""
    try:
        document = json.loads(request.body.decode('utf-8'),
                              parse_constant=_refuse_constant)
        json.dumps(document, ensure_ascii=False).encode('utf-8')
    except (UnicodeError, ValueError, RecursionError) as exc:
        raise faults.Fault(400, f'the body is not a JSON document in UTF-8: '
                                f'{str(exc)[:200]}')
    try:
        schemas.validate(schema, document)
    except schemas.InvalidBody as exc:
        raise faults.Fault(400, str(exc))
    return document[resource.singular]


def _refuse_constant(name):
    raise ValueError(f'{name} is not a JSON number')


def _one(resource, row):
    return _json({resource.singular: resources.view(resource, row)})


def _json(document):
    return webob.Response(status=200, content_type='application/json',
                          charset='utf-8', body=json.dumps(document).encode())


def build(database, enforcer, resync, protect, lif_limit=None, health=None,
          approve_plan=None):
    """The application: version discovery, the OpenAPI document and
    ``health`` (at /healthcheck) are public, the rest goes through
    ``protect`` (an auth strategy wrapping the application)."""
    protected = protect(Application(database, enforcer, resync, lif_limit, approve_plan))
    document = openapi.document()

    @webob.dec.wsgify
    def route(request):
        if health is not None and _path(request) == HEALTHCHECK_PATH:
            return request.get_response(health)
        public = versions.document(_path(request), request.host_url)
        if public is None and _path(request) == OPENAPI_PATH:
            public = document
        if public is None:
            return request.get_response(protected)
        if request.method not in ('GET', 'HEAD'):
            return faults.response(405, f'{request.method} is not allowed here',
                                   {'Allow': 'GET'})
        return _json(public)

    return route
