"""unpicked parts reason: why an order was completed with parts planned or asked for but not picked

Revision ID: 0007_unpicked_reason
Revises: 0006_integrity
Create Date: 2026-12-03 09:40:00.000000
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0007_unpicked_reason'
down_revision: Union[str, Sequence[str], None] = '0006_integrity'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unpicked_parts_reason', sqlmodel.sql.sqltypes.AutoString(length=200),
                                      nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.drop_column('unpicked_parts_reason')
