"""the 结算单 prints the repair warranty period (a branch setting, 30 days or 5,000 km unless changed) and the next
service, as they were when it was made; earlier settlements leave both empty

Revision ID: 0016_sheet_warranty
Revises: 0015_storeroom_ledger
Create Date: 2026-12-05 02:06:38.105729
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0016_sheet_warranty'
down_revision: Union[str, Sequence[str], None] = '0015_storeroom_ledger'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('branch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warranty_days', sa.Integer(), nullable=False, server_default='30'))
        batch_op.add_column(sa.Column('warranty_km', sa.Integer(), nullable=False, server_default='5000'))

    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warranty_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('warranty_km', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('next_service_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('next_service_mileage', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.drop_column('next_service_mileage')
        batch_op.drop_column('next_service_date')
        batch_op.drop_column('warranty_km')
        batch_op.drop_column('warranty_days')

    with op.batch_alter_table('branch', schema=None) as batch_op:
        batch_op.drop_column('warranty_km')
        batch_op.drop_column('warranty_days')

