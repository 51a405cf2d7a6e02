import pytest

from psvm_listener import handlers
from psvm_listener.handlers import base

UUID = '6f9c2d43-8a7e-4c1b-9d2f-0e5a7b3c1d20'


def handle(event_type, payload, publisher_id='compute.c2'):
    handler = handlers.load()[event_type]
    return handler.handle(base.Notification(event_type, publisher_id, payload))


def versioned(**data):
    return {'nova_object.name': 'InstanceActionPayload', 'nova_object.data': data}


def test_entry_points_cover_legacy_and_versioned_families():
    by_event = handlers.load()
    for event_type in ('compute.instance.create.end', 'instance.create.end',
                       'compute.instance.live_migration.pre.start',
                       'instance.live_migration_pre.start',
                       'compute.instance.resize.confirm.end', 'instance.resize_revert.end',
                       'compute.instance.shelve_offload.end', 'instance.unshelve.end'):
        assert event_type in by_event


def test_create_marks_payload_host_and_publisher():
    change = handle('compute.instance.create.end',
                    {'host': 'c1', 'instance_id': UUID, 'fixed_ips': []})
    assert change == base.Change(frozenset({'c1', 'c2'}))


def test_versioned_create_reads_nova_object_data():
    change = handle('instance.create.end', versioned(host='c1', uuid=UUID),
                    publisher_id='nova-compute:c1')
    assert change.hosts == {'c1'}


def test_host_names_with_dots_survive_the_publisher_split():
    change = handle('compute.instance.delete.end', {'host': None, 'instance_id': UUID},
                    publisher_id='compute.c7.example.org')
    assert change.hosts == {'c7.example.org'}


def test_live_migration_pre_start_holds_the_destination():
    change = handle('compute.instance.live_migration.pre.start',
                    {'host': 'src', 'instance_id': UUID}, publisher_id='compute.dst')
    assert change.hosts == {'src', 'dst'}
    assert change.moves_started == ((UUID, 'src', 'dst'),)


def test_versioned_live_migration_post_dest_ends_the_move():
    change = handle('instance.live_migration_post_dest.end', versioned(host='dst', uuid=UUID),
                    publisher_id='nova-compute:dst')
    assert change.moves_ended == (UUID,)
    assert change.moves_started == ()


def test_resize_revert_ends_the_move():
    change = handle('compute.instance.resize.revert.end',
                    {'host': 'src', 'instance_id': UUID}, publisher_id='compute.src')
    assert change == base.Change(frozenset({'src'}), (), (UUID,))


@pytest.mark.parametrize('payload', [
    'not an object',
    None,
    {'nova_object.data': ['no']},
])
def test_payload_that_is_no_object_is_malformed(payload):
    with pytest.raises(base.MalformedNotification):
        handle('compute.instance.create.end', payload)


def test_hosts_that_are_no_strings_are_ignored():
    change = handle('compute.instance.create.end', {'host': ['c1'], 'node': 'n1'},
                    publisher_id=['compute.c2'])
    assert change.hosts == frozenset()


def test_move_without_instance_is_malformed():
    with pytest.raises(base.MalformedNotification):
        handle('compute.instance.live_migration.pre.start', {'host': 'src'})


def test_move_without_destination_is_malformed():
    with pytest.raises(base.MalformedNotification):
        handle('instance.resize_prep.start', versioned(host='src', uuid=UUID),
               publisher_id=None)


def test_move_of_no_uuid_or_to_no_host_is_malformed():
    with pytest.raises(base.MalformedNotification, match='is no uuid'):
        handle('compute.instance.live_migration.pre.start',
               {'host': 'src', 'instance_id': 'x' * 37}, publisher_id='compute.dst')
    with pytest.raises(base.MalformedNotification, match='no destination'):
        handle('compute.instance.live_migration.pre.start',
               {'host': 'src', 'instance_id': UUID}, publisher_id='compute.' + 'd' * 256)
