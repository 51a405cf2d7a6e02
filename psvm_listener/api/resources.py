"""The three resources of the API, as declarations over the database layer.

Each resource names its URL collection, its singular and plural JSON keys
(the seed's), its body schemas, its database methods and its policy prefix;
``app`` serves all three with the same code.
"""

import dataclasses

from psvm_listener.api import schemas

MASKED_PASSWORD = '******'


@dataclasses.dataclass(frozen=True)
class Resource:
    collection: str      # URL segment under /v2, as the seed named it
    singular: str        # JSON key of one row
    plural: str          # JSON key of a list
    kind: str            # database method suffix and policy name
    kinds: str           # the plural of kind, for list_<kinds>
    fields: dict         # settable fields and their schemas
    required: tuple      # fields a create must give
    resyncs: bool        # does a change ask the listener to resync a switch?

    @property
    def create_schema(self):
        return schemas.body(self.singular, self.fields, self.required)

    @property
    def update_schema(self):
        return schemas.body(self.singular, self.fields, ())

    def view(self, row):
        """The row as the API shows it: times in ISO 8601, password masked."""
        shown = {key: _json_value(value) for key, value in row.items()
                 if key != 'password'}
        if 'password' in self.fields:
            shown['password'] = MASKED_PASSWORD
        return shown


def _json_value(value):
    return value.isoformat() if hasattr(value, 'isoformat') else value


CREDENTIAL = Resource('os-psvmcred', 'psvmcred', 'psvmcreds', 'credential', 'credentials',
                      schemas.CREDENTIAL_FIELDS, ('user_name', 'password'), False)
SWITCH = Resource('os-psvm', 'psvm', 'psvms', 'switch', 'switches',
                  schemas.SWITCH_FIELDS, ('ip', 'switch_cred_id'), True)
BINDING = Resource('os-psvmpbind', 'psvmpbind', 'psvmpbinds', 'binding', 'bindings',
                   schemas.BINDING_FIELDS,
                   ('switch_id', 'compute_node_id', 'switch_port'), True)

ALL = (CREDENTIAL, SWITCH, BINDING)
