"""technicians' card view: a branch setting lets technicians see the owner's mobile and prices on vehicle cards

Revision ID: 0005_technician_card_view
Revises: 0004_photo_key
Create Date: 2026-12-03 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0005_technician_card_view'
down_revision: Union[str, Sequence[str], None] = '0004_photo_key'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('branch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('technicians_see_contact_and_prices', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('branch', schema=None) as batch_op:
        batch_op.drop_column('technicians_see_contact_and_prices')
