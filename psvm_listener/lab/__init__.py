"""The lab: a simulated Nexus switch that speaks NX-OS NETCONF over real SSH."""

from psvm_listener.lab.switch import LabSwitch

__all__ = ['LabSwitch']
