"""How the API shows a row of a record: the seed's JSON shape.

``deleted`` is a boolean and times are ISO 8601 with microseconds
(``2012-10-01T18:50:27.781065``), as the seed's nova objects returned them;
a secret field (the password) is masked.
"""

import datetime

MASKED_PASSWORD = '******'


def view(record, row):
    shown = {key: json_value(value) for key, value in row.items()
             if key not in record.hidden}
    shown['deleted'] = bool(row.get('deleted'))
    for name in record.hidden:
        shown[name] = MASKED_PASSWORD
    return shown


def json_value(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec='microseconds')
    return value
