import pytest

from psvm_listener import conf
from psvm_listener import drivers
from psvm_listener import plugins
from psvm_listener.drivers import cisco_nexus_netconf
from psvm_listener.plugins import cisco_nexus
from tests import sync_rig


@pytest.mark.parametrize('plugin_name, driver_name', [
    ('cisco_nexus', 'cisco_nexus_netconf'),
    ('cisco_nexus_plugin.CiscoNEXUSPlugin', 'cisco_nexus_network_driver.CiscoNEXUSDriver'),
])
def test_names_and_seed_aliases_load(plugin_name, driver_name):
    options = sync_rig.make_conf(psvm_plugin=plugin_name, psvm_driver=driver_name)
    plugin = plugins.load(options, database=None, inventory=None)
    assert isinstance(plugin, cisco_nexus.CiscoNexusPlugin)
    assert plugin.driver_class is cisco_nexus_netconf.CiscoNexusNetconfDriver


def test_an_unknown_plugin_fails_naming_the_option_and_value():
    options = sync_rig.make_conf(psvm_plugin='juniper')
    with pytest.raises(conf.ConfigError, match=(
            r"invalid value for option psvm_plugin: no psvm_listener.plugins entry point "
            r"named 'juniper' \(known: cisco_nexus, cisco_nexus_plugin.CiscoNEXUSPlugin\)")):
        plugins.load(options, None, None)


def test_an_unknown_driver_fails_naming_the_option_and_value():
    options = sync_rig.make_conf(psvm_driver='nxapi')
    with pytest.raises(conf.ConfigError, match="option psvm_driver: .* named 'nxapi'"):
        drivers.driver_class(options)
