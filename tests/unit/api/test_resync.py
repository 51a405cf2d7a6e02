import threading

from psvm_listener.api import resync


class FlakyClient:
    """Fails its first cast, as a client whose broker is down would."""

    def __init__(self):
        self.casts = []
        self.done = threading.Event()

    def resync(self, switch_id=None):
        if not self.casts:
            self.casts.append(('failed', switch_id))
            raise ConnectionError('broker down')
        self.casts.append(('sent', switch_id))
        self.done.set()


def test_a_failed_cast_is_logged_and_later_casts_still_go(caplog):
    client = FlakyClient()
    resyncer = resync.Resyncer(client)
    resyncer.request(4)
    resyncer.request(5)
    assert client.done.wait(10)
    assert client.casts == [('failed', 4), ('sent', 5)]
    assert 'resync switch 4' in caplog.text
