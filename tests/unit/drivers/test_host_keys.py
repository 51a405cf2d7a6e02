import paramiko
import pytest

from psvm_listener.drivers import base
from psvm_listener.drivers import host_keys


@pytest.fixture(scope='module')
def key():
    return paramiko.RSAKey.generate(1024)


@pytest.fixture(scope='module')
def other():
    return paramiko.RSAKey.generate(1024)


def test_fingerprint_is_openssh_sha256(key):
    text = host_keys.fingerprint(key)
    assert text.startswith('SHA256:') and len(text) == 7 + 43 and '=' not in text


def test_pinned_key_is_accepted_and_another_refused(key, other):
    policy = host_keys.HostKeyPolicy(host_keys.fingerprint(key))
    policy.check('10.0.0.1', 22, key)
    with pytest.raises(base.HostKeyMismatch, match='not its pinned key'):
        policy.check('10.0.0.1', 22, other)


def test_pinned_key_with_base64_padding_is_the_same_key(key, other):
    policy = host_keys.HostKeyPolicy(host_keys.fingerprint(key) + '=')
    policy.check('10.0.0.1', 22, key)
    with pytest.raises(base.HostKeyMismatch, match='not its pinned key'):
        policy.check('10.0.0.1', 22, other)


def test_unknown_key_is_refused_unless_trusted_on_first_use(key, other, tmp_path):
    with pytest.raises(base.HostKeyMismatch, match='unknown host key'):
        host_keys.HostKeyPolicy(None).check('10.0.0.1', 22, key)
    path = tmp_path / 'known_hosts'
    host_keys.HostKeyPolicy(None, str(path), trust_on_first_use=True).check('10.0.0.1', 830, key)
    later = host_keys.HostKeyPolicy(None, str(path))
    later.check('10.0.0.1', 830, key)
    with pytest.raises(base.HostKeyMismatch, match='not the key known_hosts file'):
        later.check('10.0.0.1', 830, other)


def test_trust_on_first_use_without_a_file_holds_for_the_process(key, other):
    policy = host_keys.HostKeyPolicy(None, trust_on_first_use=True)
    policy.check('10.0.0.1', 22, key)
    with pytest.raises(base.HostKeyMismatch):
        policy.check('10.0.0.1', 22, other)
