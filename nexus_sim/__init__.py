"""nexus-sim: a simulated Cisco Nexus switch that speaks NX-OS NETCONF over real SSH.

Its own distribution, apart from psvm-listener: it parses and prints NX-OS
VLAN lists and interface names on its own (``vlans``, ``interfaces``), so a
misreading shared with a client cannot pass that client's tests.
"""

from nexus_sim.switch import LabSwitch

__all__ = ['LabSwitch']
