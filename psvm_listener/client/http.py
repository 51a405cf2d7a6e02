"""psvm-api over HTTP: a keystoneauth1 adapter, three collections and the
pending plans.

The adapter finds psvm-api as OpenStackClient does: an endpoint given
(``--os-endpoint``, ``psvm_endpoint_override`` in clouds.yaml) or the
keystone catalog's ``psvm`` service.  keystoneauth logs every request body
at debug level; a body that carries a secret is sent unlogged and logged
here with the secret masked, so no password reaches a log at any verbosity.
"""

import copy
import json

from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import http_basic
from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from oslo_log import log as logging

from psvm_listener import errors
from psvm_listener.api import plans
from psvm_listener.api import resources

LOG = logging.getLogger(__name__)
SERVICE_TYPE = 'psvm'


class ApiError(errors.Permanent):
    """psvm-api refused the request; the message is the API's own."""


def make_session(args):
    """The keystoneauth1 session the standalone ``psvm``'s options ask for:
    a keystone token, HTTP basic credentials, or nothing (noauth)."""
    if args.os_auth_url:
        auth = v3.Password(auth_url=args.os_auth_url, username=args.os_username,
                           password=args.os_password, project_name=args.os_project_name,
                           user_domain_name=args.os_user_domain_name,
                           project_domain_name=args.os_project_domain_name)
    elif args.basic_user:
        auth = http_basic.HTTPBasicAuth(endpoint=args.os_url, username=args.basic_user,
                                        password=args.basic_password or '')
    else:
        auth = noauth.NoAuth(endpoint=args.os_url)
    return ks_session.Session(auth=auth, timeout=args.timeout)


def make_adapter(session, endpoint=None, region_name=None, interface='public'):
    return adapter.Adapter(session, service_type=SERVICE_TYPE, endpoint_override=endpoint,
                           region_name=region_name, interface=interface)


class Api:
    """``Api(adapter)``; each method returns the row(s) as dicts."""

    def __init__(self, api_adapter):
        self.adapter = api_adapter

    def list(self, record, **query):
        return self._call('GET', record.collection, params=query)[record.plural]

    def show(self, record, row_id):
        return self._call('GET', f'{record.collection}/{row_id}')[record.singular]

    def create(self, record, fields):
        return self._send('POST', record, record.collection, fields)

    def update(self, record, row_id, fields):
        return self._send('PUT', record, f'{record.collection}/{row_id}', fields)

    def delete(self, record, row_id):
        self._call('DELETE', f'{record.collection}/{row_id}')

    def list_plans(self, **query):
        return self._call('GET', plans.COLLECTION, params=query)[plans.PLURAL]

    def show_plan(self, plan_id):
        return self._call('GET', f'{plans.COLLECTION}/{plan_id}')[plans.SINGULAR]

    def decide_plan(self, plan_id, action):
        """POST ``action`` (approve, discard); the plan as decided, and
        after an approval the sync that applied it (``sync``)."""
        return self._call('POST', f'{plans.COLLECTION}/{plan_id}/{action}')

    def _send(self, method, record, path, fields):
        body = {record.singular: fields}
        secrets = [name for name in record.hidden if name in fields]
        if not secrets:
            return self._call(method, path, json=body)[record.singular]
        masked = copy.deepcopy(body)
        for name in secrets:
            masked[record.singular][name] = resources.MASKED_PASSWORD
        LOG.debug('REQ: %s %s %s (keystoneauth does not log a body with a secret)',
                  method, path, json.dumps(masked))
        return self._call(method, path, json=body, log=False)[record.singular]

    def _call(self, method, path, **kwargs):
        try:
            response = self.adapter.request(path, method, raise_exc=False, **kwargs)
        except ks_exceptions.ClientException as exc:
            raise ApiError(f'cannot reach psvm-api: {exc}')
        if response.status_code >= 400:
            raise ApiError(f'{response.status_code}: {_message(response)}')
        return response.json() if response.content else None


def _message(response):
    """The message of a fault body (nova or keystonemiddleware shape)."""
    try:
        (fault,) = response.json().values()
        return fault['message']
    except (ValueError, TypeError, KeyError, AttributeError):
        return response.text[:200] or response.reason
