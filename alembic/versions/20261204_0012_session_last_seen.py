"""user sessions remember when they were last used, for the idle timeout

An existing session counts as used when it was created.

Revision ID: 0012_session_last_seen
Revises: 0011_purchasing
Create Date: 2026-12-04 23:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0012_session_last_seen'
down_revision: Union[str, Sequence[str], None] = '0011_purchasing'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE user_session SET last_seen_at = created_at")
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.alter_column('last_seen_at', existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
