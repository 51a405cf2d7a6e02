"""Pending plans through the real psvm-api: a sync the removal guard refused
is listed, approved and applied once over SSH to a lab switch, or
discarded; only an administrator may do either."""

import pytest

from tests import sync_rig
from tests.functional.api import serving


def refused_plan(rig):
    plan_id = sync_rig.refused_removal(rig).pending_plan
    assert plan_id is not None
    return plan_id


@pytest.fixture
def world(tmp_path, lab_switch):
    """(rig, api, pending plan id): a refused plan, psvm-api for admins."""
    with sync_rig.Rig(tmp_path, lab_switch) as rig:
        plan_id = refused_plan(rig)
        with serving.over_rig(rig, tmp_path) as api:
            yield rig, api, plan_id


def test_a_refused_plan_is_approved_through_the_api_and_applied_once(world):
    rig, api, plan_id = world
    listed = api.call('GET', f'/v2/os-psvmplan?switch_id={rig.switch_id}',
                      auth=serving.ADMIN).json()['psvmplans']
    assert [(p['id'], p['ports'], p['outcome']) for p in listed] == [
        (plan_id, ['ethernet1/1'], None)]
    assert listed[0]['changes'] == [{'port': 'ethernet1/1', 'add': 'none',
                                     'remove': '100-107', 'replace': None}]
    assert 'psvm_max_removal_ratio' in listed[0]['reasons'][0]
    before = len(rig.switch.journal())

    approved = api.call('POST', f'/v2/os-psvmplan/{plan_id}/approve', auth=serving.ADMIN)
    assert approved.status_code == 200, approved.text
    assert approved.json()['psvmplan']['outcome'] == 'applied'
    assert approved.json()['sync']['changes'] == listed[0]['changes']
    assert approved.json()['sync']['refusals'] == []
    assert rig.switch.allowed('ethernet1/1') == {1, 108, 109}
    assert [entry['op'] for entry in rig.switch.journal(before)] == ['remove']

    again = api.call('POST', f'/v2/os-psvmplan/{plan_id}/approve', auth=serving.ADMIN)
    assert again.status_code == 409
    assert f'pending plan {plan_id} was applied already' in again.json()['conflict']['message']
    assert len(rig.switch.journal()) == before + 1
    assert api.call('GET', '/v2/os-psvmplan', auth=serving.ADMIN).json() == {'psvmplans': []}
    shown = api.call('GET', f'/v2/os-psvmplan/{plan_id}', auth=serving.ADMIN).json()
    assert shown['psvmplan']['outcome'] == 'applied' and shown['psvmplan']['deleted']


def test_a_discarded_plan_is_never_applied(world):
    rig, api, plan_id = world
    before = len(rig.switch.journal())
    discarded = api.call('POST', f'/v2/os-psvmplan/{plan_id}/discard', auth=serving.ADMIN)
    assert discarded.status_code == 200, discarded.text
    assert discarded.json()['psvmplan']['outcome'] == 'discarded'
    late = api.call('POST', f'/v2/os-psvmplan/{plan_id}/approve', auth=serving.ADMIN)
    assert late.status_code == 409
    assert 'was discarded already' in late.json()['conflict']['message']
    assert rig.switch.journal(before) == []
    assert rig.switch.allowed('ethernet1/1') == set(range(100, 110)) | {1}
    unknown = api.call('POST', '/v2/os-psvmplan/999999/approve', auth=serving.ADMIN)
    assert unknown.status_code == 404
    assert 'pending plan 999999 does not exist' in unknown.json()['itemNotFound']['message']


def test_policy_keeps_plans_from_a_non_admin(tmp_path, lab_switch):
    with sync_rig.Rig(tmp_path, lab_switch) as rig:
        plan_id = refused_plan(rig)
        before = len(rig.switch.journal())
        with serving.over_rig(rig, tmp_path, roles=('reader',)) as api:
            for method, path in (('GET', '/v2/os-psvmplan'),
                                 ('GET', f'/v2/os-psvmplan/{plan_id}'),
                                 ('POST', f'/v2/os-psvmplan/{plan_id}/approve'),
                                 ('POST', f'/v2/os-psvmplan/{plan_id}/discard')):
                denied = api.call(method, path, auth=serving.READER)
                assert denied.status_code == 403, (method, path)
                assert 'policy does not allow plan' in denied.json()['forbidden']['message']
        assert [p['id'] for p in rig.database.list_pending_plans()] == [plan_id]
        assert rig.switch.journal(before) == []
