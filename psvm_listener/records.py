"""PSVM's three records, each declared once.

A record's fields say everything the layers need: the JSON schema the API
validates a body with, the check the database layer stores a value through,
and the option and column of both CLIs (``psvm``/``openstack psvm`` and
``psvm-manage``).  The table itself is ``db.models``; the API's JSON keys
and URL segments are the seed's (nova extensions os-psvm, os-psvmcred,
os-psvmpbind).  A new field is one line here (and a column and migration).
"""

import dataclasses

from psvm_listener.api import schemas
from psvm_listener.db import models
from psvm_listener.db import validation as check


@dataclasses.dataclass(frozen=True)
class Field:
    """One field an operator sets."""

    name: str
    schema: dict        # JSON schema of the value in an API body
    check: object       # check(field, value) -> the value as stored, or errors.Invalid
    help: str
    flag: str = None    # CLI option; by default --name-with-dashes
    type: type = str    # what the CLI option parses its text as
    required: bool = False   # on create
    default: object = None   # stored when a create does not give it
    secret: bool = False     # written, never shown
    clearable: bool = False  # on a CLI set, '' stores null
    listed: bool = True      # a column of the CLIs' lists

    @property
    def option(self):
        return self.flag or '--' + self.name.replace('_', '-')


@dataclasses.dataclass(frozen=True)
class Status:
    """A column the service writes and operators only read."""

    name: str
    schema: dict
    listed: bool = True


@dataclasses.dataclass(frozen=True)
class Filter:
    """A field lists may be narrowed to; ``repeat``: one of several values."""

    field: str
    repeat: bool = False

    @property
    def keyword(self):
        """The list_<names> argument: a repeatable filter's takes a list."""
        return f'{self.field}s' if self.repeat else self.field


@dataclasses.dataclass(frozen=True)
class Record:
    name: str            # 'switch': database methods, policy rules, CLI noun
    names: str           # 'switches': list_<names>
    model: type
    collection: str      # URL segment under /v2
    singular: str        # JSON key of one row
    plural: str          # JSON key of a list
    fields: tuple
    status: tuple = ()
    filters: tuple = ()
    references: dict = dataclasses.field(default_factory=dict)  # field -> parent Record
    unique: tuple = ()          # fields that identify a live row
    duplicate_field: str = None  # the field a Duplicate error names
    resyncs: bool = False        # does a change ask the listener to resync a switch?
    internal: tuple = ()         # columns only PSVM's own code reads (db.facts' sums)

    def field(self, name):
        return next(f for f in self.fields if f.name == name)

    @property
    def table(self):
        return self.model.__table__

    @property
    def checks(self):
        return {f.name: f.check for f in self.fields}

    @property
    def required(self):
        return tuple(f.name for f in self.fields if f.required)

    @property
    def defaults(self):
        return {f.name: f.default for f in self.fields if f.default is not None}

    @property
    def schemas(self):
        return {f.name: f.schema for f in self.fields}

    @property
    def hidden(self):
        return tuple(f.name for f in self.fields if f.secret)

    @property
    def columns(self):
        """The keys of the dicts rows come back as, in table order."""
        return [c.name for c in self.table.columns
                if c.name not in self.hidden and c.name not in self.internal]

    @property
    def list_columns(self):
        """What both CLIs' lists show."""
        return ('id', *(f.name for f in self.fields if f.listed and not f.secret),
                *(s.name for s in self.status if s.listed))


CREDENTIAL = Record(
    'credential', 'credentials', models.SwitchCredential,
    'os-psvmcred', 'psvmcred', 'psvmcreds',
    fields=(
        Field('user_name', schemas.TEXT, check.text, 'user name the switch accepts',
              required=True),
        Field('password', schemas.TEXT, check.text,
              'password (visible in the process list: prefer --password-stdin)',
              required=True, secret=True),
    ))

SWITCH = Record(
    'switch', 'switches', models.Switch,
    'os-psvm', 'psvm', 'psvms',
    fields=(
        Field('ip', schemas.IP, check.ip, 'management IP address (IPv4 or IPv6)',
              required=True),
        Field('switch_cred_id', schemas.ID_IN_BODY, check.id_,
              'id of the credential to log in with', flag='--credential', type=int,
              required=True),
        Field('port', schemas.TCP_PORT, check.tcp_port, 'SSH port (default 22)',
              type=int, default=22),
        Field('host_key', schemas.HOST_KEY, check.host_key,
              "pinned SSH host key fingerprint, SHA256:... as ssh-keygen -lf prints "
              "it, or for NX-API the TLS certificate's ('' on set unpins it)",
              clearable=True, listed=False),
        Field('description', schemas.OPTIONAL_TEXT, check.optional_text,
              "free text ('' on set clears it)", clearable=True),
        Field('managed_vlans', schemas.VLAN_LIST, check.vlan_list,
              "VLANs psvm-listener manages on this switch, as an NX-OS list (\"100-3000\"); "
              "VLANs outside it are never touched ('' on set: psvm_managed_vlans)",
              clearable=True, listed=False),
        Field('driver', schemas.DRIVER, check.driver,
              'switch driver: cisco_nexus_netconf (SSH, port 22) or cisco_nexus_nxapi '
              "(HTTPS, port 443); default [DEFAULT] psvm_driver ('' on set goes back to "
              'it)', clearable=True),
    ),
    status=(
        Status('last_sync_at', schemas.OPTIONAL_DATE_TIME),
        Status('last_sync_result', schemas.OPTIONAL_STRING),
        Status('lif_usage', schemas.OPTIONAL_COUNT),
        Status('drift', schemas.OPTIONAL_COUNT, listed=False),
        Status('unsaved_since', schemas.OPTIONAL_DATE_TIME, listed=False),
        Status('booted_at', schemas.OPTIONAL_DATE_TIME, listed=False),
        Status('vlan_database', schemas.OPTIONAL_STRING, listed=False),
    ),
    references={'switch_cred_id': CREDENTIAL},
    unique=('ip', 'port'), duplicate_field='ip', resyncs=True,
    internal=('ports_listed', 'ports_all', 'ports_digest'))

BINDING = Record(
    'binding', 'bindings', models.SwitchportBinding,
    'os-psvmpbind', 'psvmpbind', 'psvmpbinds',
    fields=(
        Field('switch_id', schemas.ID_IN_BODY, check.id_, 'id of the switch',
              flag='--switch', type=int, required=True),
        Field('compute_node_id', schemas.ID_IN_BODY, check.id_,
              "nova's compute_nodes.id of the node", flag='--compute-node', type=int,
              required=True),
        Field('switch_port', schemas.SWITCH_PORT, check.switch_port,
              'port the node is cabled to: ethernet1/19, eth101/1/7, po20 '
              '(stored normalised: ethernet101/1/7)', required=True),
    ),
    filters=(Filter('switch_id'), Filter('compute_node_id', repeat=True)),
    references={'switch_id': SWITCH},
    unique=('switch_id', 'switch_port'), duplicate_field='switch_port', resyncs=True)

ALL = (CREDENTIAL, SWITCH, BINDING)

# The listener's own table of moves in flight: behind no API nor CLI, but
# written through the same database layer.
MOVE_INTENT = Record(
    'move intent', 'move intents', models.MoveIntent, None, None, None,
    fields=(
        Field('instance_uuid', None, lambda field, value: check.text(field, value, 36),
              "nova's instance uuid", required=True),
        Field('dest_host', None, check.text, 'host the instance moves to', required=True),
        Field('source_host', None, check.optional_text, 'host it leaves'),
    ))
