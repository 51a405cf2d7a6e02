"""Errors as HTTP responses, in the JSON shape nova used for the seed.

``{"itemNotFound": {"code": 404, "message": "..."}}``: the key names the
kind of fault, the message says what to fix.
"""

import json

import webob

from psvm_listener.db import errors as db_errors

NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'notAllowed',
    409: 'conflict',
    413: 'requestEntityTooLarge',
    502: 'badGateway',
    503: 'serviceUnavailable',
}

DB_STATUS = (
    (db_errors.NotFound, 404),
    (db_errors.Duplicate, 409),
    (db_errors.InUse, 409),
    (db_errors.Decided, 409),
    (db_errors.InvalidReference, 409),
    (db_errors.Invalid, 400),
    (db_errors.SchemaMissing, 503),
    (db_errors.CredentialKeyMissing, 503),
    (db_errors.CredentialKeyMismatch, 503),
    (db_errors.Unavailable, 503),
)


class Fault(Exception):
    """Raised by a handler to answer with ``status`` and ``message``."""

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def response(status, message, headers=None):
    body = {NAMES[status]: {'code': status, 'message': message}}
    resp = webob.Response(status=status, content_type='application/json',
                          charset='utf-8', body=json.dumps(body).encode())
    resp.headers.update(headers or {})
    return resp


def from_db_error(exc):
    """The Fault for a database-layer error, or None if it is not one of ours."""
    for error_type, status in DB_STATUS:
        if isinstance(exc, error_type):
            return Fault(status, str(exc))
    return None
