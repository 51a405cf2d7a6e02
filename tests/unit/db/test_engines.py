import pytest

from psvm_listener.db import api
from psvm_listener.db import errors


@pytest.mark.parametrize('url', ['not a url', 'foo://admin:topsecret@db/psvm',
                                 'mysql+nodriver://admin:topsecret@db/psvm'])
def test_unusable_url_names_the_option_and_hides_the_password(url):
    with pytest.raises(errors.Invalid) as raised:
        api.Database(url)
    assert raised.value.field == 'connection'
    assert '[database] connection' in str(raised.value)
    assert 'topsecret' not in str(raised.value)
