"""payables: a partial index of the open items (open_amount <> 0) by branch, party and due date, for ageing,
paying and allocating

Revision ID: 0013_payables_open_index
Revises: 0012_session_last_seen
Create Date: 2026-12-04 23:25:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0013_payables_open_index'
down_revision: Union[str, Sequence[str], None] = '0012_session_last_seen'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_open_item_open', 'open_item', ['branch_id', 'party_kind', 'direction', 'party_id', 'due_on'],
                    unique=False, sqlite_where=sa.text('open_amount <> 0'),
                    postgresql_where=sa.text('open_amount <> 0'))


def downgrade() -> None:
    op.drop_index('ix_open_item_open', table_name='open_item')
