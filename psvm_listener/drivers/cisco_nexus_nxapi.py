"""Cisco Nexus over NX-API CLI (HTTPS; Nexus 9000/3000, 5600/6000 on 7.x).

The same plugin and plan as the NETCONF driver, the same two round trips
per sync: one ``cli_show_ascii`` request that prints every port's
running-config and the LIF line, and one ``cli_conf`` request with every
change (``rollback-on-error``: all or nothing, as the NETCONF edit).  One
``requests.Session`` per switch keeps its connection alive; the first
request logs in with HTTP basic, the next ones send the ``nxapi_auth``
cookie the switch set, and log in again only when it expired.

TLS is always verified: against the certificate fingerprint pinned in the
switch's record (``host_key``, ``SHA256:<base64>`` of the DER certificate;
urllib3's ``assert_fingerprint``), else against ``[switches]
nxapi_ca_bundle``; a switch with neither is refused.
"""

import base64
import binascii
import logging

import requests
from requests import adapters

from psvm_listener.drivers import base
from psvm_listener.drivers import nexus
from psvm_listener.drivers import nxos_cli

LOG = logging.getLogger(__name__)

COOKIE = 'nxapi_auth'


def certificate_pin(text):
    """The hex SHA-256 digest a pinned fingerprint names, or CertificateMismatch."""
    scheme, _, encoded = (text or '').strip().partition(':')
    try:
        digest = base64.b64decode(encoded + '=' * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        digest = b''
    if scheme.upper() != 'SHA256' or len(digest) != 32:
        raise base.CertificateMismatch(
            f'{text!r} is not a SHA-256 certificate fingerprint (SHA256:<base64>)')
    return digest.hex()


class _PinnedAdapter(adapters.HTTPAdapter):
    """Checks the switch's certificate against its pinned digest instead of a CA."""

    def __init__(self, digest):
        self.digest = digest
        super().__init__()

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host, pool = super().build_connection_pool_key_attributes(request, False, cert)
        pool['assert_fingerprint'] = self.digest
        return host, pool


class CiscoNexusNxapiDriver(nexus.NexusDriver):
    """Nexus trunk ports over NX-API's ``ins_api`` JSON."""

    def __init__(self, conf, login, on_lost=None):
        super().__init__(conf, login, on_lost)
        self._http = None
        self._answered = False
        host = f'[{login.ip}]' if ':' in login.ip else login.ip
        self.url = f'https://{host}:{login.port}/ins'

    def apply(self, plan):
        commands = nxos_cli.conf_commands(plan, self.options.max_list_items,
                                          self.options.max_list_chars)
        if commands:
            self._ins_api('cli_conf', commands, 'rejected the change',
                          rollback='rollback-on-error')

    def save(self):
        self._ins_api('cli_show_ascii', ['copy running-config startup-config'],
                      'refused to save its configuration')

    def close(self):
        with self._lock:
            http, self._http, self._answered = self._http, None, False
        if http is not None:
            http.close()

    def _show(self, commands):
        outputs = self._ins_api('cli_show_ascii', commands, 'refused to show')
        return '\n'.join(str(output.get('body') or '') for output in outputs)

    def _ins_api(self, kind, commands, refusal, **extra):
        document = self._request(lambda http: self._post(
            http, nxos_cli.ins_api(kind, commands, **extra)))
        try:
            return nxos_cli.outputs(document)
        except nxos_cli.CommandFailed as exc:
            raise base.Rejected(f'switch {self.login.name} {refusal}: {exc}')

    def _connected(self):
        return self._answered

    def _request_once(self, call):
        http = self._session()
        self.rpcs += 1
        try:
            document = call(http)
        except requests.exceptions.SSLError as exc:
            self.close()
            raise base.CertificateMismatch(f'switch {self.login.name}: TLS certificate '
                                           f'refused: {exc}')
        except requests.exceptions.ConnectTimeout:
            self.close()
            raise base.Timeout(f'switch {self.login.name} did not answer within '
                               f'{self.options.connect_timeout:g} s')
        except requests.exceptions.Timeout:
            self.close()
            raise base.Timeout(f'switch {self.login.name} did not answer within '
                               f'{self.options.rpc_timeout:g} s')
        except requests.exceptions.RequestException as exc:
            self.close()
            raise base.Unreachable(f'switch {self.login.name}: NX-API unreachable: {exc}',
                                   retry_after=self.options.reconnect_interval)
        self._answered = True
        return document

    def _session(self):
        if self._http is None:
            http = requests.Session()
            http.trust_env = False  # no proxy, and no REQUESTS_CA_BUNDLE over our verify
            if self.login.host_key:
                http.mount('https://', _PinnedAdapter(certificate_pin(self.login.host_key)))
                http.verify = False
            elif self.options.nxapi_ca_bundle:
                http.verify = self.options.nxapi_ca_bundle
            else:
                raise base.CertificateMismatch(
                    f'switch {self.login.name} pins no certificate fingerprint and '
                    '[switches] nxapi_ca_bundle is empty: refusing unverified TLS')
            self._http = http
        return self._http

    def _post(self, http, document):
        """POST ``document``; basic login only when no cookie is held or it expired."""
        cookie = http.cookies.get(COOKIE)
        response = self._send(http, document, auth=None if cookie else self._login())
        if response.status_code == 401 and cookie:
            http.cookies.clear()
            response = self._send(http, document, auth=self._login())
        return self._document(response)

    def _login(self):
        return self.login.user_name, self.login.password

    def _send(self, http, document, auth):
        return http.post(self.url, json=document, auth=auth,
                         timeout=(self.options.connect_timeout, self.options.rpc_timeout))

    def _document(self, response):
        name, status = self.login.name, response.status_code
        if status == 401:
            raise base.AuthenticationFailed(
                f'switch {name} refused user {self.login.user_name!r}: wrong user name or '
                "password (check the switch's credential)")
        if status == 503:
            raise base.SessionLimit(f'switch {name}: NX-API has no free worker (HTTP 503)')
        if status >= 500:
            raise base.Unreachable(f'switch {name}: NX-API failed with HTTP {status}')
        try:
            document = response.json()
        except ValueError:
            raise base.Rejected(f'switch {name}: NX-API answered HTTP {status} without JSON')
        if status != 200:
            raise base.Rejected(f'switch {name} refused the request (HTTP {status}): '
                                f'{document}')
        return document
