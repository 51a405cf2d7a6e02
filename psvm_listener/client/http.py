"""psvm-api over HTTP: one keystoneauth1 session, three collections.

The session carries a keystone token (``--os-auth-url`` and friends), HTTP
basic credentials, or nothing (an API on loopback with noauth).
"""

import requests
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from psvm_listener import errors


class ApiError(errors.Permanent):
    """psvm-api refused the request; the message is the API's own."""


def make_session(args):
    """The keystoneauth1 session and requests auth that ``args`` ask for."""
    if args.os_auth_url:
        auth = v3.Password(auth_url=args.os_auth_url, username=args.os_username,
                           password=args.os_password, project_name=args.os_project_name,
                           user_domain_name=args.os_user_domain_name,
                           project_domain_name=args.os_project_domain_name)
        return ks_session.Session(auth=auth, timeout=args.timeout), None
    if args.basic_user:
        basic = requests.auth.HTTPBasicAuth(args.basic_user, args.basic_password or '')
        return ks_session.Session(timeout=args.timeout), basic
    return ks_session.Session(timeout=args.timeout), None


class Api:
    """``Api(url, session, basic_auth)``; each method returns the row(s) as dicts."""

    def __init__(self, url, session, basic_auth=None):
        self.url = url.rstrip('/')
        self.session = session
        self.basic_auth = basic_auth

    def list(self, resource, **query):
        return self._call('GET', resource.collection, params=query)[resource.plural]

    def show(self, resource, row_id):
        return self._call('GET', f'{resource.collection}/{row_id}')[resource.singular]

    def create(self, resource, fields):
        body = {resource.singular: fields}
        return self._call('POST', resource.collection, json=body)[resource.singular]

    def update(self, resource, row_id, fields):
        body = {resource.singular: fields}
        return self._call('PUT', f'{resource.collection}/{row_id}',
                          json=body)[resource.singular]

    def delete(self, resource, row_id):
        self._call('DELETE', f'{resource.collection}/{row_id}')

    def _call(self, method, path, **kwargs):
        try:
            response = self.session.request(f'{self.url}/{path}', method, raise_exc=False,
                                            requests_auth=self.basic_auth, **kwargs)
        except ks_exceptions.ClientException as exc:
            raise ApiError(f'cannot reach psvm-api at {self.url}: {exc}')
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
