"""Alembic environment: runs on the connection psvm_listener.db.migration
hands over; there is no URL in any ini file."""

from alembic import context

from psvm_listener.db import models

context.configure(connection=context.config.attributes['connection'],
                  target_metadata=models.Base.metadata)
with context.begin_transaction():
    context.run_migrations()
