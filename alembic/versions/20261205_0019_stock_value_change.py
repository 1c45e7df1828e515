"""stock value change: each stock move records what it changed its balance's worth by, to the fen

A balance is worth round(on hand × average cost, 2); a move's ``value_change`` is that worth after it minus before
it, so opening worth plus the moves' value changes equals the balances' worth exactly. Moves already made get theirs
by replaying the ledger in id order per part and warehouse, with the average-cost rules of that time (written out
here, so this migration never changes with the app's code). The moves-by-time index now covers what the 进销存
report sums.

Revision ID: 0019_stock_value_change
Revises: 0018_cash_close
Create Date: 2026-12-05 02:10:00.000000
"""
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0019_stock_value_change'
down_revision: Union[str, Sequence[str], None] = '0018_cash_close'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COST = Decimal("0.0001")
FEN = Decimal("0.01")
BATCH = 5_000


def _moving_average(on_hand: Decimal, average: Decimal, quantity: Decimal, cost: Decimal) -> Decimal:
    total = on_hand + quantity
    if total <= 0:
        return cost.quantize(COST, rounding=ROUND_HALF_UP)
    return ((on_hand * average + quantity * cost) / total).quantize(COST, rounding=ROUND_HALF_UP)


def _average_after_return(on_hand: Decimal, average: Decimal, quantity: Decimal, cost: Decimal) -> Decimal:
    left = on_hand - quantity
    if left <= 0:
        return average
    return max(((on_hand * average - quantity * cost) / left).quantize(COST, rounding=ROUND_HALF_UP), Decimal(0))


def _worth(on_hand: Decimal, average: Decimal) -> Decimal:
    return (on_hand * average).quantize(FEN, rounding=ROUND_HALF_UP)


def upgrade() -> None:
    with op.batch_alter_table('stock_move', schema=None) as batch_op:
        batch_op.add_column(sa.Column('value_change', sa.Numeric(precision=12, scale=2), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('stock_move', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_move_branch_created')
        batch_op.create_index('ix_stock_move_branch_created', ['branch_id', 'created_at', 'part_id', 'warehouse_id',
                                                               'kind', 'quantity', 'value_change'], unique=False)
    bind = op.get_bind()
    moves = bind.execute(sa.text("SELECT id, part_id, warehouse_id, kind, quantity, unit_cost FROM stock_move "
                                 "ORDER BY id"))
    state: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    changes = []
    update = sa.text("UPDATE stock_move SET value_change = :change WHERE id = :move_id").bindparams(
        sa.bindparam("change", type_=sa.Numeric(12, 2)))
    for move_id, part_id, warehouse_id, kind, quantity, cost in moves.all():
        quantity, cost = Decimal(str(quantity)).quantize(FEN), Decimal(str(cost)).quantize(COST)
        on_hand, average = state.get((part_id, warehouse_id), (Decimal("0.00"), Decimal("0.0000")))
        if quantity > 0:
            after = _moving_average(on_hand, average, quantity, cost)
        elif kind == "purchase_return":
            after = _average_after_return(on_hand, average, -quantity, cost)
        else:
            after = average
        state[(part_id, warehouse_id)] = (on_hand + quantity, after)
        change = _worth(on_hand + quantity, after) - _worth(on_hand, average)
        if change:
            changes.append({"change": change, "move_id": move_id})
        if len(changes) >= BATCH:
            bind.execute(update, changes)
            changes.clear()
    if changes:
        bind.execute(update, changes)


def downgrade() -> None:
    with op.batch_alter_table('stock_move', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_move_branch_created')
        batch_op.create_index('ix_stock_move_branch_created', ['branch_id', 'created_at'], unique=False)
        batch_op.drop_column('value_change')
