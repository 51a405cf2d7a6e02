"""Nova's events move VLANs on the lab switch, through the running service.

Each test changes nova's DB the way nova does, then publishes what nova
publishes, and watches the switch port follow.
"""

import pytest

EVERY_FORMAT = pytest.mark.parametrize('driver, versioned', [
    ('messaging', False), ('messagingv2', False), ('messagingv2', True)],
    ids=['legacy-v1', 'legacy-v2', 'versioned'])


def allowed_becomes(rig, port, vlans):
    rig.switch.wait_for(lambda: rig.switch.allowed(port) == vlans, timeout=15)


@EVERY_FORMAT
def test_create_then_delete(listening, driver, versioned):
    nova = listening.publisher(driver, versioned)
    instance = listening.boot('c1', 100)
    nova.create(instance, 'c1')
    allowed_becomes(listening, 'ethernet1/1', {1, 100})
    listening.nova.delete(instance)
    nova.delete(instance, 'c1')
    allowed_becomes(listening, 'ethernet1/1', {1})
    assert listening.switch.allowed('ethernet1/2') == {1}


@EVERY_FORMAT
def test_live_migration_reaches_destination_before_nova_moves_it(listening, driver,
                                                                 versioned):
    nova = listening.publisher(driver, versioned)
    instance = listening.boot('c1', 200)
    nova.create(instance, 'c1')
    allowed_becomes(listening, 'ethernet1/1', {1, 200})
    nova.live_migration_pre(instance, 'c1', 'c2')
    allowed_becomes(listening, 'ethernet1/2', {1, 200})
    assert listening.switch.allowed('ethernet1/1') == {1, 200}
    listening.nova.start_migration(instance, 'c2')
    listening.nova.finish_migration(instance, status='completed')
    nova.live_migration_post_dest(instance, 'c2')
    allowed_becomes(listening, 'ethernet1/1', {1})
    assert listening.switch.allowed('ethernet1/2') == {1, 200}


def test_live_migration_rollback_takes_the_vlans_back_off_the_destination(listening):
    nova = listening.publisher()
    instance = listening.boot('c1', 210)
    nova.create(instance, 'c1')
    nova.live_migration_pre(instance, 'c1', 'c2')
    allowed_becomes(listening, 'ethernet1/2', {1, 210})
    nova.live_migration_rollback(instance, 'c1')
    allowed_becomes(listening, 'ethernet1/2', {1})
    assert listening.switch.allowed('ethernet1/1') == {1, 210}


@EVERY_FORMAT
def test_resize_to_another_host(listening, driver, versioned):
    nova = listening.publisher(driver, versioned)
    instance = listening.boot('c1', 300)
    nova.create(instance, 'c1')
    allowed_becomes(listening, 'ethernet1/1', {1, 300})
    nova.resize_prep(instance, 'c1', 'c2')
    allowed_becomes(listening, 'ethernet1/2', {1, 300})
    listening.nova.start_migration(instance, 'c2', status='finished')
    nova.finish_resize(instance, 'c2')
    listening.nova.finish_migration(instance, status='confirmed')
    nova.resize_confirm(instance, 'c1', 'c2')
    allowed_becomes(listening, 'ethernet1/1', {1})
    assert listening.switch.allowed('ethernet1/2') == {1, 300}


def test_resize_revert_leaves_the_instance_on_its_source(listening):
    nova = listening.publisher()
    instance = listening.boot('c1', 310)
    nova.create(instance, 'c1')
    nova.resize_prep(instance, 'c1', 'c2')
    allowed_becomes(listening, 'ethernet1/2', {1, 310})
    nova.resize_revert(instance, 'c1')
    allowed_becomes(listening, 'ethernet1/2', {1})
    assert listening.switch.allowed('ethernet1/1') == {1, 310}
