import datetime

from psvm_listener.api import resources


def test_credential_view_masks_the_password_even_if_a_row_carried_it():
    row = {'id': 1, 'user_name': 'admin', 'password': 'gAAAA-token',
           'created_at': datetime.datetime(2026, 1, 2, 3, 4, 5)}
    shown = resources.CREDENTIAL.view(row)
    assert shown == {'id': 1, 'user_name': 'admin', 'password': '******',
                     'created_at': '2026-01-02T03:04:05'}


def test_switch_view_has_no_password():
    assert 'password' not in resources.SWITCH.view({'id': 1, 'ip': '192.0.2.1'})


def test_seed_keys():
    assert [(r.collection, r.singular, r.plural) for r in resources.ALL] == [
        ('os-psvmcred', 'psvmcred', 'psvmcreds'),
        ('os-psvm', 'psvm', 'psvms'),
        ('os-psvmpbind', 'psvmpbind', 'psvmpbinds')]
