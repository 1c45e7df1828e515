"""branch details and status: tax ID, bank account and the printed header of a branch; branches can be closed

Every existing branch stays open (the status column's default fills it).

Revision ID: 0009_branch_details
Revises: 0008_follow_up_at_settling
Create Date: 2026-12-03 15:30:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009_branch_details'
down_revision: Union[str, Sequence[str], None] = '0008_follow_up_at_settling'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('branch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_id', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('bank_account', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('header', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('status', sa.String(length=24), nullable=False, server_default='open'))
        batch_op.add_column(sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_branch_status_and_closed_at'),
                                         "(status = 'open' AND closed_at IS NULL) OR "
                                         "(status = 'closed' AND closed_at IS NOT NULL)")


def downgrade() -> None:
    with op.batch_alter_table('branch', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_branch_status_and_closed_at'), type_='check')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('status')
        batch_op.drop_column('header')
        batch_op.drop_column('bank_account')
        batch_op.drop_column('tax_id')
