"""An operator's decision on a plan a guard refused: approve it, or discard it.

One code path for ``psvm-manage plan approve|discard`` and psvm-api's
actions on ``/v2/os-psvmplan/{id}``, so the two cannot differ in what
"applied once" means.  The plan is closed in PSVM's database before it is
applied (``Plugin.approve``), so of two approvals at the same time one
applies it and the other is told it was decided (db.errors.Decided).

Only the removal guard's refusals become pending plans.  A plan the LIF
guard refused is not kept: approving its additions is exactly what would
take the switch past its logical-interface limit, which nothing may do
(``--force`` does not either).  A pending plan is what a forced sync
would do, with the LIF guard still in force, and is checked again when
applied: one that would cross the limit by then has changed, and expires.
"""

from psvm_listener import coordination
from psvm_listener import errors
from psvm_listener import inventory as nova_inventory
from psvm_listener import plugins


class SwitchesUntouchable(errors.Permanent):
    """``[DEFAULT] psvm`` is False: no process of this service changes a switch."""


def approve(conf, database, plan_id, member_id):
    """Apply pending plan ``plan_id`` once, exactly as kept, under its
    switch's coordination lock (``member_id`` names this process to the
    backend), and return the SyncResult.  A plugin of its own, closed at
    once: approvals are rare, and the caller keeps no switch session.

    Raises db.errors.NotFound (no such plan), db.errors.Decided (applied,
    discarded or expired already), plugins.base.PlanChanged (no longer
    the same plan: now expired), SwitchesUntouchable, and the sync's own
    errors (the plan is pending again after those).
    """
    if not conf.psvm:
        raise SwitchesUntouchable('psvm is False: this service changes no switch; set '
                                  '[DEFAULT] psvm = True to approve a plan')
    switch_id = database.get_pending_plan(plan_id)['switch_id']
    inventory = nova_inventory.Inventory.from_config(conf)
    plugin = plugins.load(conf, database, inventory)
    try:
        with coordination.sync_locks(conf, member_id) as lock, lock(switch_id):
            return plugin.approve(plan_id)
    finally:
        plugin.close()
        inventory.close()


def discard(database, plan_id):
    """Close pending plan ``plan_id`` unapplied; NotFound or Decided as approve."""
    return database.close_pending_plan(plan_id, 'discarded')
