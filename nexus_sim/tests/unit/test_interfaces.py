import pytest

from nexus_sim import interfaces


@pytest.mark.parametrize('name, port', [
    ('ethernet1/19', 'ethernet1/19'),
    ('Ethernet1/19', 'ethernet1/19'),
    ('e1/19', 'ethernet1/19'),
    ('Eth 1/19', 'ethernet1/19'),
    ('ETHERN1/19', 'ethernet1/19'),
    ('eth101/1/7', 'ethernet101/1/7'),
    ('e1/49/2', 'ethernet1/49/2'),
    ('po20', 'port-channel20'),
    ('Port-Channel 20', 'port-channel20'),
    ('port-ch4096', 'port-channel4096'),
])
def test_abbreviations_the_cli_takes(name, port):
    assert interfaces.normalise(name) == port


@pytest.mark.parametrize('name', [
    'p20',            # ambiguous type
    'ethernets1/1',   # not a prefix of ethernet
    'vlan10',         # a type the lab has no trunk ports of
    'ethernet1',      # slot without port
    'ethernet0/1',
    'ethernet101/1',  # a FEX port needs fex/1/port
    'ethernet101/2/1',
    'ethernet1/1/1/1',
    'port-channel0',
    'port-channel4097',
    'ethernet1//1',
    '',
])
def test_names_the_cli_refuses(name):
    with pytest.raises(interfaces.InvalidPortName):
        interfaces.normalise(name)


def test_printed_names_and_fex():
    assert interfaces.display_name('ethernet101/1/7') == 'Ethernet101/1/7'
    assert interfaces.display_name('port-channel20') == 'port-channel20'
    assert interfaces.fex_id('ethernet101/1/7') == 101
    assert interfaces.fex_id('ethernet1/49/2') is None
    assert interfaces.fex_id('port-channel20') is None
