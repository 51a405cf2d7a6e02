"""Switch credentials, switches, switchport bindings and their shadow twins.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _soft_delete_columns(autoincrement=True):
    return [
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=autoincrement),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime, nullable=True),
        sa.Column('deleted_at', sa.DateTime, nullable=True),
        sa.Column('deleted', sa.Integer, nullable=False),
    ]


def _credential_columns():
    return [
        sa.Column('user_name', sa.String(255), nullable=False),
        sa.Column('password', sa.Text, nullable=False),
    ]


def _switch_columns():
    return [
        sa.Column('ip', sa.String(64), nullable=False),
        sa.Column('port', sa.Integer, nullable=False),
        sa.Column('switch_cred_id', sa.Integer, nullable=False),
        sa.Column('host_key', sa.String(255), nullable=True),
        sa.Column('description', sa.String(255), nullable=True),
        sa.Column('last_sync_at', sa.DateTime, nullable=True),
        sa.Column('last_sync_result', sa.String(255), nullable=True),
        sa.Column('lif_usage', sa.Integer, nullable=True),
        sa.Column('drift', sa.Integer, nullable=True),
    ]


def _binding_columns():
    return [
        sa.Column('switch_id', sa.Integer, nullable=False),
        sa.Column('compute_node_id', sa.Integer, nullable=False),
        sa.Column('switch_port', sa.String(64), nullable=False),
    ]


def upgrade():
    op.create_table(
        'psvm_switch_credential',
        *_soft_delete_columns(), *_credential_columns(),
        sa.PrimaryKeyConstraint('id', name='pk_psvm_switch_credential'),
        sqlite_autoincrement=True)
    op.create_table(
        'psvm_switch',
        *_soft_delete_columns(), *_switch_columns(),
        sa.PrimaryKeyConstraint('id', name='pk_psvm_switch'),
        sa.ForeignKeyConstraint(
            ['switch_cred_id'], ['psvm_switch_credential.id'],
            name='fk_psvm_switch_switch_cred_id_psvm_switch_credential'),
        sa.UniqueConstraint('ip', 'port', 'deleted',
                            name='uq_psvm_switch_ip_port_deleted'),
        sqlite_autoincrement=True)
    op.create_index('ix_psvm_switch_switch_cred_id', 'psvm_switch', ['switch_cred_id'])
    op.create_table(
        'psvm_switchport_binding',
        *_soft_delete_columns(), *_binding_columns(),
        sa.PrimaryKeyConstraint('id', name='pk_psvm_switchport_binding'),
        sa.ForeignKeyConstraint(
            ['switch_id'], ['psvm_switch.id'],
            name='fk_psvm_switchport_binding_switch_id_psvm_switch'),
        sa.UniqueConstraint('switch_id', 'switch_port', 'deleted',
                            name='uq_psvm_switchport_binding_switch_id_switch_port_deleted'),
        sqlite_autoincrement=True)
    op.create_index('ix_psvm_switchport_binding_compute_node_id',
                    'psvm_switchport_binding', ['compute_node_id'])
    for name, columns in (('psvm_switch_credential', _credential_columns()),
                          ('psvm_switch', _switch_columns()),
                          ('psvm_switchport_binding', _binding_columns())):
        op.create_table(
            f'shadow_{name}',
            *_soft_delete_columns(autoincrement=False), *columns,
            sa.PrimaryKeyConstraint('id', name=f'pk_shadow_{name}'))
