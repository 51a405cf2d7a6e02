"""Which SSH host key a switch may present, checked before any password is sent.

A switch's pinned key (its ``host_key`` in psvm's database, an OpenSSH
fingerprint ``SHA256:...``) wins;
without one, the operator's known_hosts file decides; a switch in neither is
refused unless trust-on-first-use is configured, which records its key.
"""

import base64
import hashlib
import os
import threading

import paramiko

from psvm_listener.drivers import base

_RECORDING = threading.Lock()


def fingerprint(key):
    """OpenSSH's fingerprint of a paramiko key: 'SHA256:<base64, no padding>'."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return 'SHA256:' + base64.b64encode(digest).decode().rstrip('=')


def _known_hosts_name(host, port):
    return host if port == 22 else f'[{host}]:{port}'


class HostKeyPolicy:
    """Decides on one switch's key; raises HostKeyMismatch with the reason."""

    def __init__(self, pinned, known_hosts_file='', trust_on_first_use=False):
        self.pinned = pinned or None
        self.known_hosts_file = known_hosts_file or None
        self.trust_on_first_use = trust_on_first_use

    def check(self, host, port, key):
        name = _known_hosts_name(host, port)
        if self.pinned:
            # The database takes a fingerprint with its base64 padding too;
            # OpenSSH prints it without.
            if self.pinned.strip().rstrip('=') == fingerprint(key):
                return
            raise base.HostKeyMismatch(
                f'switch {host}:{port} presented host key {fingerprint(key)}, '
                f'not its pinned key {self.pinned}; refusing to log in '
                f'(a changed switch, or someone in the middle)')
        known = self._known(name)
        if known:
            if any(k == key for k in known):
                return
            raise base.HostKeyMismatch(
                f'switch {host}:{port} presented host key {fingerprint(key)}, '
                f'not the key known_hosts file {self.known_hosts_file} has for '
                f'{name}; refusing to log in')
        if not self.trust_on_first_use:
            raise base.HostKeyMismatch(
                f'switch {host}:{port} presented unknown host key '
                f'{fingerprint(key)}: pin it on the switch or add it to '
                f'[switches] known_hosts_file (or enable trust_on_first_use)')
        self._record(name, key)

    def has_key(self, host, port):
        """Whether a key to check the switch against is pinned or in known_hosts."""
        return bool(self.pinned or self._known(_known_hosts_name(host, port)))

    def _known(self, name):
        if not self.known_hosts_file or not os.path.exists(self.known_hosts_file):
            return []
        keys = paramiko.HostKeys(self.known_hosts_file).lookup(name)
        return list(keys.values()) if keys else []

    def _record(self, name, key):
        """Trust this key from now on: in this process, and in the file if any."""
        self.pinned = fingerprint(key)
        if not self.known_hosts_file:
            return
        with _RECORDING:
            known = paramiko.HostKeys()
            if os.path.exists(self.known_hosts_file):
                known.load(self.known_hosts_file)
            known.add(name, key.get_name(), key)
            known.save(self.known_hosts_file)
