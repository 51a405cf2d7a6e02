"""Each switch keeps a digest of its stored ports, so a full sync that finds
them unchanged writes nothing and reads none of them back.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('psvm_switch', 'shadow_psvm_switch'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('ports_digest', sa.String(64), nullable=True))
