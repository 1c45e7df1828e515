"""Safety-stock suggestions on a busy branch: ``python -m benchmarks.safety_stock [--moves N] [--parts N] [--url URL]``.

Generates one branch in a fresh database: 5,000 parts in 3 warehouses with balances, stock limits on a third of them,
supplier offers with lead times on most, and 400,000 stock moves over three years (receipts, picks, returns,
warranty, internal use, gifts; quantities only, as the suggestion reads them). Then times the safety-stock screen's
suggestions for every part (the default 90 days and a year), the low-stock list and the manager's low-stock count.
Prints one JSON object with median milliseconds (target: suggestions for all parts ≤ 2 s).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, select

from benchmarks.intake import median_ms
from benchmarks.workshop import Writer, reset_sequences
from lantong_pwa.db import make_engine
from lantong_pwa.migrations import upgrade_to_head
from lantong_pwa.services.parts import safety_stock
from lantong_pwa.timezone import local_day
from models import (
    Branch,
    Part,
    Role,
    StockBalance,
    StockLimit,
    StockMove,
    Supplier,
    SupplierPart,
    User,
    Warehouse,
)
from models.common import utc_now

DAYS = 3 * 365
MIX = (("receipt", 30), ("pick", 55), ("return", 5), ("warranty", 3), ("internal_use", 4), ("gift", 3))


def generate(session: Session, *, moves: int, parts: int, warehouses: int = 3, seed: int = 13) -> dict:
    rng = random.Random(seed)
    now = utc_now()
    out = Writer(session)
    branch_id = out.add(Branch, code="B1", name="基准门店", vat_rate=Decimal("13.00"), address="", phone="",
                        created_at=now)
    clerk = out.add(User, username="parts", display_name="库管", password_hash="x", role=Role.PARTS_CLERK,
                    branch_id=branch_id, is_active=True, created_at=now)
    out.add(User, username="manager", display_name="店长", password_hash="x", role=Role.MANAGER,
            branch_id=branch_id, is_active=True, created_at=now)
    warehouse_ids = [out.add(Warehouse, branch_id=branch_id, code=f"W{n}", name=f"仓库{n}", created_at=now)
                     for n in range(1, warehouses + 1)]
    suppliers = [out.add(Supplier, branch_id=branch_id, code=f"S{n:02d}", name=f"供应商{n}", contact="", phone="",
                         address="", tax_id="", bank_account="", terms="cash", terms_days=0, is_active=True,
                         created_at=now) for n in range(1, 21)]
    for n in range(1, parts + 1):
        out.add(Part, branch_id=branch_id, code=f"P{n:05d}", name=f"配件{n}", brand="", spec="", category="",
                oe_number="", unit="个", sale_price=Decimal("100.00"), cost=Decimal("60.00"),
                default_warehouse_id=warehouse_ids[n % warehouses], shelf="", is_active=True, created_at=now)
        for supplier_id in rng.sample(suppliers, 2) if rng.random() < 0.8 else []:
            out.add(SupplierPart, branch_id=branch_id, supplier_id=supplier_id, part_id=n,
                    price=Decimal(rng.randint(5000, 9000)) / 100, min_quantity=Decimal(0),
                    lead_days=rng.randint(0, 7), updated_at=now)
        for warehouse_id in warehouse_ids:
            out.add(StockBalance, branch_id=branch_id, part_id=n, warehouse_id=warehouse_id,
                    on_hand=Decimal(rng.randint(0, 30)), average_cost=Decimal("60.0000"))
            if rng.random() < 0.33:
                low = Decimal(rng.randint(1, 8))
                out.add(StockLimit, branch_id=branch_id, part_id=n, warehouse_id=warehouse_id, minimum=low,
                        maximum=low * 3)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    start = now - timedelta(days=DAYS)
    for n in range(moves):
        kind = rng.choice(kinds)
        quantity = Decimal(rng.randint(1, 6))
        busy = rng.random() < 0.3  # a twentieth of the parts make up a third of the moves
        out.add(StockMove, branch_id=branch_id, part_id=rng.randint(1, max(parts // 20, 1) if busy else parts),
                warehouse_id=rng.choice(warehouse_ids), kind=kind,
                quantity=quantity if kind in ("receipt", "return") else -quantity, unit_cost=Decimal("60.0000"),
                document_type="bench", document_id=n, note="", user_id=clerk,
                created_at=start + timedelta(seconds=DAYS * 86400 * n / moves))
    out.flush()
    session.commit()
    return dict(out.counts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=400_000)
    parser.add_argument("--parts", type=int, default=5_000)
    parser.add_argument("--url", help="database URL of an EMPTY database (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        counts = generate(session, moves=args.moves, parts=args.parts)
        reset_sequences(session)
        session.execute(text("ANALYZE"))
        session.commit()
        result: dict = {"engine": engine.dialect.name, "seed_s": round(time.perf_counter() - started, 1),
                        "rows": counts}
        manager = session.exec(select(User).where(User.username == "manager")).one()
        branch_id = session.exec(select(Branch.id)).one()
        today = local_day(utc_now())
        quarter = safety_stock.default_settings(today)
        year = safety_stock.Settings(start=today - timedelta(days=364), end=today, safety_days=3, cover_days=14)
        result["suggestions_rows"] = len(safety_stock.suggestions(session, manager, quarter))
        result["suggestions_90_days_ms"] = median_ms(lambda: safety_stock.suggestions(session, manager, quarter),
                                                     repeats=5)
        result["suggestions_year_ms"] = median_ms(lambda: safety_stock.suggestions(session, manager, year),
                                                  repeats=5)
        result["low_stock_rows"] = len(safety_stock.low_stock(session, manager, limit=100_000))
        result["low_stock_list_ms"] = median_ms(lambda: safety_stock.low_stock(session, manager), repeats=5)
        result["low_stock_count_ms"] = median_ms(lambda: safety_stock.low_stock_count(session, [branch_id]))
    engine.dispose()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
