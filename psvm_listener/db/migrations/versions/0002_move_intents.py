"""Move intents (moves in flight nova's DB does not show yet) and their shadow twin.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _columns(autoincrement=True):
    return [
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=autoincrement),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime, nullable=True),
        sa.Column('deleted_at', sa.DateTime, nullable=True),
        sa.Column('deleted', sa.Integer, nullable=False),
        sa.Column('instance_uuid', sa.String(36), nullable=False),
        sa.Column('source_host', sa.String(255), nullable=True),
        sa.Column('dest_host', sa.String(255), nullable=False),
        sa.Column('expires_at', sa.DateTime, nullable=False),
    ]


def upgrade():
    op.create_table(
        'psvm_move_intent', *_columns(),
        sa.PrimaryKeyConstraint('id', name='pk_psvm_move_intent'),
        sa.UniqueConstraint('instance_uuid', 'deleted',
                            name='uq_psvm_move_intent_instance_uuid_deleted'),
        sqlite_autoincrement=True)
    op.create_table(
        'shadow_psvm_move_intent', *_columns(autoincrement=False),
        sa.PrimaryKeyConstraint('id', name='pk_shadow_psvm_move_intent'))
