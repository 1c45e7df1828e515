"""Stocktaking on a big warehouse: ``python -m benchmarks.stocktake [--parts N] [--moves N] [--url DATABASE_URL]``.

Generates one branch in a fresh database with 5,000 parts homed in its main warehouse (100 shelves), three
warehouses and three years of ledger (400,000 receipts and picks, balances and average costs kept in step). Then
times building a count sheet for the whole main warehouse (``build_sheet_ms``: 5,000 lines; target ≤ 1 s) and
posting it (``post_sheet_ms``: every line counted, one in ten off by one, 200 picks made during the count;
target ≤ 2 s). Each run is rolled back, so every run starts from the same data. Prints one JSON object with median
milliseconds.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import case, func, insert, text, update
from sqlmodel import Session, select

from benchmarks.workshop import reset_sequences
from lantong_pwa.db import make_engine
from lantong_pwa.migrations import upgrade_to_head
from lantong_pwa.services.parts import stock, stocktake
from models import (
    Branch,
    CountLine,
    CountScope,
    Part,
    Role,
    StockBalance,
    StockMove,
    StockMoveKind,
    User,
    Warehouse,
)
from models.common import utc_now

DAYS = 3 * 365
PICKS_DURING_COUNT = 200
CHUNK = 20_000


def seed(session: Session, parts: int, moves: int, rng: random.Random) -> dict:
    """The branch, its manager and clerk, three warehouses, the parts and their ledger with its balances."""
    branch = Branch(code="BENCH", name="盘点基准店")
    session.add(branch)
    session.flush()
    for username, role in (("manager", Role.MANAGER), ("parts", Role.PARTS_CLERK)):
        session.add(User(username=username, display_name=username, password_hash="-", role=role,
                         branch_id=branch.id))
    warehouses = [Warehouse(branch_id=branch.id, code=f"W{n}", name=f"仓库{n}") for n in (1, 2, 3)]
    session.add_all(warehouses)
    session.flush()
    clerk_id = session.exec(select(User.id).where(User.username == "parts")).one()
    costs = [Decimal(rng.randint(500, 50_000)) / 100 for _ in range(parts)]
    session.execute(insert(Part), [
        {"id": n + 1, "branch_id": branch.id, "code": f"P{n:05d}", "name": f"配件{n}", "unit": "个",
         "sale_price": costs[n] * 2, "cost": costs[n], "default_warehouse_id": warehouses[0].id,
         "shelf": f"S-{n % 100:03d}", "category": f"类{n % 20}", "is_active": True, "brand": "", "spec": "",
         "oe_number": "", "created_at": utc_now()} for n in range(parts)])
    state: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    start = utc_now() - timedelta(days=DAYS)
    rows = []
    for n in range(moves):
        part = rng.randrange(parts)
        warehouse = warehouses[0] if rng.random() < 0.8 else rng.choice(warehouses[1:])
        key = (part + 1, warehouse.id)
        on_hand, average = state.get(key, (Decimal("0.00"), Decimal("0.0000")))
        when = start + timedelta(seconds=DAYS * 86400 * n / moves)
        if on_hand < 3 or rng.random() < 0.3:
            quantity = Decimal(rng.randint(5, 40))
            cost = (costs[part] * Decimal(rng.randint(90, 110)) / 100).quantize(Decimal("0.0001"))
            average = stock.moving_average(on_hand, average, quantity, cost)
            kind = StockMoveKind.RECEIPT
        else:
            quantity = -Decimal(rng.randint(1, min(3, int(on_hand))))
            cost = average
            kind = StockMoveKind.PICK
        state[key] = (on_hand + quantity, average)
        rows.append({"id": n + 1, "branch_id": branch.id, "part_id": part + 1, "warehouse_id": warehouse.id,
                     "kind": kind, "quantity": quantity, "unit_cost": cost, "note": "", "user_id": clerk_id,
                     "document_type": "bench", "document_id": 0, "created_at": when})
        if len(rows) >= CHUNK:
            session.execute(insert(StockMove), rows)
            rows.clear()
    if rows:
        session.execute(insert(StockMove), rows)
    session.execute(insert(StockBalance), [
        {"branch_id": branch.id, "part_id": p, "warehouse_id": w, "on_hand": q, "average_cost": a}
        for (p, w), (q, a) in state.items()])
    session.commit()
    return {"branch_id": branch.id, "warehouse_id": warehouses[0].id, "parts": parts, "moves": moves}


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def build_sheet_ms(session: Session, clerk: User, warehouse_id: int, repeats: int = 5) -> tuple[float, int]:
    """Median ms of making a count sheet for the whole warehouse; and its number of lines."""
    samples, lines = [], 0
    for _ in range(repeats):
        sheet = None

        def build():
            nonlocal sheet
            sheet = stocktake.create_sheet(session, clerk, warehouse_id, CountScope.WAREHOUSE)

        samples.append(_timed(build))
        lines = session.exec(select(func.count()).select_from(CountLine).where(CountLine.sheet_id == sheet.id)).one()
        session.rollback()
    return round(statistics.median(samples), 2), lines


def _counted_sheet(session: Session, clerk: User, warehouse_id: int, rng: random.Random) -> int:
    """A sheet of the whole warehouse with every line counted at the current ledger position (one in ten off by
    one), then some picks made while the count went on."""
    sheet = stocktake.create_sheet(session, clerk, warehouse_id, CountScope.WAREHOUSE)
    stocktake.start(session, clerk, sheet.id)
    position = stocktake.ledger_position(session)
    on_hand = (select(StockBalance.on_hand).where(StockBalance.part_id == CountLine.part_id,
                                                   StockBalance.warehouse_id == CountLine.warehouse_id)
               .scalar_subquery())
    off = case((CountLine.id % 10 == 3, 1), (CountLine.id % 10 == 7, -1), else_=0)
    session.execute(update(CountLine).where(CountLine.sheet_id == sheet.id)
                    .values(counted_quantity=func.max(func.coalesce(on_hand, 0) + off, 0)
                            if session.get_bind().dialect.name == "sqlite"
                            else func.greatest(func.coalesce(on_hand, 0) + off, 0),
                            counted_by_id=clerk.id, counted_at=utc_now(), ledger_position=position, entry_count=1)
                    .execution_options(synchronize_session=False))
    stocked = session.exec(select(StockBalance.part_id).where(StockBalance.warehouse_id == warehouse_id,
                                                              StockBalance.on_hand >= 5)).all()
    for part_id in rng.sample(list(stocked), min(PICKS_DURING_COUNT, len(stocked))):
        stock.post_out(session, clerk, branch_id=clerk.branch_id, warehouse_id=warehouse_id, part_id=part_id,
                       quantity=Decimal(1), kind=StockMoveKind.PICK, document=("bench", 0), what="配件")
    session.flush()
    return sheet.id


def post_sheet_ms(session: Session, clerk: User, manager: User, warehouse_id: int, repeats: int = 5,
                  seed_value: int = 10) -> tuple[float, int]:
    """Median ms of posting a fully counted 5,000-line sheet; and the number of moves it made."""
    rng = random.Random(seed_value)
    samples, moves = [], 0
    for _ in range(repeats):
        sheet_id = _counted_sheet(session, clerk, warehouse_id, rng)
        posted = None

        def post():
            nonlocal posted
            posted = stocktake.post(session, manager, sheet_id)

        samples.append(_timed(post))
        moves = len(posted.moves)
        session.rollback()
    return round(statistics.median(samples), 2), moves


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", type=int, default=5_000)
    parser.add_argument("--moves", type=int, default=400_000)
    parser.add_argument("--url", help="database URL of an EMPTY database (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        scene = seed(session, args.parts, args.moves, random.Random(16))
        reset_sequences(session)
        session.execute(text("ANALYZE"))
        session.commit()
        seed_s = round(time.perf_counter() - started, 2)
        clerk = session.exec(select(User).where(User.username == "parts")).one()
        manager = session.exec(select(User).where(User.username == "manager")).one()
        build, lines = build_sheet_ms(session, clerk, scene["warehouse_id"])
        post, moves = post_sheet_ms(session, clerk, manager, scene["warehouse_id"])
        print(json.dumps({"engine": engine.dialect.name, "seed_s": seed_s, "parts": scene["parts"],
                          "ledger_moves": scene["moves"], "count_sheet_lines": lines, "build_sheet_ms": build,
                          "posted_moves": moves, "post_sheet_ms": post}, ensure_ascii=False))
    engine.dispose()


if __name__ == "__main__":
    main()
