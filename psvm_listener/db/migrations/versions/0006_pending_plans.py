"""Pending plans: syncs a guard refused, for an operator to apply once or discard.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql', 'mariadb')


def _columns(autoincrement=True):
    return [
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=autoincrement),
        sa.Column('switch_id', sa.Integer, nullable=False),
        sa.Column('ports', sa.Text, nullable=False),
        sa.Column('changes', sa.Text, nullable=False),
        sa.Column('reasons', sa.Text, nullable=False),
        sa.Column('outcome', sa.String(32), nullable=True),
        sa.Column('created_at', TIME, nullable=False),
        sa.Column('updated_at', TIME, nullable=True),
        sa.Column('deleted_at', TIME, nullable=True),
        sa.Column('deleted', sa.Integer, nullable=False),
    ]


def upgrade():
    op.create_table(
        'psvm_pending_plan', *_columns(),
        sa.PrimaryKeyConstraint('id', name='pk_psvm_pending_plan'),
        sa.ForeignKeyConstraint(['switch_id'], ['psvm_switch.id'],
                                name='fk_psvm_pending_plan_switch_id_psvm_switch'),
        sqlite_autoincrement=True)
    op.create_index('ix_psvm_pending_plan_switch_id', 'psvm_pending_plan', ['switch_id'])
    op.create_table(
        'shadow_psvm_pending_plan', *_columns(autoincrement=False),
        sa.PrimaryKeyConstraint('id', name='pk_shadow_psvm_pending_plan'))
