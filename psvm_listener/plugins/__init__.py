"""Sync plugins: what to change on each switch family (DESIGN.md §3)."""

from psvm_listener import extensions

NAMESPACE = 'psvm_listener.plugins'


def load(conf, database, inventory, records=None):
    """The plugin named by ``psvm_plugin``, with its driver class resolved;
    ``records`` (a SyncRecords) writes its last-sync records.

    A name that no entry point has fails here, at start-up, as ConfigError
    naming the option and the value.
    """
    plugin_class = extensions.load_class(NAMESPACE, 'psvm_plugin', conf.psvm_plugin)
    return plugin_class(conf, database, inventory, records)
