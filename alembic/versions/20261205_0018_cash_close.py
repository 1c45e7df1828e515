"""日结/交班: a cashier's shift closed by a blind count of the cash, its difference explained and posted

Revision ID: 0018_cash_close
Revises: 0017_cash_book
Create Date: 2026-12-05 02:43:32.302074
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0018_cash_close'
down_revision: Union[str, Sequence[str], None] = '0017_cash_book'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('cash_close',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('shift_start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('expected', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('counted', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('request_key', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status = 'counted' OR counted = expected OR reason <> ''", name=op.f('ck_cash_close_difference_has_reason')),
    sa.CheckConstraint('counted >= 0', name=op.f('ck_cash_close_counted_not_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['money_account.id'], name=op.f('fk_cash_close_account_id_money_account')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_cash_close_branch_id_branch')),
    sa.ForeignKeyConstraint(['cashier_id'], ['user.id'], name=op.f('fk_cash_close_cashier_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_close')),
    sa.UniqueConstraint('branch_id', 'number', name='uq_cash_close_number'),
    sa.UniqueConstraint('branch_id', 'request_key', name='uq_cash_close_request_key')
    )
    with op.batch_alter_table('cash_close', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cash_close_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index('ix_cash_close_cashier', ['cashier_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('cash_close', schema=None) as batch_op:
        batch_op.drop_index('ix_cash_close_cashier')
        batch_op.drop_index(batch_op.f('ix_cash_close_branch_id'))

    op.drop_table('cash_close')
