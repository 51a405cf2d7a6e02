import datetime

from psvm_listener import records
from psvm_listener.api import resources


def test_credential_view_masks_the_password_even_if_a_row_carried_it():
    row = {'id': 1, 'user_name': 'admin', 'password': 'gAAAA-token', 'deleted': 0,
           'created_at': datetime.datetime(2012, 10, 1, 18, 50, 27, 781065),
           'updated_at': None}
    shown = resources.view(records.CREDENTIAL, row)
    assert shown == {'id': 1, 'user_name': 'admin', 'password': '******',
                     'deleted': False, 'created_at': '2012-10-01T18:50:27.781065',
                     'updated_at': None}


def test_times_always_carry_six_digits_and_deleted_is_a_boolean():
    shown = resources.view(records.SWITCH, {
        'id': 3, 'deleted': 3, 'deleted_at': datetime.datetime(2026, 1, 2, 3, 4, 5)})
    assert shown == {'id': 3, 'deleted': True, 'deleted_at': '2026-01-02T03:04:05.000000'}


def test_switch_view_has_no_password():
    assert 'password' not in resources.view(records.SWITCH, {'id': 1, 'ip': '192.0.2.1'})


def test_seed_keys():
    assert [(r.collection, r.singular, r.plural) for r in records.ALL] == [
        ('os-psvmcred', 'psvmcred', 'psvmcreds'),
        ('os-psvm', 'psvm', 'psvms'),
        ('os-psvmpbind', 'psvmpbind', 'psvmpbinds')]
