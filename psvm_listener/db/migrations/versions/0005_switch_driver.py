"""Each switch names its driver (null: [DEFAULT] psvm_driver), in its shadow twin too.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ('psvm_switch', 'shadow_psvm_switch')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('driver', sa.String(255), nullable=True))

