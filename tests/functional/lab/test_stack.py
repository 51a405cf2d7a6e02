"""The lab stack's own configuration, as psvm-manage and the listener read it."""

from psvm_listener import transport
from psvm_listener.lab import stack

TINY = stack.LabSpec(switches=1, ports='1/1-2', fex=(), hosts=2, networks=2, instances=2,
                     vlans_per_host=1)


def prepared(state_dir):
    lab = stack.Stack(state_dir, spec=TINY)
    try:
        lab.prepare()
    except BaseException:
        lab.stop()
        raise
    return lab


def test_two_labs_share_no_exchange_pool_nor_resync_topic(tmp_path):
    first, second = prepared(tmp_path / 'one'), prepared(tmp_path / 'two')
    try:
        names = []
        for lab in (first, second):
            transport.register_opts(lab.conf)
            listener = lab.conf.listener
            assert listener.exchange == lab.conf.control_exchange == listener.pool
            assert listener.rpc_topic != listener.pool
            names += [listener.pool, listener.rpc_topic]
        assert len(set(names)) == 4
        assert 'psvm-listener' not in names
    finally:
        first.stop()
        second.stop()
