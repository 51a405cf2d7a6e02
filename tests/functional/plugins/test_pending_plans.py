"""A refused sync kept as a pending plan, applied once by an operator, or expired."""

import pytest

from psvm_listener import pending_plans
from psvm_listener import plan
from psvm_listener.db import errors as db_errors
from psvm_listener.plugins import base
from tests import sync_rig


def test_a_refused_plan_is_kept_and_applied_once_and_only_once(rig):
    refused = sync_rig.refused_removal(rig)
    assert refused.pending_plan is not None
    assert 'pending plan' in rig.database.get_switch(rig.switch_id)['last_sync_result']
    [pending] = rig.database.list_pending_plans(rig.switch_id)
    assert pending['id'] == refused.pending_plan and pending['ports'] == ['ethernet1/1']
    assert pending['changes'] == [{'port': 'ethernet1/1', 'add': 'none',
                                   'remove': '100-107', 'replace': None}]
    assert 'psvm_max_removal_ratio' in pending['reasons'][0]
    assert rig.sync().pending_plan == pending['id']
    assert len(rig.database.list_pending_plans(rig.switch_id)) == 1
    before = len(rig.switch.journal())
    result = rig.plugin.approve(pending['id'])
    assert result.refusals == () and rig.switch.allowed('ethernet1/1') == {1, 108, 109}
    applied = rig.switch.journal(before)
    assert [entry['op'] for entry in applied] == ['remove']
    with pytest.raises(db_errors.Decided, match='was applied already'):
        rig.plugin.approve(pending['id'])
    assert len(rig.switch.journal()) == before + 1
    [closed] = rig.database.list_pending_plans(rig.switch_id, deleted=True)
    assert closed['outcome'] == 'applied'


def test_a_pending_plan_that_would_no_longer_be_the_same_expires(tmp_path, lab_switch, family):
    with sync_rig.Rig(tmp_path, lab_switch, family=family) as rig:
        pending = sync_rig.refused_removal(rig).pending_plan
        rig.nova.delete_network(rig.network(108))
        with pytest.raises(base.PlanChanged):
            rig.plugin.approve(pending)
        assert rig.switch.allowed('ethernet1/1') == set(range(100, 110)) | {1}
        [closed] = rig.database.list_pending_plans(rig.switch_id, deleted=True)
        assert closed['outcome'] == 'expired'
        newer = rig.sync().pending_plan
        rig.nova.delete_network(rig.network(109))
        rig.sync()
        assert newer not in [p['id'] for p in rig.database.list_pending_plans(rig.switch_id)]
        discarded = pending_plans.discard(rig.database, rig.sync().pending_plan)
        assert discarded['outcome'] == 'discarded'


def test_what_the_lif_guard_held_back_is_never_kept_to_approve(rig):
    """Approving additions the LIF guard refused would take the switch past
    its limit: a LIF refusal keeps no plan, and a plan the removal guard
    kept carries only what fits."""
    rig.host('compute-1', 'ethernet1/1', vlans=range(100, 110))
    rig.sync()
    limit = rig.switch.lif_usage() + 5
    rig.conf.set_override('psvm_lif_limit', limit)
    for vlan in range(110, 120):
        rig.boot('compute-1', vlan)
    lif_only = rig.sync()
    assert [r.guard for r in lif_only.refusals] == [plan.LIF_LIMIT]
    assert lif_only.pending_plan is None
    assert rig.database.list_pending_plans(rig.switch_id) == []
    for vlan in range(100, 108):
        rig.nova.delete_network(rig.network(vlan))
    both = rig.sync()
    assert [r.guard for r in both.refusals] == [plan.REMOVAL_RATIO, plan.LIF_LIMIT]
    [pending] = rig.database.list_pending_plans(rig.switch_id)
    assert pending['changes'] == [{'port': 'ethernet1/1', 'add': 'none',
                                   'remove': '100-107', 'replace': None}]
    rig.plugin.approve(pending['id'])
    assert rig.switch.allowed('ethernet1/1') == {1, 108, 109}
    assert rig.switch.lif_usage() <= limit
