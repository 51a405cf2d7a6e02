"""Switch drivers: the wire protocol of each switch family (DESIGN.md §3)."""

from psvm_listener import extensions

NAMESPACE = 'psvm_listener.drivers'


def driver_class(conf):
    """The driver class named by ``psvm_driver``; ConfigError if there is none."""
    return extensions.load_class(NAMESPACE, 'psvm_driver', conf.psvm_driver)
