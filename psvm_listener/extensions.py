"""Plugins and drivers by entry point name, failing at start-up on a bad one."""

from stevedore import driver
from stevedore import exception
from stevedore import extension

from psvm_listener import conf


def load_class(namespace, option, name):
    """The class registered as ``name`` in ``namespace``, or ConfigError
    naming ``option``, the bad value and the names that exist."""
    try:
        return driver.DriverManager(namespace, name, invoke_on_load=False).driver
    except exception.NoMatches:
        known = ', '.join(sorted(extension.ExtensionManager(namespace).names()))
        raise conf.ConfigError(
            f'invalid value for option {option}: no {namespace} entry point named '
            f'{name!r} (known: {known})')
