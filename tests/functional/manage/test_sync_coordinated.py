"""psvm-manage sync --local among several listeners: it holds the switch's
tooz lock (the shared Redis), so it never edits while a listener does."""

from tooz import coordination as tooz_coordination

from nexus_sim import vlans as sim_vlans
from psvm_listener import coordination
from tests import coordination_backends as backends


def test_sync_local_waits_for_the_lock_a_listener_holds(world):
    rig, manage = world
    url = f'{backends.SHARED_REDIS}?timeout={backends.LEASE}'
    group = backends.unique_group()
    with open(manage.config_file, 'a') as config:
        config.write(f'[coordination]\nbackend_url = {url}\ngroup = {group}\n')
    listener = tooz_coordination.get_coordinator(url, b'listener-syncing')
    listener.start(start_heart=True)
    locks = coordination.Locks(listener, group, max_sessions=1)
    lock = locks.acquire(rig.switch_id, wait=5)
    try:
        assert 'LockBusy' in manage.fails('sync', '--local')
        assert rig.switch.allowed('ethernet1/3') is sim_vlans.ALL
    finally:
        locks.release(rig.switch_id, lock)
        listener.stop()
    manage.ok('sync', '--local')
    assert rig.switch.allowed('ethernet1/3') == {1, 100, 101}
