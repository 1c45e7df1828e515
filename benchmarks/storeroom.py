"""The storeroom on a busy branch: ``python -m benchmarks.storeroom [--moves N] [--parts N] [--url DATABASE_URL]``.

``generate`` writes three years of stock ledger into a fresh database (default: 400,000 moves over 5,000 parts in
3 warehouses: opening stock, goods receipts, picks against work orders and returns, purchase returns, transfers,
counts, internal use, gifts and warranty parts), each move with the value change the ledger's rules give it and the
balances in step with it (the same average-cost functions the services use, bulk-inserted); every part homed in the
first warehouse on one of 50 shelves, supplier offers with lead times on most parts and stock limits on a third of
the part and warehouse pairs. Then each function in ``MEASURES`` times what a screen calls and adds its figures
(进销存, stocktaking, safety stock). Prints one JSON object with median milliseconds; every measure's writes are
rolled back, so each starts from the same data.

A new figure is one more function ``(Bench) -> dict`` appended to ``MEASURES``.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, update
from sqlmodel import Session, select

from benchmarks.intake import median_ms
from benchmarks import harness
from benchmarks.workshop import Writer
from lantong_pwa.services.parts import safety_stock, stock, stock_report, stocktake
from lantong_pwa.services.parts.stock import average_after_return, moving_average, value_change
from lantong_pwa.timezone import local_day
from models import (
    Branch,
    CountLine,
    CountScope,
    Customer,
    GoodsReceipt,
    Part,
    PurchaseReturn,
    Role,
    StockBalance,
    StockLimit,
    StockMove,
    StockMoveKind,
    Supplier,
    SupplierPart,
    User,
    Vehicle,
    Warehouse,
    WorkOrder,
)
from models.common import utc_now

DAYS = 3 * 365
D0 = Decimal("0.00")
C0 = Decimal("0.0000")
CATEGORIES = ("滤清器", "制动", "油品", "电器", "底盘", "轮胎")
# What a day's moves are, by share (after the opening stock): (kind, weight).
MIX = (("receipt", 24), ("pick", 56), ("return", 5), ("purchase_return", 2), ("transfer", 4), ("stocktake", 3),
       ("internal_use", 3), ("gift", 1), ("warranty", 2))
OUT_DOCUMENTS = {"stocktake": "count_sheet", "internal_use": "stock_issue", "gift": "stock_issue",
                 "warranty": "stock_issue", "transfer": "transfer"}


# Parents before children, so foreign keys hold at every flush.
ORDER = (Branch, User, Warehouse, Supplier, Part, SupplierPart, StockLimit, Customer, Vehicle, GoodsReceipt,
         PurchaseReturn, WorkOrder, StockMove, StockBalance)
PICKS_DURING_COUNT = 200


@dataclass
class Bench:
    """What the measures get: an open session on the generated database and who is asking."""

    session: Session
    manager: User
    clerk: User
    branch_id: int
    warehouse_ids: list[int]
    busiest_part_id: int
    now: datetime
    today: date


class Ledger:
    """The generated history's balances, moved by the services' own average-cost rules."""

    def __init__(self, out: Writer, branch_id: int, user_id: int):
        self.out, self.branch_id, self.user_id = out, branch_id, user_id
        self.balances: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
        self.moves = 0

    def move(self, part_id: int, warehouse_id: int, kind: str, quantity: Decimal, cost: Decimal | None,
             at: datetime, document: tuple[str, int], work_order_id: int | None = None) -> Decimal:
        """One move (``cost`` None: at the average); returns the unit cost it moved at."""
        before = self.balances.get((part_id, warehouse_id), (D0, C0))
        on_hand, average = before
        if quantity > 0:
            unit_cost = average if cost is None else cost
            after = (on_hand + quantity, moving_average(on_hand, average, quantity, unit_cost))
        elif cost is not None:
            unit_cost = cost
            after = (on_hand + quantity, average_after_return(on_hand, average, -quantity, cost))
        else:
            unit_cost = average
            after = (on_hand + quantity, average)
        self.balances[(part_id, warehouse_id)] = after
        self.moves += 1
        self.out.add(StockMove, branch_id=self.branch_id, part_id=part_id, warehouse_id=warehouse_id, kind=kind,
                     quantity=quantity, unit_cost=unit_cost, value_change=value_change(before, after),
                     work_order_id=work_order_id, part_line_id=None, document_type=document[0],
                     document_id=document[1], note="", user_id=self.user_id, request_key=None, created_at=at)
        return unit_cost

    def on_hand(self, part_id: int, warehouse_id: int) -> Decimal:
        return self.balances.get((part_id, warehouse_id), (D0, C0))[0]


def generate(session: Session, *, moves: int = 400_000, parts: int = 5_000, warehouses: int = 3,
             days: int = DAYS, seed: int = 16, now: datetime | None = None) -> dict:
    """Write the branch, its catalogue and ``moves`` stock moves over ``days`` days ending ``now``; returns the
    row counts."""
    rng = random.Random(seed)
    now = now or utc_now()
    out = Writer(session, ORDER)
    branch_id = out.add(Branch, code="B1", name="基准门店", vat_rate=Decimal("13.00"), address="", phone="",
                        created_at=now)
    staff = {}
    for username, role in (("manager", Role.MANAGER), ("parts", Role.PARTS_CLERK), ("advisor", Role.ADVISOR)):
        staff[username] = out.add(User, username=username, display_name=username, password_hash="x", role=role,
                                  branch_id=branch_id, is_active=True, created_at=now)
    warehouse_ids = [out.add(Warehouse, branch_id=branch_id, code=f"W{n}", name=f"仓库{n}", created_at=now)
                     for n in range(1, warehouses + 1)]
    supplier_ids = [out.add(Supplier, branch_id=branch_id, code=f"S{n:03d}", name=f"供应商{n}", contact="", phone="",
                            address="", tax_id="", bank_account="", terms="cash", terms_days=0, is_active=True,
                            created_at=now) for n in range(1, 31)]
    base = {}
    for n in range(1, parts + 1):
        base[n] = Decimal(rng.randint(500, 100_000)) / 100
        out.add(Part, branch_id=branch_id, code=f"P{n:05d}", name=f"配件{n}", brand="博世", spec="",
                category=CATEGORIES[n % len(CATEGORIES)], oe_number="", unit="个", sale_price=base[n] * Decimal("1.4"),
                cost=base[n], default_warehouse_id=warehouse_ids[0], shelf=f"A{n % 50:02d}", is_active=True,
                created_at=now)
        for supplier_id in rng.sample(supplier_ids, 2) if rng.random() < 0.8 else []:
            out.add(SupplierPart, branch_id=branch_id, supplier_id=supplier_id, part_id=n,
                    price=(base[n] * Decimal(rng.uniform(0.9, 1.1))).quantize(D0), min_quantity=D0,
                    lead_days=rng.randint(0, 7), updated_at=now)
        for warehouse_id in warehouse_ids:
            if rng.random() < 0.33:
                low = Decimal(rng.randint(1, 8))
                out.add(StockLimit, branch_id=branch_id, part_id=n, warehouse_id=warehouse_id, minimum=low,
                        maximum=low * 3)
    vehicle_ids = []
    for n in range(1, 2_001):
        customer_id = out.add(Customer, branch_id=branch_id, name=f"客户{n}", mobile=f"13{n:09d}", kind="individual",
                              notes="", credit_limit=D0, created_at=now)
        vehicle_ids.append((out.add(Vehicle, branch_id=branch_id, customer_id=customer_id, plate=f"粤B{n:05d}",
                                    vin=f"LBV{n:014d}", make="大众", model="朗逸", colour="", engine_no="", insurer="",
                                    mileage=10000, qr_token=f"t{n:031d}", created_at=now), customer_id))
    out.flush()

    ledger = Ledger(out, branch_id, staff["parts"])
    start = now - timedelta(days=days)
    # Opening stock: most parts in the first warehouse, some in the others.
    for part_id in range(1, parts + 1):
        for index, warehouse_id in enumerate(warehouse_ids):
            if index == 0 or rng.random() < 0.3:
                ledger.move(part_id, warehouse_id, "opening", Decimal(rng.randint(5, 40)), base[part_id],
                            start, ("opening", 0))
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    per_day = max(1, (moves - ledger.moves) // days)
    counters: dict[str, int] = {}

    def next_document(kind: str) -> int:
        counters[kind] = counters.get(kind, 0) + 1
        return counters[kind]

    def busy_part() -> int:  # a few parts move far more often than most
        return 1 + int(parts * rng.random() ** 1.5)

    recent_picks: list[tuple[int, int, int, Decimal]] = []  # (part, warehouse, order, cost)
    recent_receipts: list[tuple[int, int, int, int, Decimal]] = []  # (part, warehouse, receipt, supplier, cost)
    for day_index in range(days):
        day_start = start + timedelta(days=day_index, hours=1)
        times = sorted(day_start + timedelta(seconds=rng.randint(0, 9 * 3600)) for _ in range(per_day))
        receipts: dict[int, tuple[int, int]] = {}  # warehouse → today's receipt and its supplier
        order_id, order_lines = None, 0
        for at in times:
            kind = rng.choice(kinds)
            part_id, warehouse_id = busy_part(), rng.choice(warehouse_ids)
            have = ledger.on_hand(part_id, warehouse_id)
            if kind != "receipt" and kind != "return" and have < 1:
                kind = "receipt"
            if kind == "return" and not recent_picks:
                kind = "receipt"
            if kind == "receipt":
                if warehouse_id not in receipts:
                    supplier_id, number = rng.choice(supplier_ids), next_document("goods_receipt")
                    receipts[warehouse_id] = (out.add(
                        GoodsReceipt, branch_id=branch_id, number=f"RK{number:08d}", supplier_id=supplier_id,
                        purchase_order_id=None, warehouse_id=warehouse_id, freight=D0, total=D0, note="",
                        user_id=staff["parts"], request_key=f"rk{number}", created_at=at), supplier_id)
                receipt_id, supplier_id = receipts[warehouse_id]
                cost = (base[part_id] * Decimal(rng.uniform(0.85, 1.15))).quantize(Decimal("0.0001"))
                ledger.move(part_id, warehouse_id, "receipt", Decimal(rng.randint(2, 20)), cost, at,
                            ("goods_receipt", receipt_id))
                recent_receipts.append((part_id, warehouse_id, receipt_id, supplier_id, cost))
            elif kind == "pick":
                if order_id is None or order_lines >= 3:
                    vehicle_id, customer_id = rng.choice(vehicle_ids)
                    order_id = out.add(WorkOrder, branch_id=branch_id, number=f"WX{next_document('work_order'):08d}",
                                       status="closed", vehicle_id=vehicle_id,
                                       customer_id=customer_id, advisor_id=staff["advisor"], mileage_in=10000,
                                       fuel_level=2, complaint="保养", discount=D0, qc_note="",
                                       unpicked_parts_reason="", created_at=at, updated_at=at)
                    order_lines = 0
                order_lines += 1
                quantity = min(Decimal(rng.randint(1, 4)), have)
                cost = ledger.move(part_id, warehouse_id, "pick", -quantity, None, at, ("work_order", order_id),
                                   work_order_id=order_id)
                recent_picks.append((part_id, warehouse_id, order_id, cost))
            elif kind == "return":
                part_id, warehouse_id, picked_order, cost = recent_picks.pop(rng.randrange(len(recent_picks)))
                ledger.move(part_id, warehouse_id, "return", Decimal(1), cost, at, ("work_order", picked_order),
                            work_order_id=picked_order)
            elif kind == "purchase_return":
                candidates = [r for r in recent_receipts[-200:] if ledger.on_hand(r[0], r[1]) >= 1]
                if not candidates:
                    continue
                part_id, warehouse_id, receipt_id, supplier_id, cost = rng.choice(candidates)
                return_id = out.add(PurchaseReturn, branch_id=branch_id,
                                    number=f"CT{next_document('purchase_return'):08d}", supplier_id=supplier_id,
                                    goods_receipt_id=receipt_id, reason="质量问题", total=cost.quantize(D0),
                                    user_id=staff["parts"], request_key=f"ct{counters['purchase_return']}",
                                    created_at=at)
                ledger.move(part_id, warehouse_id, "purchase_return", Decimal(-1), cost, at,
                            ("purchase_return", return_id))
            elif kind == "transfer":
                to = rng.choice([w for w in warehouse_ids if w != warehouse_id] or [warehouse_id])
                document = ("transfer", next_document("transfer"))
                quantity = min(Decimal(rng.randint(1, 5)), have)
                cost = ledger.move(part_id, warehouse_id, "transfer_out", -quantity, None, at, document)
                ledger.move(part_id, to, "transfer_in", quantity, cost, at, document)
            elif kind == "stocktake":
                variance = Decimal(rng.choice((-2, -1, 1, 2)))
                variance = max(variance, -have)
                ledger.move(part_id, warehouse_id, "stocktake", variance, None, at,
                            ("count_sheet", next_document("count_sheet")))
            else:  # internal use, a gift, a warranty part
                ledger.move(part_id, warehouse_id, kind, -min(Decimal(1), have), None, at,
                            (OUT_DOCUMENTS[kind], next_document(OUT_DOCUMENTS[kind])))
        del recent_picks[:-500]
        del recent_receipts[:-500]
    for (part_id, warehouse_id), (on_hand, average) in ledger.balances.items():
        out.add(StockBalance, branch_id=branch_id, part_id=part_id, warehouse_id=warehouse_id, on_hand=on_hand,
                average_cost=average)
    out.flush()
    session.commit()
    return dict(out.counts)


# --- the measures -------------------------------------------------------------------------------------------------


def ledger_summary_year(bench: Bench) -> dict:
    """进销存 summary of the last 365 shop days, all warehouses."""
    first = bench.today - timedelta(days=364)
    report = stock_report.summary(bench.session, bench.manager, first, bench.today)
    return {"ledger_summary_year_ms": median_ms(lambda: stock_report.summary(bench.session, bench.manager, first,
                                                                             bench.today), repeats=5),
            "ledger_summary_year_parts": len(report.rows)}


def ledger_detail_part(bench: Bench) -> dict:
    """One part's 进销存 detail (the busiest part, the last 365 days, all warehouses)."""
    first = bench.today - timedelta(days=364)
    report = stock_report.detail(bench.session, bench.manager, bench.busiest_part_id, first, bench.today)
    return {"ledger_detail_part_ms": median_ms(lambda: stock_report.detail(
                bench.session, bench.manager, bench.busiest_part_id, first, bench.today)),
            "ledger_detail_part_moves": len(report.lines)}


def _timed_ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def count_sheet_build(bench: Bench) -> dict:
    """A count sheet of the whole first warehouse (every part homed there: 5,000 lines); target ≤ 1 s."""
    samples, lines = [], 0
    for _ in range(5):
        sheet = None

        def build():
            nonlocal sheet
            sheet = stocktake.create_sheet(bench.session, bench.clerk, bench.warehouse_ids[0], CountScope.WAREHOUSE)

        samples.append(_timed_ms(build))
        lines = bench.session.exec(select(func.count()).select_from(CountLine)
                                   .where(CountLine.sheet_id == sheet.id)).one()
        bench.session.rollback()
    return {"count_sheet_build_ms": round(statistics.median(samples), 2), "count_sheet_lines": lines}


def _counted_sheet(bench: Bench, rng: random.Random) -> int:
    """A sheet of the whole first warehouse with every line counted at the current ledger position (one in five off
    by one), then some picks made while the count went on."""
    session, clerk, warehouse_id = bench.session, bench.clerk, bench.warehouse_ids[0]
    sheet = stocktake.create_sheet(session, clerk, warehouse_id, CountScope.WAREHOUSE)
    stocktake.start(session, clerk, sheet.id)
    position = stocktake.ledger_position(session)
    on_hand = (select(StockBalance.on_hand).where(StockBalance.part_id == CountLine.part_id,
                                                   StockBalance.warehouse_id == CountLine.warehouse_id)
               .scalar_subquery())
    off = case((CountLine.id % 10 == 3, 1), (CountLine.id % 10 == 7, -1), else_=0)
    larger = func.max if session.get_bind().dialect.name == "sqlite" else func.greatest
    session.execute(update(CountLine).where(CountLine.sheet_id == sheet.id)
                    .values(counted_quantity=larger(func.coalesce(on_hand, 0) + off, 0), counted_by_id=clerk.id,
                            counted_at=utc_now(), ledger_position=position, entry_count=1)
                    .execution_options(synchronize_session=False))
    stocked = session.exec(select(StockBalance.part_id).where(StockBalance.warehouse_id == warehouse_id,
                                                              StockBalance.on_hand >= 5)).all()
    for part_id in rng.sample(list(stocked), min(PICKS_DURING_COUNT, len(stocked))):
        stock.post_out(session, clerk, branch_id=bench.branch_id, warehouse_id=warehouse_id, part_id=part_id,
                       quantity=Decimal(1), kind=StockMoveKind.PICK, document=("bench", 0), what="配件")
    session.flush()
    return sheet.id


def count_sheet_post(bench: Bench) -> dict:
    """过账 of that sheet fully counted (about 1,000 variance moves) with 200 picks made during the count; target
    ≤ 2 s."""
    rng = random.Random(10)
    samples, moves = [], 0
    for _ in range(5):
        sheet_id = _counted_sheet(bench, rng)
        posted = None

        def post():
            nonlocal posted
            posted = stocktake.post(bench.session, bench.manager, sheet_id)

        samples.append(_timed_ms(post))
        moves = len(posted.moves)
        bench.session.rollback()
    return {"count_sheet_post_ms": round(statistics.median(samples), 2), "count_sheet_post_moves": moves}


def safety_stock_suggestions(bench: Bench) -> dict:
    """Safety-stock suggestions for every part (the default 90 days, and a year; target ≤ 2 s), the clerk's
    low-stock list and the manager's low-stock count."""
    session, manager = bench.session, bench.manager
    quarter = safety_stock.default_settings(bench.today)
    year = safety_stock.Settings(start=bench.today - timedelta(days=364), end=bench.today, safety_days=3,
                                 cover_days=14)
    return {"safety_suggestions_rows": len(safety_stock.suggestions(session, manager, quarter)),
            "safety_suggestions_90_days_ms": median_ms(lambda: safety_stock.suggestions(session, manager, quarter),
                                                       repeats=5),
            "safety_suggestions_year_ms": median_ms(lambda: safety_stock.suggestions(session, manager, year),
                                                    repeats=5),
            "low_stock_rows": len(safety_stock.low_stock(session, manager, limit=100_000)),
            "low_stock_list_ms": median_ms(lambda: safety_stock.low_stock(session, manager), repeats=5),
            "low_stock_count_ms": median_ms(lambda: safety_stock.low_stock_count(session, [bench.branch_id]))}


MEASURES: list[Callable[[Bench], dict]] = [ledger_summary_year, ledger_detail_part, count_sheet_build,
                                           count_sheet_post, safety_stock_suggestions]


def main() -> None:
    parser = harness.arguments()
    parser.add_argument("--moves", type=int, default=400_000)
    parser.add_argument("--parts", type=int, default=5_000)
    parser.add_argument("--warehouses", type=int, default=3)
    args = parser.parse_args()

    def bench_of(session: Session, now: datetime) -> Bench:
        busiest = session.exec(select(StockMove.part_id, func.count()).group_by(StockMove.part_id)
                               .order_by(func.count().desc()).limit(1)).one()[0]
        return Bench(session=session, manager=session.exec(select(User).where(User.username == "manager")).one(),
                     clerk=session.exec(select(User).where(User.username == "parts")).one(),
                     branch_id=session.exec(select(Branch.id)).one(),
                     warehouse_ids=list(session.exec(select(Warehouse.id).order_by(Warehouse.id)).all()),
                     busiest_part_id=busiest, now=now, today=local_day(now))

    harness.run(args, lambda session, now: generate(session, moves=args.moves, parts=args.parts,
                                                    warehouses=args.warehouses, now=now), bench_of, MEASURES)


if __name__ == "__main__":
    main()
