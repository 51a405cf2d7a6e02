"""What every Nexus driver shares, whatever its wire: one read, one change, retries.

A sync reads every port's running-config, the LIF line and the boot time
with one request (``show running-config interface ...``, ``show spanning-tree
internal info global`` and ``show version``, parsed by nxos_xml and vlans;
a full sync also every interface and ``show vlan brief``), and applies the
whole plan with another.  A switch that refuses to show the ports together is read port by
port, so one bad binding does not stop the others.  A request is retried with
exponential backoff while the switch has no free session, and sent again once
on a fresh session when the kept one broke (reads and plans are idempotent).
"""

import abc
import dataclasses
import datetime
import logging
import threading

import tenacity

from psvm_listener import vlans
from psvm_listener.drivers import base
from psvm_listener.drivers import nxos_xml

LOG = logging.getLogger(__name__)


class NexusDriver(base.Driver):
    """The read and the retries; subclasses speak the protocol.

    ``_show(commands)`` returns the CLI text of the commands' outputs (or
    raises base.Rejected); ``_request_once(call)`` sends one request on the
    open session (opening one if needed) and maps the protocol's failures to
    typed errors; ``close`` drops the session.
    """

    def __init__(self, conf, login, on_lost=None):
        super().__init__(conf, login, on_lost)
        self.options = conf.switches
        self._lock = threading.RLock()
        self._parsed = {}

    def read(self, ports, every_port=False):
        ports = list(ports)
        if every_port:
            return self._read_together(ports, every_port=True)
        try:
            return self._read_together(ports)
        except base.Rejected:
            if len(ports) < 2:
                raise
            return self._read_each(ports)

    def _read_together(self, ports, every_port=False):
        """One request: the ports' running-config (every interface's with
        ``every_port``, and the VLAN database), the LIF figures and
        ``show version`` (the boot time, that tells a reload)."""
        commands = [nxos_xml.LIF_COMMAND, nxos_xml.VERSION_COMMAND]
        if every_port:
            commands[:0] = [nxos_xml.EVERY_INTERFACE_COMMAND, nxos_xml.VLAN_COMMAND]
        elif ports:
            commands.insert(0, nxos_xml.show_interfaces_command(ports))
        text = self._show(commands)
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        try:
            configs = nxos_xml.interface_configs(text)
            usage, limit = nxos_xml.lif_figures(text)
            missing = {port: f'switch {self.login.name} has no such port '
                             f'(not in its running-config)'
                       for port in ports if port not in configs}
            if missing and not every_port:
                raise nxos_xml.UnreadableReply(
                    f'no running-config for {min(missing)} in the reply')
            wanted = set(ports) - set(missing)
            if every_port:
                wanted |= {port for port, config in configs.items() if nxos_xml.is_trunk(config)}
            allowed = {port: self._allowed(port, configs[port]) for port in sorted(wanted)}
        except (ValueError, vlans.InvalidVlanList) as exc:
            raise base.Rejected(f'switch {self.login.name}: unreadable reply: {exc}')
        return base.Reading(
            allowed=allowed, lif_usage=usage, lif_limit=limit, unreadable=missing,
            booted_at=nxos_xml.boot_time(text, now),
            vlan_database=nxos_xml.vlan_database(text) if every_port else None)

    def _read_each(self, ports):
        """Port by port, after the switch refused to show them together: the
        ports it refuses alone are reported, the others read."""
        allowed, unreadable, last = {}, {}, None
        for port in ports:
            try:
                last = self._read_together([port])
            except base.Rejected as exc:
                unreadable[port] = str(exc)
            else:
                allowed.update(last.allowed)
        if last is None:
            raise base.Rejected(f'switch {self.login.name} would show none of the ports: '
                                f'{unreadable[ports[0]]}')
        return dataclasses.replace(last, allowed=allowed, unreadable=unreadable)

    def _allowed(self, port, config):
        """A port's allowed list, parsed again only when its config text changed:
        a full sync in step then costs one request and almost no parsing."""
        seen = self._parsed.get(port)
        if seen is None or seen[0] != config:
            seen = self._parsed[port] = (config, vlans.allowed_from_config(config))
        return seen[1]

    def _request(self, call):
        """``call(session)`` on the open session; retried while the switch is busy."""
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(base.SessionLimit),
            wait=tenacity.wait_exponential(multiplier=0.05, max=2.0),
            stop=tenacity.stop_after_delay(self.options.busy_retry_seconds),
            reraise=True)
        with self._lock:
            return retrying(self._request_reconnecting, call)

    def _request_reconnecting(self, call):
        """A session kept from an earlier sync may have died meanwhile: reopen it once."""
        reused = self._connected()
        try:
            return self._request_once(call)
        except base.Timeout:
            raise
        except base.Unreachable:
            if not reused:
                raise
            LOG.info('switch %s: session broke; reopening it', self.login.name)
            return self._request_once(call)

    @abc.abstractmethod
    def _connected(self):
        """True when a session from an earlier request is open."""

    @abc.abstractmethod
    def _show(self, commands):
        """The CLI text the commands print, in one request."""

    @abc.abstractmethod
    def _request_once(self, call):
        """``call(session)`` once, on the open session or a new one."""
