"""Cisco Nexus 5K with FEX: trunk ports synced over the configured driver
(``cisco_nexus_netconf`` by default through the seed's alias)."""

from psvm_listener.plugins import base


class CiscoNexusPlugin(base.TrunkPortPlugin):
    """Ethernet, FEX host and port-channel trunk ports of one Nexus."""
