"""LIF usage is the switch's own figure, read at the start of the last sync
(reading it again after each edit would cost every changing sync a round
trip), so it is current after any sync that found nothing to change."""


def test_report_shows_each_switch_after_a_sync(world):
    rig, manage = world
    [before] = manage.json('report')
    assert before['ports'] == 2 and before['last_sync_at'] is None
    manage.ok('sync', '--local')
    [first] = manage.json('report')
    assert first['drift'] == 2
    manage.ok('sync', '--local')
    [row] = manage.json('report')
    assert row['switch_id'] == rig.switch_id
    assert row['address'] == '{}:{}'.format(*rig.switch.address)
    assert row['vlans'] == '1,100-101,200'
    assert row['lif_usage'] == rig.switch.lif_usage()
    assert row['lif_limit'] == 32000
    assert row['last_sync_result'].startswith('ok')
    assert row['drift'] == 0
    assert '| switch_id |' in manage.ok('report')
