import pytest

from psvm_listener import ports


@pytest.mark.parametrize('name, expected', [
    ('ethernet1/19', 'ethernet1/19'),
    ('Ethernet1/19', 'ethernet1/19'),
    ('Eth1/19', 'ethernet1/19'),
    ('e1/19', 'ethernet1/19'),
    ('eth101/1/7', 'ethernet101/1/7'),
    (' Ethernet101/1/7 ', 'ethernet101/1/7'),
    ('po20', 'port-channel20'),
    ('Port-Channel20', 'port-channel20'),
])
def test_normalise_accepts_what_operators_type(name, expected):
    assert ports.normalise(name) == expected


@pytest.mark.parametrize('name', [
    '', 'ethernet', 'ethernet1', 'gi0/1', 'ethernet1/19/2/3', 'po', 'po0',
    'ethernet01/19', 'ethernet0/1', 'vlan10', 'ethernet1/19; reload', None, 19,
])
def test_normalise_rejects_anything_else(name):
    with pytest.raises(ports.InvalidPortName, match='not a switch port|must be a string'):
        ports.normalise(name)


def test_kind_and_number():
    assert ports.kind('port-channel20') == 'port-channel'
    assert ports.number('port-channel20') == '20'
    assert ports.kind('ethernet101/1/7') == 'ethernet'
    assert ports.number('ethernet101/1/7') == '101/1/7'
