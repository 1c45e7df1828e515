"""follow-up made at settling: settled orders that have none get theirs, so the settlement sheet only reads

The settlement sheet used to create an order's follow-up (and its link) the first time it was opened. Settling
makes it now; this gives the orders settled before that change theirs, as the sheet would have.

Revision ID: 0008_follow_up_at_settling
Revises: 0007_unpicked_reason
Create Date: 2026-12-03 09:40:00
"""
import secrets
from datetime import UTC, datetime, timedelta
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008_follow_up_at_settling'
down_revision: Union[str, Sequence[str], None] = '0007_unpicked_reason'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LINK_VALID_DAYS = 30  # follow_ups.LINK_VALID_DAYS when this was written

work_order = sa.table('work_order', sa.column('id', sa.Integer), sa.column('branch_id', sa.Integer),
                      sa.column('customer_id', sa.Integer), sa.column('vehicle_id', sa.Integer),
                      sa.column('status', sa.String))
follow_up = sa.table('follow_up', sa.column('work_order_id', sa.Integer), sa.column('branch_id', sa.Integer),
                     sa.column('customer_id', sa.Integer), sa.column('vehicle_id', sa.Integer),
                     sa.column('status', sa.String), sa.column('link_nonce', sa.String),
                     sa.column('link_expires_at', sqlmodel.sql.sqltypes.UTCDateTime()),
                     sa.column('comment', sa.String), sa.column('problem_unsolved', sa.Boolean),
                     sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()))


def upgrade() -> None:
    has_follow_up = sa.exists().where(follow_up.c.work_order_id == work_order.c.id)
    orders = op.get_bind().execute(
        sa.select(work_order.c.id, work_order.c.branch_id, work_order.c.customer_id, work_order.c.vehicle_id)
        .where(work_order.c.status.in_(['settled', 'closed']), ~has_follow_up)
        .order_by(work_order.c.id)).all()
    now = datetime.now(UTC)
    if orders:
        op.bulk_insert(follow_up, [
            dict(work_order_id=order_id, branch_id=branch_id, customer_id=customer_id, vehicle_id=vehicle_id,
                 status='open', link_nonce=secrets.token_urlsafe(16),
                 link_expires_at=now + timedelta(days=LINK_VALID_DAYS), comment='', problem_unsolved=False,
                 created_at=now)
            for order_id, branch_id, customer_id, vehicle_id in orders])


def downgrade() -> None:
    pass  # the follow-ups stay: they may have been sent or answered since
