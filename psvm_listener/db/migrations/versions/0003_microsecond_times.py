"""Times with microseconds on MariaDB/MySQL, as nova's rows have them.

SQLite and PostgreSQL keep microseconds already; MariaDB's DATETIME drops
them unless the column is DATETIME(6).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

NOT_NULL = ('created_at', 'expires_at')
TIMES = {
    'psvm_switch_credential': ('created_at', 'updated_at', 'deleted_at'),
    'psvm_switch': ('created_at', 'updated_at', 'deleted_at', 'last_sync_at'),
    'psvm_switchport_binding': ('created_at', 'updated_at', 'deleted_at'),
    'psvm_move_intent': ('created_at', 'updated_at', 'deleted_at', 'expires_at'),
}


def upgrade():
    if op.get_bind().dialect.name not in ('mysql', 'mariadb'):
        return
    for table, columns in TIMES.items():
        for name in (table, f'shadow_{table}'):
            with op.batch_alter_table(name) as batch:
                for column in columns:
                    batch.alter_column(column, type_=mysql.DATETIME(fsp=6),
                                       existing_type=sa.DateTime(),
                                       existing_nullable=column not in NOT_NULL)
