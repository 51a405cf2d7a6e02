"""Typed errors: what a caller does next depends on the type, not the text.

``RetryLater`` means the same work may succeed later unchanged (switch
unreachable, session limit, nova DB down): keep the ports dirty and back off.
``Permanent`` means repeating the same work will fail the same way (switch
rejected the plan, bad credentials, host key mismatch): report it, and try
again only when something changes or at the next full sync.
"""


class PsvmError(Exception):
    """Base of every error psvm-listener raises on purpose."""


class RetryLater(PsvmError):
    """Temporary: the same work may succeed if tried again after a delay.

    ``retry_after`` (seconds), when the raiser knows better than a growing
    backoff: a switch that dropped its sessions is likely reloading, and
    the first sync after it returns must not wait out a long backoff.
    """

    def __init__(self, *args, retry_after=None):
        super().__init__(*args)
        self.retry_after = retry_after


class Permanent(PsvmError):
    """Repeating the same work unchanged will fail the same way."""


class Refused(Permanent):
    """The switch refused a change: the same ports fail again, but a batch of
    fewer ports may pass, so the refused one can be found and set aside."""
