"""Migration 0019 gives moves made before it their value change by replaying the ledger: afterwards the moves' value
changes add up to each balance's worth (on hand × average cost, to the fen), as for moves made since."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from lantong_pwa.db import make_engine
from tests.conftest import ENGINES

D = Decimal
BEFORE = "0018_cash_close"
ROWS = [
    "INSERT INTO branch (id, code, name, address, phone, created_at) VALUES (1, 'B1', '店', '', '', :now)",
    "INSERT INTO \"user\" (id, username, display_name, password_hash, role, branch_id, is_active, created_at) "
    "VALUES (1, 'parts', '库管', 'x', 'parts_clerk', 1, true, :now)",
    "INSERT INTO part (id, branch_id, code, name, brand, unit, sale_price, cost, is_active, created_at) "
    "VALUES (1, 1, 'P1', '滤清器', '', '个', 58, 20, true, :now)",
    "INSERT INTO warehouse (id, branch_id, code, name, is_active, created_at) VALUES (1, 1, 'W1', '主仓', true, :now)",
    "INSERT INTO warehouse (id, branch_id, code, name, is_active, created_at) VALUES (2, 1, 'W2', '油品', true, :now)",
]
# (warehouse, kind, quantity, unit cost): awkward costs, so the 4-decimal average rounds at every step.
MOVES = [(1, "opening", "3", "10.3333"), (1, "receipt", "7", "11.1111"), (2, "receipt", "1.5", "99.9999"),
         (1, "pick", "-4", "10.8889"), (1, "purchase_return", "-2", "11.1111"), (1, "return", "1", "10.8889"),
         (2, "pick", "-0.5", "99.9999"), (1, "stocktake", "-1", "10.8444")]


def _replayed_worth() -> dict[int, Decimal]:
    """Each warehouse's worth after the moves, by the services' own rules."""
    from lantong_pwa.services.parts.stock import average_after_return, moving_average, stock_value

    state: dict[int, tuple[Decimal, Decimal]] = {}
    for warehouse, kind, quantity, cost in MOVES:
        on_hand, average = state.get(warehouse, (D("0"), D("0")))
        quantity, cost = D(quantity), D(cost)
        if quantity > 0:
            average = moving_average(on_hand, average, quantity, cost)
        elif kind == "purchase_return":
            average = average_after_return(on_hand, average, -quantity, cost)
        state[warehouse] = (on_hand + quantity, average)
    return {warehouse: stock_value(*figures) for warehouse, figures in state.items()}


@pytest.mark.parametrize("kind", ENGINES)
def test_moves_made_before_get_their_value_change(kind, database_factory):
    from alembic import command

    from lantong_pwa.migrations import alembic_config
    from models.common import utc_now

    url = database_factory(kind)
    config = alembic_config(url)
    command.downgrade(config, BEFORE)
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(sa.text(statement), {"now": utc_now()})
        for warehouse, move_kind, quantity, cost in MOVES:
            connection.execute(sa.text(
                "INSERT INTO stock_move (branch_id, part_id, warehouse_id, kind, quantity, unit_cost, note, user_id, "
                "created_at) VALUES (1, 1, :w, :k, :q, :c, '', 1, :now)").bindparams(
                sa.bindparam("q", type_=sa.Numeric(12, 2)), sa.bindparam("c", type_=sa.Numeric(14, 4))),
                {"w": warehouse, "k": move_kind, "q": D(quantity), "c": D(cost), "now": utc_now()})
    engine.dispose()

    command.upgrade(config, "head")

    engine = make_engine(url)
    with engine.connect() as connection:
        changes = connection.execute(sa.text("SELECT warehouse_id, value_change FROM stock_move ORDER BY id")).all()
    engine.dispose()
    assert D(str(changes[0][1])).quantize(D("0.01")) == D("31.00")  # 3 × 10.3333 = 30.9999
    summed: dict[int, Decimal] = {}
    for warehouse, change in changes:
        summed[warehouse] = summed.get(warehouse, D("0")) + D(str(change)).quantize(D("0.01"))
    assert summed == _replayed_worth()
    command.downgrade(config, BEFORE)  # and back: the column goes, the moves stay
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM stock_move")).scalar_one() == len(MOVES)
    engine.dispose()
