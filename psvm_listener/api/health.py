"""The database check of oslo.middleware's ``/healthcheck``.

Entry point ``psvm_database`` in ``oslo.middleware.healthcheck`` (the
default of ``[healthcheck] backends``): psvm-api is healthy while its
database answers and carries PSVM's schema.
"""

from oslo_middleware.healthcheck import pluginbase

from psvm_listener.db import api as db_api
from psvm_listener.db import errors as db_errors


class DatabaseCheck(pluginbase.HealthcheckBaseExtension):
    def __init__(self, oslo_conf, conf):
        super().__init__(oslo_conf, conf)
        self.database = db_api.Database.from_config(oslo_conf)

    def healthcheck(self, server_port):
        try:
            revision = self.database.schema_version()
        except (db_errors.DbError, db_errors.Unavailable) as exc:
            return pluginbase.HealthcheckResult(False, 'DATABASE UNAVAILABLE', str(exc))
        if revision is None:
            return pluginbase.HealthcheckResult(
                False, 'DATABASE HAS NO SCHEMA', 'run "psvm-manage db sync"')
        return pluginbase.HealthcheckResult(True, 'OK', f'schema revision {revision}')
