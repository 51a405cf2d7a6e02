"""Pending plans as the API shows them: ``/v2/os-psvmplan``, read-only rows
with two actions, ``approve`` and ``discard`` (psvm_listener.pending_plans).

Not a record (psvm_listener.records): no operator creates or edits a plan,
a refused sync does.  A plan is listed while pending; shown by id whether
pending or decided (``outcome``: applied, discarded or expired), so an
operator can see what became of one.  Imported by the client too: nothing
here needs the services' libraries.
"""

from psvm_listener import records
from psvm_listener.api import resources
from psvm_listener.api import schemas

NAME = 'plan'
COLLECTION = 'os-psvmplan'
SINGULAR = 'psvmplan'
PLURAL = 'psvmplans'
SYNC = 'sync'
"""The key of the approved plan's sync result, beside the plan."""
ACTIONS = ('approve', 'discard')
FILTERS = (records.Filter('switch_id'),)
LIST_COLUMNS = ('id', 'switch_id', 'created_at', 'ports', 'changes', 'reasons')

VLAN_TEXT = {'type': 'string', 'description': 'an NX-OS VLAN list, "none" when empty'}
CHANGE = {'type': 'object', 'required': ['port', 'add', 'remove', 'replace'],
          'properties': {'port': {'type': 'string'}, 'add': VLAN_TEXT,
                         'remove': VLAN_TEXT,
                         'replace': {'anyOf': [VLAN_TEXT, {'type': 'null'}],
                                     'description': "the port's new list when it "
                                                    'allowed ALL, else null'}}}
ROW = {'type': 'object',
       'required': ['id', 'switch_id', 'ports', 'changes', 'reasons', 'outcome',
                    'created_at', 'updated_at', 'deleted', 'deleted_at'],
       'properties': {
           'id': schemas.ID, 'switch_id': schemas.ID,
           'ports': {'type': 'array', 'items': {'type': 'string'},
                     'description': 'the ports the refused sync covered'},
           'changes': {'type': 'array', 'items': CHANGE,
                       'description': 'what approving applies, port by port'},
           'reasons': {'type': 'array', 'items': {'type': 'string'},
                       'description': 'why the guards refused the sync'},
           'outcome': {'anyOf': [{'enum': ['applied', 'discarded', 'expired']},
                                 {'type': 'null'}],
                       'description': 'null while pending'},
           'created_at': schemas.DATE_TIME,
           'updated_at': schemas.OPTIONAL_DATE_TIME,
           'deleted': {'type': 'boolean', 'description': 'false while pending'},
           'deleted_at': schemas.OPTIONAL_DATE_TIME}}
SYNC_RESULT = {
    'type': 'object', 'description': 'what the sync that applied the plan did',
    'required': ['switch_id', 'ports', 'changes', 'refusals', 'rpcs', 'duration'],
    'properties': {
        'switch_id': schemas.ID, 'ports': {'type': 'integer', 'minimum': 0},
        'changes': {'type': 'array', 'items': CHANGE},
        'refusals': {'type': 'array', 'items': {
            'type': 'object', 'required': ['guard', 'message'],
            'properties': {'guard': {'type': 'string'}, 'message': {'type': 'string'}}}},
        'rpcs': {'type': 'integer', 'minimum': 0}, 'duration': {'type': 'number'},
        'lif_usage': schemas.OPTIONAL_COUNT, 'lif_limit': schemas.OPTIONAL_COUNT,
        'drift': {'type': 'integer', 'minimum': 0}, 'dry_run': {'type': 'boolean'},
        'reloaded': {'type': 'boolean'}, 'unsaved': {'type': 'boolean'},
        'pending_plan': {'anyOf': [schemas.ID, {'type': 'null'}]}}}


def view(plan):
    """A plan row (db.api's dict) as JSON: times in the seed's format."""
    shown = {key: resources.json_value(value) for key, value in plan.items()}
    shown['deleted'] = bool(plan['deleted'])
    return shown
