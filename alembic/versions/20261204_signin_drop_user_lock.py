"""the account lock goes: sign-ins are throttled per account and address and per address (rate_limit_hit), so an
account can no longer be locked from somewhere else

Revision ID: 0010_signin_drop_user_lock
Revises: 0009_branch_details
Create Date: 2026-12-04 22:50:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0010_signin_drop_user_lock'
down_revision: Union[str, Sequence[str], None] = '0009_branch_details'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
