"""Errors of PSVM's database layer, typed for the caller's next step.

Bad input and missing or conflicting rows are ``Permanent``: the same call
fails the same way until the input changes.  A database that does not answer
is ``RetryLater``.  Where one field is at fault, ``field`` names it so the
REST API and psvm-manage can say which.
"""

from psvm_listener import errors
from psvm_listener import ports


class DbError(errors.Permanent):
    """A permanent database-layer error, optionally about one field."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class NotFound(DbError):
    """No live row with that id (never created, or soft-deleted)."""


class Decided(DbError):
    """The row exists but is closed for good: a pending plan applied,
    discarded or expired already.  Not NotFound: asking twice is a conflict
    with what was decided, and the caller is told which decision it was."""


class Duplicate(DbError):
    """A live row with the same unique fields exists already."""


class InUse(DbError):
    """The row is still referenced by live rows and cannot be deleted."""


class InvalidReference(DbError):
    """The row names a switch or credential that does not exist (live)."""


class Invalid(DbError):
    """A value is malformed, out of range, or not a field of the row."""


class InvalidSwitchPort(Invalid, ports.InvalidPortName):
    """A switch port name that is not an NX-OS interface; catchable as either."""


class SchemaMissing(DbError):
    """Tables or columns are missing: ``psvm-manage db sync`` has not been
    run since the code was installed or upgraded."""


class SchemaUnknown(DbError):
    """The database is at a revision this code does not know (a newer one)."""


class CredentialKeyMissing(DbError):
    """No Fernet key to encrypt or decrypt switch passwords."""


class CredentialKeyMismatch(DbError):
    """A stored password cannot be decrypted with the configured key."""


class Unavailable(errors.RetryLater):
    """The database does not answer (refused, dropped, locked); try again."""
