"""What a switch driver does: the wire, and nothing that decides.

A driver speaks one protocol to one switch.  It reads the allowed VLANs of
many ports at once, applies a plan (create VLANs, add, remove) in as few
round trips as the device allows, and maps every failure to a typed error so
the caller knows whether to retry.  Which VLANs to change is the plugin's
business (psvm_listener.plan).

One driver object per switch keeps one session open across syncs and opens a
new one when the old one broke.

Reading the LIF usage rides on ``read`` and creating missing VLANs on
``apply``: each is part of the one round trip a sync already makes, never a
round trip of its own.
"""

import abc
import dataclasses
import datetime

from psvm_listener import errors


class Unreachable(errors.RetryLater):
    """The switch did not answer, or the session broke."""


class Timeout(Unreachable):
    """The switch took longer than the configured timeout to answer."""


class SessionLimit(errors.RetryLater):
    """The switch has no free management session (NX-OS allows 8)."""


class Rejected(errors.Refused):
    """The switch refused the change or the read; the same plan fails again."""


class AuthenticationFailed(errors.Permanent):
    """The switch refused the user name or password."""


class HostKeyMismatch(errors.Permanent):
    """The switch's SSH host key is not the pinned or known one."""


class CertificateMismatch(HostKeyMismatch):
    """The switch's TLS certificate is not the pinned one, or no trusted CA signed it."""


@dataclasses.dataclass(frozen=True)
class Login:
    """How to reach one switch.  The password never shows in a repr."""

    ip: str
    port: int
    user_name: str
    password: str = dataclasses.field(repr=False)
    host_key: str | None = None
    driver: str | None = None

    @property
    def name(self):
        return f'{self.ip}:{self.port}'


@dataclasses.dataclass(frozen=True)
class Reading:
    """What one read returned: allowed VLANs per port and LIF usage.

    ``unreadable`` maps each port the switch would not show (a binding to a
    port it does not have) to the switch's words, so that one bad binding
    does not stop the sync of every other port.  ``booted_at`` (naive UTC,
    None when the switch does not say) tells a reload from the last read.
    A read of every port also holds the trunk ports no one asked for in
    ``allowed`` and the switch's ``vlan_database``.
    """

    allowed: dict
    lif_usage: int
    lif_limit: int | None = None
    unreadable: dict = dataclasses.field(default_factory=dict)
    booted_at: datetime.datetime | None = None
    vlan_database: frozenset | None = None


class Driver(abc.ABC):
    """One switch, one persistent session."""

    def __init__(self, conf, login, on_lost=None):
        self.conf = conf
        self.login = login
        self.rpcs = 0
        self.on_lost = on_lost
        """Called (no arguments, on any thread) when the switch drops an
        open session: a reload shows first as that."""

    @abc.abstractmethod
    def read(self, ports, every_port=False):
        """A Reading for ``ports`` (normalised names): ALL stays ALL.

        With ``every_port``, also every other trunk port of the switch and
        its VLAN database, in the same round trip.
        """

    @abc.abstractmethod
    def apply(self, plan):
        """Run the steps of ``plan.order`` (create, replace, add, remove)."""

    @abc.abstractmethod
    def save(self):
        """Persist the running configuration (copy running startup)."""

    @abc.abstractmethod
    def close(self):
        """Close the session; the next call opens a new one."""
