"""OpenStackClient plugin: ``openstack psvm switch|credential|binding ...``."""
