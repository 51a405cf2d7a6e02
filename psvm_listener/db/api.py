"""The one way into PSVM's database; every row comes back as a plain dict.

Rows are never removed by ``delete_*``: they are soft-deleted in nova's way
(``deleted`` = id) and later moved to the shadow tables by
``archive_deleted_rows``.  A soft-deleted row is invisible to ``get_*`` and
``update_*`` (NotFound) and shows in ``list_*`` only with ``deleted=True``.

Checks that span rows (is the credential still used? does the switch
exist?) run in the same transaction as the write, under a lock on the
parent row, so a switch cannot be created on a credential being deleted.
"""

import contextlib
import dataclasses
import datetime
import json

import sqlalchemy as sa
from sqlalchemy import orm

from psvm_listener import conf as config
from psvm_listener import records
from psvm_listener.db import engines
from psvm_listener.db import errors
from psvm_listener.db import facts as stored_facts
from psvm_listener.db import migration
from psvm_listener.db import models
from psvm_listener.db import secrets
from psvm_listener.db import validation as check

CREDENTIAL = records.CREDENTIAL
SWITCH = records.SWITCH
BINDING = records.BINDING
KINDS = records.ALL
MOVE = records.MOVE_INTENT

SYNC_CHECKS = {'at': check.utc_time,
               'result': check.sync_result,
               'lif_usage': check.optional_count,
               'drift': check.optional_count}


@dataclasses.dataclass(frozen=True)
class PortFacts:
    """What one read or write of a switch established, to be stored with its sync.

    ``allowed`` maps each port read or written to (its allowed list as NX-OS
    writes it, or 'all'; its VLAN count, or None for ALL).  With
    ``every_port`` the read covered every trunk port of the switch, so the
    stored ports it did not name are gone, and ``vlan_database`` (the
    switch's VLANs, an NX-OS list) replaces the stored one; otherwise
    ``created`` (VLANs the sync created) is added to it.
    """

    allowed: dict
    every_port: bool = False
    vlan_database: str | None = None
    created: str = ''
    booted_at: datetime.datetime | None = None
    changed: bool = False
    reloaded: bool = False
    """The switch came back with its startup configuration: whatever was
    unsaved before is gone."""


def now():
    """Naive UTC with microseconds, as nova stamps its rows (every backend
    keeps them: MariaDB's columns are DATETIME(6))."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Database:
    """PSVM's database at ``url``; ``key_file`` is needed only for passwords."""

    def __init__(self, url, key_file=None, timeouts=engines.DEFAULT_TIMEOUTS):
        self.url = url
        self.engine = engines.create(url, timeouts)
        self._where = self.engine.url.render_as_string(hide_password=True)
        self._sessions = orm.sessionmaker(self.engine, expire_on_commit=False)
        self._cipher = secrets.Cipher(key_file)

    @classmethod
    def from_config(cls, conf=None):
        """The database of [database] connection, with [credentials] key_file."""
        conf = conf or config.CONF
        return cls(conf.database.connection, key_file=conf.credentials.key_file,
                   timeouts=engines.Timeouts.of(conf.database))

    def close(self):
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # schema

    def create_schema(self):
        """Migrate to the newest revision (``psvm-manage db sync``)."""
        engines.ensure_directory(self.url)
        with _translated(self._where):
            migration.upgrade(self.engine)

    def schema_version(self):
        with _translated(self._where):
            return migration.current(self.engine)

    # credentials

    def create_credential(self, **values):
        values = _checked(CREDENTIAL, values, creating=True)
        values['password'] = self._cipher.encrypt(values['password'])
        return self._create(CREDENTIAL, values)

    def get_credential(self, cred_id):
        return self._get(CREDENTIAL, cred_id)

    def list_credentials(self, deleted=False):
        return self._list(CREDENTIAL, deleted)

    def update_credential(self, cred_id, **values):
        values = _checked(CREDENTIAL, values)
        if 'password' in values:
            values['password'] = self._cipher.encrypt(values['password'])
        return self._update(CREDENTIAL, cred_id, values)

    def delete_credential(self, cred_id):
        return self._delete(CREDENTIAL, cred_id)

    def credential_password(self, cred_id):
        """The password in clear, for the driver only: never log it."""
        with self._transaction() as session:
            row = _live(session, CREDENTIAL, cred_id)
            return self._cipher.decrypt(row.password, f'the password of credential {row.id}')

    def reencrypt_passwords(self):
        """Re-encrypt every stored password (live, deleted and archived
        credentials) with the newest key of the key file; returns how many."""
        tables = (models.SwitchCredential.__table__,
                  models.SHADOWS[models.SwitchCredential.__tablename__])
        count = 0
        with self._transaction() as session:
            for table in tables:
                rows = session.execute(
                    sa.select(table.c.id, table.c.password).with_for_update()).all()
                for row in rows:
                    session.execute(table.update().where(table.c.id == row.id).values(
                        password=self._cipher.rotate(
                            row.password, f'the password of credential {row.id}')))
                count += len(rows)
        return count

    # switches

    def create_switch(self, **values):
        """Fields: ip, switch_cred_id, port (22), host_key, description."""
        return self._create(SWITCH, _checked(SWITCH, values, creating=True))

    def get_switch(self, switch_id):
        return self._get(SWITCH, switch_id)

    def list_switches(self, deleted=False):
        return self._list(SWITCH, deleted)

    def update_switch(self, switch_id, **values):
        return self._update(SWITCH, switch_id, _checked(SWITCH, values))

    def delete_switch(self, switch_id):
        """Soft-delete the switch; what its ports said goes with it."""
        with self._transaction() as session:
            switch = self._delete(SWITCH, switch_id, session)
            session.execute(sa.delete(models.SwitchPort).where(
                models.SwitchPort.switch_id == switch['id']))
            return switch

    def switch_login(self, switch_id):
        """Where and how the driver logs in: ip, port, host_key, user_name,
        password (in clear: never log it), and which driver (None: psvm_driver)."""
        with self._transaction() as session:
            switch = _live(session, SWITCH, switch_id)
            cred = session.get(models.SwitchCredential, switch.switch_cred_id)
            return {'ip': switch.ip, 'port': switch.port, 'host_key': switch.host_key,
                    'driver': switch.driver, 'user_name': cred.user_name,
                    'password': self._cipher.decrypt(
                        cred.password, f'the password of credential {cred.id}')}

    def record_sync(self, switch_id, at, result, lif_usage=None, drift=0):
        """Store what the last sync of a switch found, exactly as given.

        ``updated_at`` is left alone: it tells when an operator last changed
        the switch, which a sync every minute would hide.
        """
        if not self.record_syncs({switch_id: {'at': at, 'result': result,
                                              'lif_usage': lif_usage, 'drift': drift}}):
            raise errors.NotFound(f'switch {switch_id} does not exist')
        return self.get_switch(switch_id)

    def record_syncs(self, records):
        """Store the last sync of several switches ({switch_id: at, result,
        lif_usage, drift}) in one transaction; returns the ids stored.

        One UPDATE per row and no row lock: only the newest record of a
        switch matters, so two writers racing is harmless, and a deleted
        switch's record is dropped.
        """
        table = models.Switch.__table__
        rows = []
        for switch_id, record in records.items():
            values = check.fields('sync record', dict(record), SYNC_CHECKS)
            rows.append((check.id_('switch_id', switch_id), values))
        stored = []
        with self._transaction() as session:
            for switch_id, values in rows:
                updated = session.execute(table.update().where(
                    table.c.id == switch_id, table.c.deleted == 0).values(
                    last_sync_at=values['at'], last_sync_result=values['result'],
                    lif_usage=values['lif_usage'], drift=values['drift']))
                if updated.rowcount:
                    stored.append(switch_id)
        return stored

    def record_facts(self, switch_id, facts):
        """Store the PortFacts a sync established, at once: the next sync's
        guards, in any process, are measured against them.  The sync writes
        only when the switch said something new or was changed."""
        with self._transaction() as session:
            stored_facts.store(session, check.id_('switch_id', switch_id), facts, now())

    # pending plans

    def store_pending_plan(self, switch_id, ports, changes, reasons):
        """Keep a refused sync's plan (``changes``: what a forced sync would do)
        for an operator; the same plan of the same switch is kept once."""
        table = models.PendingPlan.__table__
        values = {'switch_id': switch_id, 'ports': json.dumps(sorted(ports)),
                  'changes': json.dumps(changes, sort_keys=True),
                  'reasons': json.dumps(list(reasons))}
        with self._transaction() as session:
            _live(session, SWITCH, switch_id, lock=True)
            same = session.execute(sa.select(table).where(
                table.c.switch_id == switch_id, table.c.deleted == 0,
                table.c.changes == values['changes'])).first()
            if same is None:
                session.execute(table.insert().values(**values, created_at=now(), deleted=0))
                same = session.execute(sa.select(table).where(
                    table.c.switch_id == switch_id, table.c.deleted == 0,
                    table.c.changes == values['changes'])).first()
            return _plan_dict(same)

    def list_pending_plans(self, switch_id=None, deleted=False):
        table = models.PendingPlan.__table__
        query = sa.select(table).order_by(table.c.id)
        if switch_id is not None:
            query = query.where(table.c.switch_id == check.id_('switch_id', switch_id))
        if not deleted:
            query = query.where(table.c.deleted == 0)
        with self._transaction() as session:
            return [_plan_dict(row) for row in session.execute(query)]

    def close_pending_plan(self, plan_id, outcome):
        """Soft-delete a live pending plan with its ``outcome`` (applied,
        discarded, expired) and return it; NotFound if it is not live, so a
        plan is taken once, whoever asks at the same time."""
        table = models.PendingPlan.__table__
        plan_id = check.id_('id', plan_id)
        with self._transaction() as session:
            at = now()
            closed = session.execute(table.update().where(
                table.c.id == plan_id, table.c.deleted == 0).values(
                deleted=plan_id, deleted_at=at, updated_at=at, outcome=outcome))
            plan = _pending_plan(session, plan_id)
            if not closed.rowcount:
                raise errors.Decided(f'pending plan {plan_id} was {plan["outcome"]} already '
                                     f'(at {plan["deleted_at"]:%Y-%m-%d %H:%M:%S} UTC)',
                                     field='id')
            return plan

    def get_pending_plan(self, plan_id):
        """One pending plan, live or closed (``outcome`` says how): NotFound
        only when it never existed."""
        with self._transaction() as session:
            return _pending_plan(session, check.id_('id', plan_id))

    def reopen_pending_plan(self, plan_id):
        """A plan whose approval failed for a reason that may pass (the switch
        unreachable) is pending again."""
        table = models.PendingPlan.__table__
        with self._transaction() as session:
            session.execute(table.update().where(table.c.id == plan_id).values(
                deleted=0, deleted_at=None, outcome=None, updated_at=now()))

    def record_saved(self, switch_id, started):
        """The running configuration was saved by a copy ``started`` (naive
        UTC) then: no unsaved changes, unless one came after ``started``."""
        with self._transaction() as session:
            row = _live(session, SWITCH, switch_id, lock=True)
            if row.unsaved_since is not None and row.unsaved_since <= started:
                row.unsaved_since = None
            return _as_dict(SWITCH, row)

    def sync_view(self, switch_id, switch_ports=None, known=None):
        """What a sync reads before it asks nova and the switch, in one
        transaction: (instance_uuid and dest_host of the moves held;
        (switch_port, compute_node_id) of the live bindings of
        ``switch_ports`` (normalised names; every port when None); the
        switch_facts beside the bound ones among them, or None when none
        is).  One transaction instead of three: a one-port sync's own cost
        is mostly the round trips to PSVM's database.  ``known``: the
        switch's bindings as last read (bindings_by_switch), taken when
        still current (db.facts.view)."""
        with self._transaction() as session:
            return stored_facts.view(session, check.id_('switch_id', switch_id),
                                     switch_ports, now(), known)

    def switch_facts(self, switch_id, read_ports=None):
        """What earlier reads established about a switch, beside ``read_ports``.

        ``ports_listed``: VLANs allowed, summed over the bound ports that list
        them; ``ports_all``: trunk ports allowing ALL (bound or not); both
        leave out ``read_ports``, which the caller has just read (None: every
        port was read, so neither is counted).  Also ``stored``: the stored
        allowed list of each of ``read_ports`` (none when None: a full sync
        has every port's from the switch, and reading 1,000 stored ones
        would tell it nothing), ``vlan_database``, ``booted_at``,
        ``managed_vlans``, ``unsaved_since`` and the ``pending`` plans.

        Every sync asks this before it plans: one statement, two for some
        ports, three when plans are pending (db.facts).
        """
        with self._transaction() as session:
            return stored_facts.read(session, check.id_('switch_id', switch_id), read_ports)

    # bindings

    def create_binding(self, **values):
        """Fields: switch_id, compute_node_id, switch_port (normalised)."""
        values = _checked(BINDING, values, creating=True)
        with self._transaction() as session:
            binding = self._create(BINDING, values, session)
            stored_facts.rebind(session, bound=binding)
            return binding

    def get_binding(self, binding_id):
        return self._get(BINDING, binding_id)

    def list_bindings(self, switch_id=None, compute_node_ids=None, deleted=False,
                      switch_ports=None):
        """Bindings, of one switch, of some compute nodes, of some ports
        (normalised names).  The live bindings of a switch (of some of its
        ports) run a statement built once (db.facts); a sync reads its own
        with sync_view."""
        if switch_id is not None and compute_node_ids is None and not deleted:
            with self._transaction() as session:
                return stored_facts.bindings(session, check.id_('switch_id', switch_id),
                                             switch_ports)
        filters = []
        if switch_id is not None:
            filters.append(models.SwitchportBinding.switch_id == check.id_(
                'switch_id', switch_id))
        if switch_ports is not None:
            filters.append(models.SwitchportBinding.switch_port.in_(sorted(switch_ports)))
        if compute_node_ids is not None:
            filters.append(models.SwitchportBinding.compute_node_id.in_(
                [check.id_('compute_node_ids', i) for i in compute_node_ids]))
        return self._list(BINDING, deleted, *filters)

    def bindings_version(self):
        """(live bindings, highest id, latest change) of the bindings
        (db.facts.BINDINGS_VERSION): a reader of every binding can tell
        without reading them that they are as it last read them."""
        with self._transaction() as session:
            return tuple(session.execute(stored_facts.BINDINGS_VERSION).one())

    def bindings_by_switch(self):
        """{switch_id: db.facts.SwitchBindings}: every live binding's port
        and compute node, with each switch's version of them, in one
        transaction; what a listener keeps to map hosts to ports and to hand
        a full sync its bindings (sync_view's ``known``)."""
        with self._transaction() as session:
            return stored_facts.bindings_by_switch(session)

    def update_binding(self, binding_id, **values):
        """A binding moved to another port or switch moves its port's VLANs
        in the switches' sums (db.facts) with it."""
        values = _checked(BINDING, values)
        with self._transaction() as session:
            before = _as_dict(BINDING, _live(session, BINDING, binding_id, lock=True))
            binding = self._update(BINDING, binding_id, values, session)
            if (before['switch_id'], before['switch_port']) != (
                    binding['switch_id'], binding['switch_port']):
                stored_facts.rebind(session, unbound=before, bound=binding)
            return binding

    def delete_binding(self, binding_id):
        with self._transaction() as session:
            binding = self._delete(BINDING, binding_id, session)
            stored_facts.rebind(session, unbound=binding)
            return binding

    # move intents

    def start_move(self, ttl, **values):
        """Hold a move of ``instance_uuid`` to ``dest_host`` (from
        ``source_host``) for ``ttl`` seconds; a move of the same instance
        already held is replaced, whichever listener wrote it.  The row."""
        values = _checked(MOVE, values, creating=True)
        expires_at = now() + datetime.timedelta(seconds=ttl)
        try:
            return self._hold_move(values, expires_at)
        except errors.Duplicate:
            # Another listener inserted the same move between our read and
            # our insert: theirs is live now, so this is an update.
            return self._hold_move(values, expires_at)

    def _hold_move(self, values, expires_at):
        with self._transaction() as session:
            row = _live_move(session, values['instance_uuid'])
            if row is None:
                row = models.MoveIntent(**values, expires_at=expires_at, created_at=now(),
                                        deleted=0)
                session.add(row)
            else:
                row.dest_host = values['dest_host']
                row.source_host = values.get('source_host')
                row.expires_at = expires_at
                row.updated_at = now()
            _flush(session, MOVE)
            return _as_dict(MOVE, row)

    def end_move(self, instance_uuid):
        """Forget the move of ``instance_uuid`` (soft delete); the row it
        was, or None when none was held."""
        with self._transaction() as session:
            row = _live_move(session, instance_uuid)
            if row is None:
                return None
            row.deleted = row.id
            row.deleted_at = row.updated_at = now()
            return _as_dict(MOVE, row)

    def list_moves(self):
        """Every move held and not yet expired, oldest first."""
        with self._transaction() as session:
            return stored_facts.moves(session, now())

    def expire_moves(self):
        """Soft-delete the moves whose time to live has passed; how many."""
        table = MOVE.table
        at = now()
        with self._transaction() as session:
            return session.execute(table.update().where(
                table.c.deleted == 0, table.c.expires_at <= at).values(
                deleted=table.c.id, deleted_at=at, updated_at=at)).rowcount

    # archive

    def archive_deleted_rows(self, max_rows):
        """Move at most ``max_rows`` soft-deleted rows to the shadow tables,
        children first; a row still named by a child row stays until the
        child is archived.  Returns {table: rows moved}."""
        check.integer('max_rows', max_rows)
        moved = {}
        for table in models.TABLES:
            with self._transaction() as session:
                moved[table.name] = _archive(session, table, max_rows - sum(moved.values()))
        return moved

    # generic row handling

    @contextlib.contextmanager
    def _transaction(self):
        with _translated(self._where), self._sessions.begin() as session:
            yield session

    def _create(self, kind, values, session=None):
        with contextlib.nullcontext(session) if session else self._transaction() as session:
            _check_references(session, kind, values)
            _check_unique(session, kind, values)
            row = kind.model(**values, created_at=now(), deleted=0)
            session.add(row)
            _flush(session, kind)
            return _as_dict(kind, row)

    def _get(self, kind, row_id):
        with self._transaction() as session:
            return _as_dict(kind, _live(session, kind, row_id))

    def _list(self, kind, deleted, *filters):
        """Plain rows, not ORM objects: a sync lists a switch's bindings
        every time, and skipping the identity map halves that."""
        table = kind.table
        query = sa.select(*(table.c[name] for name in kind.columns)).where(
            *filters).order_by(table.c.id)
        if not deleted:
            query = query.where(table.c.deleted == 0)
        with self._transaction() as session:
            return [dict(row._mapping) for row in session.execute(query)]

    def _update(self, kind, row_id, values, session=None):
        with contextlib.nullcontext(session) if session else self._transaction() as session:
            row = _live(session, kind, row_id, lock=True)
            _check_references(session, kind, values)
            _check_unique(session, kind, {f: values.get(f, getattr(row, f))
                                          for f in kind.unique}, row.id)
            for field, value in values.items():
                setattr(row, field, value)
            row.updated_at = now()
            _flush(session, kind)
            return _as_dict(kind, row)

    def _delete(self, kind, row_id, session=None):
        with contextlib.nullcontext(session) if session else self._transaction() as session:
            row = _live(session, kind, row_id, lock=True)
            _check_unused(session, kind, row)
            row.deleted = row.id
            row.deleted_at = row.updated_at = now()
            return _as_dict(kind, row)


def _pending_plan(session, plan_id):
    table = models.PendingPlan.__table__
    row = session.execute(sa.select(table).where(table.c.id == plan_id)).first()
    if row is None:
        raise errors.NotFound(f'pending plan {plan_id} does not exist', field='id')
    return _plan_dict(row)


def _plan_dict(row):
    plan = dict(row._mapping)
    for field in ('ports', 'changes', 'reasons'):
        plan[field] = json.loads(plan[field])
    return plan


def _checked(kind, values, creating=False):
    values = check.fields(kind.name, values, kind.checks)
    if creating:
        for field in kind.required:
            if values.get(field) is None:
                raise errors.Invalid(f'a {kind.name} needs {field}', field=field)
        values = {**kind.defaults, **values}
    return values


def _as_dict(kind, row):
    return {name: getattr(row, name) for name in kind.columns}


def _live(session, kind, row_id, lock=False, error=errors.NotFound, field=None):
    query = sa.select(kind.model).where(kind.model.id == row_id, kind.model.deleted == 0)
    if lock:
        query = query.with_for_update()
    row = session.scalars(query).first() if _is_id(row_id) else None
    if row is None:
        raise error(f'{kind.name} {row_id} does not exist', field=field)
    return row


def _live_move(session, instance_uuid):
    model = models.MoveIntent
    return session.scalars(sa.select(model).where(
        model.instance_uuid == instance_uuid, model.deleted == 0).with_for_update()).first()


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2 ** 31


def _check_references(session, kind, values):
    """Lock each live parent the row names, or InvalidReference."""
    for field, parent in kind.references.items():
        if field in values:
            _live(session, parent, values[field], lock=True,
                  error=errors.InvalidReference, field=field)


def _check_unique(session, kind, values, own_id=None):
    if not kind.unique:
        return
    model = kind.model
    query = sa.select(model.id).where(model.deleted == 0, model.id != (own_id or 0),
                                      *(getattr(model, f) == values[f] for f in kind.unique))
    clash = session.scalars(query).first()
    if clash is not None:
        described = ', '.join(f'{f} {values[f]}' for f in kind.unique)
        raise errors.Duplicate(f'{kind.name} {clash} already has {described}',
                               field=kind.duplicate_field)


def _check_unused(session, kind, row):
    for child in KINDS:
        for field, parent in child.references.items():
            if parent is not kind:
                continue
            column = getattr(child.model, field)
            users = session.scalars(sa.select(child.model.id).where(
                column == row.id, child.model.deleted == 0).order_by(child.model.id)).all()
            if users:
                raise errors.InUse(
                    f'{kind.name} {row.id} is still used by {child.name} '
                    f'{", ".join(map(str, users))}; delete or change those first',
                    field='id')


def _flush(session, kind):
    """Write now, so a constraint the checks missed (a race) fails here."""
    try:
        session.flush()
    except sa.exc.IntegrityError:
        raise errors.Duplicate(f'such a {kind.name} exists already',
                               field=kind.duplicate_field)


def _archive(session, table, limit):
    if limit <= 0:
        return 0
    query = sa.select(table.c.id).where(table.c.deleted != 0)
    for child in models.TABLES:
        for key in child.foreign_keys:
            if key.column.table is table:
                query = query.where(~sa.exists().where(key.parent == table.c.id))
    ids = session.scalars(query.order_by(table.c.id).limit(limit)).all()
    if ids:
        shadow = models.SHADOWS[table.name]
        session.execute(shadow.insert().from_select(
            [c.name for c in table.columns], sa.select(table).where(table.c.id.in_(ids))))
        session.execute(table.delete().where(table.c.id.in_(ids)))
    return len(ids)


@contextlib.contextmanager
def _translated(where):
    """Database errors as typed errors: a missing schema is Permanent, a
    database that does not answer is RetryLater.  ``where`` is the URL
    without its password."""
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as exc:
        if _is_schema_behind(exc):
            raise errors.SchemaMissing(
                f'{where} lacks PSVM tables or columns: run "psvm-manage db sync" '
                f'({exc.orig})')
        if isinstance(exc, sa.exc.ProgrammingError):
            raise
        raise errors.Unavailable(f'database {where} unavailable: {exc.orig}')
    except (sa.exc.InterfaceError, sa.exc.DisconnectionError, sa.exc.TimeoutError) as exc:
        raise errors.Unavailable(f'database {where} unavailable: {exc}')


# SQLite says it in words; MariaDB (errno) and PostgreSQL (SQLSTATE) in codes.
SQLITE_SCHEMA_BEHIND = ('no such table', 'no such column')
MYSQL_SCHEMA_BEHIND = (1146, 1054)        # no such table, unknown column
POSTGRESQL_SCHEMA_BEHIND = ('42P01', '42703')  # undefined table, undefined column


def _is_schema_behind(exc):
    """Was the statement refused for a table or column the schema lacks?"""
    orig = exc.orig
    args = getattr(orig, 'args', None) or (None,)
    return (any(text in str(orig) for text in SQLITE_SCHEMA_BEHIND)
            or getattr(orig, 'pgcode', None) in POSTGRESQL_SCHEMA_BEHIND
            or args[0] in MYSQL_SCHEMA_BEHIND)
