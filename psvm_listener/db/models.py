"""Tables of PSVM's database, in nova's soft-delete convention.

A row is live while ``deleted`` is 0; deleting it sets ``deleted`` to its
own id, so a unique constraint that includes ``deleted`` holds among live
rows only and any number of deleted twins may remain.  Each table has a
``shadow_`` twin (same columns, no constraints besides the key) where
``archive_deleted_rows`` moves deleted rows, as nova does.

Times are naive UTC, as in nova.  The migrations in ``migrations/`` must
create exactly these tables; a test compares them on every database.
"""

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import mysql

NAMING = {
    'ix': 'ix_%(table_name)s_%(column_0_N_name)s',
    'uq': 'uq_%(table_name)s_%(column_0_N_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}

NAME_LENGTH = 255
# Times keep their microseconds, as nova's do; MariaDB drops them unless asked.
TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql', 'mariadb')
SYNC_RESULT_LENGTH = 255
# SQLite otherwise hands out the highest id again once its row is archived,
# and the second archived row with that id would clash in the shadow table.
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}


class Base(orm.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class SoftDeleteMixin:
    """id first, the fields of the table, then the times and ``deleted``."""

    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True, sort_order=-1)
    created_at = orm.mapped_column(TIME, nullable=False, sort_order=1)
    updated_at = orm.mapped_column(TIME, nullable=True, sort_order=1)
    deleted_at = orm.mapped_column(TIME, nullable=True, sort_order=1)
    deleted = orm.mapped_column(sa.Integer, nullable=False, default=0, sort_order=1)


class SwitchCredential(SoftDeleteMixin, Base):
    """Login of one or more switches; ``password`` is a Fernet token."""

    __tablename__ = 'psvm_switch_credential'
    __table_args__ = (NEVER_REUSE_IDS,)

    user_name = orm.mapped_column(sa.String(NAME_LENGTH), nullable=False)
    password = orm.mapped_column(sa.Text, nullable=False)


class Switch(SoftDeleteMixin, Base):
    """A switch reached over SSH (NETCONF) or HTTPS (NX-API), and what its last sync
    found; ``driver`` null means ``[DEFAULT] psvm_driver``."""

    __tablename__ = 'psvm_switch'
    __table_args__ = (sa.UniqueConstraint('ip', 'port', 'deleted'), NEVER_REUSE_IDS)

    ip = orm.mapped_column(sa.String(64), nullable=False)
    port = orm.mapped_column(sa.Integer, nullable=False, default=22)
    switch_cred_id = orm.mapped_column(
        sa.Integer, sa.ForeignKey('psvm_switch_credential.id'), nullable=False,
        index=True)
    host_key = orm.mapped_column(sa.String(NAME_LENGTH), nullable=True)
    description = orm.mapped_column(sa.String(NAME_LENGTH), nullable=True)
    driver = orm.mapped_column(sa.String(NAME_LENGTH), nullable=True)
    last_sync_at = orm.mapped_column(TIME, nullable=True)
    last_sync_result = orm.mapped_column(sa.String(SYNC_RESULT_LENGTH), nullable=True)
    lif_usage = orm.mapped_column(sa.Integer, nullable=True)
    drift = orm.mapped_column(sa.Integer, nullable=True)
    managed_vlans = orm.mapped_column(sa.Text, nullable=True)
    vlan_database = orm.mapped_column(sa.Text, nullable=True)
    booted_at = orm.mapped_column(TIME, nullable=True)
    unsaved_since = orm.mapped_column(TIME, nullable=True)
    ports_listed = orm.mapped_column(sa.Integer, nullable=False, default=0,
                                     server_default='0')
    """VLANs allowed, summed over the bound ports of psvm_switch_port that list them."""
    ports_all = orm.mapped_column(sa.Integer, nullable=False, default=0,
                                  server_default='0')
    """Ports of psvm_switch_port allowing ALL, bound or not."""
    ports_digest = orm.mapped_column(sa.String(64), nullable=True)
    """SHA-256 of the switch's stored ports and their lists as a full sync
    wrote them; None once a targeted sync changed one (db.facts)."""


class SwitchportBinding(SoftDeleteMixin, Base):
    """Which switch port a nova compute node is cabled to."""

    __tablename__ = 'psvm_switchport_binding'
    __table_args__ = (sa.UniqueConstraint('switch_id', 'switch_port', 'deleted'),
                      NEVER_REUSE_IDS)

    switch_id = orm.mapped_column(
        sa.Integer, sa.ForeignKey('psvm_switch.id'), nullable=False)
    compute_node_id = orm.mapped_column(sa.Integer, nullable=False, index=True)
    switch_port = orm.mapped_column(sa.String(64), nullable=False)


class MoveIntent(SoftDeleteMixin, Base):
    """A move in flight that nova's DB does not show yet (live migration
    pre.start, resize prep): ``dest_host`` needs the instance's VLANs until
    the move ends (soft delete) or ``expires_at`` passes.  Held here, not in
    a process, so a restarted listener, or another one, sees it too."""

    __tablename__ = 'psvm_move_intent'
    __table_args__ = (sa.UniqueConstraint('instance_uuid', 'deleted'), NEVER_REUSE_IDS)

    instance_uuid = orm.mapped_column(sa.String(36), nullable=False)
    source_host = orm.mapped_column(sa.String(NAME_LENGTH), nullable=True)
    dest_host = orm.mapped_column(sa.String(NAME_LENGTH), nullable=False)
    expires_at = orm.mapped_column(TIME, nullable=False)


class SwitchPort(Base):
    """What the switch last said one of its trunk ports allows: a fact, not a record.

    Written by every read and write of the port, from any process, so that a
    guard measured against the switch (the removal ratio, the LIF cost of a
    new VLAN) gives the same verdict in every process.  ``vlan_count`` is
    NULL for a port that allows ALL.  Rows go with their switch; they are
    never soft-deleted, as they say nothing an operator entered.
    """

    __tablename__ = 'psvm_switch_port'
    __table_args__ = (sa.UniqueConstraint('switch_id', 'port'),)

    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    switch_id = orm.mapped_column(
        sa.Integer, sa.ForeignKey('psvm_switch.id'), nullable=False)
    port = orm.mapped_column(sa.String(64), nullable=False)
    allowed = orm.mapped_column(sa.Text, nullable=False)
    vlan_count = orm.mapped_column(sa.Integer, nullable=True)
    read_at = orm.mapped_column(TIME, nullable=False)


class PendingPlan(SoftDeleteMixin, Base):
    """A sync a guard refused, kept for an operator to apply once or discard.

    ``changes`` is what the sync would do if forced (JSON: per port add,
    remove, replace as NX-OS lists), ``reasons`` why it was refused.  Applied,
    discarded or expired, it is soft-deleted and ``outcome`` says which.
    """

    __tablename__ = 'psvm_pending_plan'
    __table_args__ = (NEVER_REUSE_IDS,)

    switch_id = orm.mapped_column(
        sa.Integer, sa.ForeignKey('psvm_switch.id'), nullable=False, index=True)
    ports = orm.mapped_column(sa.Text, nullable=False)
    changes = orm.mapped_column(sa.Text, nullable=False)
    reasons = orm.mapped_column(sa.Text, nullable=False)
    outcome = orm.mapped_column(sa.String(32), nullable=True)


def _shadow(table):
    """The archive twin of ``table``: its columns, its key, nothing else."""
    columns = [sa.Column(c.name, c.type, primary_key=c.primary_key,
                         nullable=c.nullable, autoincrement=False)
               for c in table.columns]
    return sa.Table(f'shadow_{table.name}', Base.metadata, *columns)


# Children before parents: the order in which rows can be archived.
TABLES = (SwitchportBinding.__table__, PendingPlan.__table__, Switch.__table__,
          SwitchCredential.__table__, MoveIntent.__table__)
SHADOWS = {table.name: _shadow(table) for table in TABLES}
