"""Moves as real nova does them: every host a move touches is repaired.

A running psvm-listener service over the real RabbitMQ, a lab switch and a
nova database on MariaDB and on PostgreSQL.  Each test writes nova's DB in
nova's real order (DESIGN §5): where nova finishes a move in its DB after
the move's last notification, the write lands 0.5 s after it.  Every port
must be right within the poll interval plus one sync.
"""

import threading

import pytest

from tests import databases
from tests import listener_rig

POLL = 1
# One sync on this loaded machine, generously.
ONE_SYNC = 5
VLAN = 200
SOURCE, DEST = 'ethernet1/1', 'ethernet1/2'
# Each host also carries a VLAN of its own, as hosts in a cloud do.
SOURCE_VLANS, DEST_VLANS = {1, 300}, {1, 301}


class Cloud:
    """c1 (port 1/1) with the instance on VLAN 200, c2 (port 1/2) empty."""

    def __init__(self, rig, versioned):
        self.rig = rig
        rig.host('c1', SOURCE, vlans=(300,))
        rig.host('c2', DEST, vlans=(301,))
        self.instance = rig.boot('c1', VLAN)
        rig.start()
        self.nova = rig.publisher(versioned=versioned)
        self._writes = []

    def later(self, write, *args):
        """Run a nova DB write 0.5 s from now, as nova does after its event."""
        timer = threading.Timer(0.5, write, args)
        self._writes.append(timer)
        timer.start()

    def ports_become(self, source, dest, timeout=POLL + ONE_SYNC):
        switch = self.rig.switch
        switch.wait_for(lambda: (switch.allowed(SOURCE), switch.allowed(DEST))
                        == (source, dest), timeout=timeout)
        for timer in self._writes:
            timer.join()

    def removals(self, port):
        return [entry for entry in self.rig.switch.journal()
                if entry['port'] == port and entry['op'] == 'remove']


@pytest.fixture(params=['mysql', 'postgresql'])
def nova_url(request, tmp_path):
    with databases.fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def make_cloud(tmp_path, lab_switch, nova_url):
    made = []

    def make(versioned=True, **overrides):
        rig = listener_rig.ListenerRig(tmp_path, lab_switch, nova_url=nova_url, **{
            'psvm_network_poll_interval': POLL, **overrides})
        made.append(rig)
        return Cloud(rig, versioned)
    yield make
    for rig in made:
        rig.close()


def live_migration_started(cloud):
    """Newton+: the conductor writes the migrations row, then the destination
    announces itself; from then on both ports carry the VLAN."""
    cloud.rig.nova.start_migration(cloud.instance, 'c2', status='running')
    cloud.nova.live_migration_pre(cloud.instance, 'c1', 'c2')
    cloud.ports_become(SOURCE_VLANS | {VLAN}, DEST_VLANS | {VLAN})


def live_migration_completed(cloud):
    """The destination takes the instance and says so; nova's source sets
    the row ``completed`` after that.  What the ports become."""
    live_migration_started(cloud)
    cloud.rig.nova.move_instance(cloud.instance, 'c2')
    cloud.nova.live_migration_post_dest(cloud.instance, 'c2')
    cloud.later(cloud.rig.nova.set_migration_status, cloud.instance, 'completed')
    return SOURCE_VLANS, DEST_VLANS | {VLAN}


def live_migration_rolled_back(cloud):
    """The source says the move is rolled back, then sets the row ``failed``."""
    live_migration_started(cloud)
    cloud.nova.live_migration_rollback(cloud.instance, 'c1')
    cloud.later(cloud.rig.nova.set_migration_status, cloud.instance, 'failed')
    return SOURCE_VLANS | {VLAN}, DEST_VLANS


def test_live_migration_completed_after_post_dest_end(make_cloud):
    cloud = make_cloud()
    cloud.ports_become(*live_migration_completed(cloud))


def test_live_migration_completed_is_caught_by_the_look_again_alone(make_cloud):
    """With nova's DB polled only every minute, the look again after the
    move's end is what repairs the source."""
    cloud = make_cloud(psvm_network_poll_interval=60, **{'listener.move_recheck_delay': 1.0})
    cloud.ports_become(*live_migration_completed(cloud), timeout=1.0 + ONE_SYNC)


@pytest.mark.parametrize('move', [live_migration_completed, live_migration_rolled_back])
def test_migration_status_is_caught_by_the_poll_alone(make_cloud, move):
    """With the look again after the move's end out of the way, the poll of
    nova's migrations is what repairs the host the ended row let go."""
    cloud = make_cloud(**{'listener.move_recheck_delay': 600.0})
    cloud.ports_become(*move(cloud))


def test_live_migration_rolled_back_after_rollback_end(make_cloud):
    cloud = make_cloud()
    cloud.ports_become(*live_migration_rolled_back(cloud))


def test_icehouse_evacuate_names_no_source(make_cloud):
    """nova 2014.1 moves the instance before rebuild.start, writes no
    migrations row, and no event names the dead source host."""
    cloud = make_cloud(versioned=False)
    cloud.rig.nova.move_instance(cloud.instance, 'c2')
    cloud.nova.rebuild(cloud.instance, 'c2')
    cloud.ports_become(SOURCE_VLANS, DEST_VLANS | {VLAN})


def test_newton_evacuate_done_after_rebuild_end(make_cloud):
    cloud = make_cloud()
    cloud.rig.nova.start_migration(cloud.instance, 'c2', status='accepted')
    cloud.ports_become(SOURCE_VLANS | {VLAN}, DEST_VLANS | {VLAN})
    cloud.nova.rebuild(cloud.instance, 'c2')
    cloud.later(cloud.rig.nova.finish_migration, cloud.instance, 'done')
    cloud.ports_become(SOURCE_VLANS, DEST_VLANS | {VLAN})


def resized(cloud):
    """prep on the destination, then the instance lands there ('finished')."""
    cloud.rig.nova.start_migration(cloud.instance, 'c2', status='migrating')
    cloud.nova.resize_prep(cloud.instance, 'c1', 'c2')
    cloud.rig.nova.move_instance(cloud.instance, 'c2')
    cloud.rig.nova.set_migration_status(cloud.instance, 'finished')
    cloud.nova.finish_resize(cloud.instance, 'c2')
    cloud.ports_become(SOURCE_VLANS | {VLAN}, DEST_VLANS | {VLAN})


def test_resize_confirmed(make_cloud):
    cloud = make_cloud()
    resized(cloud)
    cloud.nova.resize_confirm(cloud.instance, 'c1', 'c2')
    cloud.later(cloud.rig.nova.set_migration_status, cloud.instance, 'confirmed')
    cloud.ports_become(SOURCE_VLANS, DEST_VLANS | {VLAN})


def test_resize_reverted_legacy(make_cloud):
    cloud = make_cloud(versioned=False)
    resized(cloud)
    cloud.nova.resize_revert(cloud.instance, 'c1')

    def reverted():
        cloud.rig.nova.move_instance(cloud.instance, 'c1')
        cloud.rig.nova.set_migration_status(cloud.instance, 'reverted')
    cloud.later(reverted)
    cloud.ports_become(SOURCE_VLANS | {VLAN}, DEST_VLANS)


def test_host_change_in_nova_db_without_any_notification(make_cloud):
    cloud = make_cloud()
    cloud.rig.nova.move_instance(cloud.instance, 'c2')
    cloud.ports_become(SOURCE_VLANS, DEST_VLANS | {VLAN})
    assert cloud.removals(DEST) == []
