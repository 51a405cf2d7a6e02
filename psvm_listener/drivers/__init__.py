"""Switch drivers: the wire protocol of each switch family (DESIGN.md §3)."""

from stevedore import extension

from psvm_listener import extensions

NAMESPACE = 'psvm_listener.drivers'


def driver_class(conf, name=None):
    """The driver class named ``name`` (a switch's own), else by ``psvm_driver``;
    ConfigError if there is none."""
    if name is not None:
        return extensions.load_class(NAMESPACE, 'driver', name)
    return extensions.load_class(NAMESPACE, 'psvm_driver', conf.psvm_driver)


def names():
    """Every installed driver's entry point name, sorted."""
    return sorted(extension.ExtensionManager(NAMESPACE).names())
