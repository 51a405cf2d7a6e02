"""What the switches last said (ports, VLAN database, boot, unsaved changes),
and the VLANs each switch lets psvm-listener manage.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql', 'mariadb')


def _switch_columns():
    return [
        sa.Column('managed_vlans', sa.Text, nullable=True),
        sa.Column('vlan_database', sa.Text, nullable=True),
        sa.Column('booted_at', TIME, nullable=True),
        sa.Column('unsaved_since', TIME, nullable=True),
    ]


def upgrade():
    for table in ('psvm_switch', 'shadow_psvm_switch'):
        with op.batch_alter_table(table) as batch:
            for column in _switch_columns():
                batch.add_column(column)
    op.create_table(
        'psvm_switch_port',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('switch_id', sa.Integer, nullable=False),
        sa.Column('port', sa.String(64), nullable=False),
        sa.Column('allowed', sa.Text, nullable=False),
        sa.Column('vlan_count', sa.Integer, nullable=True),
        sa.Column('read_at', TIME, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_psvm_switch_port'),
        sa.ForeignKeyConstraint(['switch_id'], ['psvm_switch.id'],
                                name='fk_psvm_switch_port_switch_id_psvm_switch'),
        sa.UniqueConstraint('switch_id', 'port', name='uq_psvm_switch_port_switch_id_port'))
