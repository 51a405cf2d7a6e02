"""Each switch keeps the sums its guards need (VLANs listed on bound ports,
ports allowing ALL), so a one-port sync reads them, not every port.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SUMS = (
    ('ports_listed', 'SELECT COALESCE(SUM(p.vlan_count), 0) FROM psvm_switch_port p '
                     'JOIN psvm_switchport_binding b ON b.switch_id = p.switch_id '
                     'AND b.switch_port = p.port AND b.deleted = 0 '
                     'WHERE p.switch_id = psvm_switch.id'),
    ('ports_all', 'SELECT COUNT(*) FROM psvm_switch_port p '
                  'WHERE p.switch_id = psvm_switch.id AND p.vlan_count IS NULL'),
)


def upgrade():
    for table in ('psvm_switch', 'shadow_psvm_switch'):
        with op.batch_alter_table(table) as batch:
            for name, _ in SUMS:
                batch.add_column(sa.Column(name, sa.Integer, nullable=False,
                                           server_default='0'))
    for name, total in SUMS:
        op.execute(f'UPDATE psvm_switch SET {name} = ({total})')
