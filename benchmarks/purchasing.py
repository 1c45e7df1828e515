"""Buying parts on a busy branch: ``python -m benchmarks.purchasing [--parts N] [--url DATABASE_URL]``.

Generates one branch in a fresh database with 20,000 parts, 200 suppliers with their offers, stock limits and
balances, three years of purchase orders received against them (about 40 receipts a day with their lines and
stock moves), returns, picks, open work orders planning parts, and what is owed: an open item per receipt and
return, monthly payments with their allocations, the last two months still open. Then times what the screens
call: building the purchase plan (the ``orders`` work, when it is there), a part's supplier price history and a
supplier's ageing (plus every supplier's), and importing 50,000 parts from an xlsx file (the catalogue import, when
it is there). Prints one JSON object with median milliseconds; a figure whose code is not in this build is null.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, time as clock, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, text, update
from sqlmodel import Session, select

from benchmarks.intake import median_ms
from benchmarks.workshop import Writer, reset_sequences
from lantong_pwa.db import make_engine
from lantong_pwa.errors import DomainError
from lantong_pwa.migrations import upgrade_to_head
from lantong_pwa.services.finance import open_items, payables
from lantong_pwa.services.parts import supplier_choice
from lantong_pwa.timezone import local_day
from models import (
    Allocation,
    Branch,
    Customer,
    GoodsReceipt,
    GoodsReceiptLine,
    OpenItem,
    Part,
    PartLine,
    PartyPayment,
    PaymentTerms,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReturn,
    PurchaseReturnLine,
    Role,
    StockBalance,
    StockLimit,
    StockMove,
    Supplier,
    SupplierPart,
    User,
    Vehicle,
    Warehouse,
    WorkOrder,
)
from models.common import utc_now

DAYS = 3 * 365
RECEIPTS_A_DAY = 40
LINES_A_RECEIPT = 5
PICKS_A_DAY = 200
OPEN_ORDERS = 300
IMPORT_ROWS = 50_000
D0 = Decimal("0.00")
# Parents before children, so foreign keys hold at every flush.
ORDER = (Supplier, SupplierPart, StockLimit, StockBalance, Customer, Vehicle, WorkOrder, PartLine, PurchaseOrder,
         PurchaseOrderLine, StockMove, GoodsReceipt, GoodsReceiptLine, PurchaseReturn, PurchaseReturnLine,
         PartyPayment, OpenItem, Allocation)


class PurchasingWriter(Writer):
    def __init__(self, session: Session):
        super().__init__(session, ORDER)
        self.written_amount: dict[int, Decimal] = {}  # open item → the open amount it went in with


def _noonish(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, clock(1, 0), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 540))


def seed(session: Session, parts_count: int, rng: random.Random, now: datetime) -> dict:
    out = PurchasingWriter(session)
    branch_id = out.add(Branch, code="B1", name="基准门店", vat_rate=Decimal("13.00"), address="", phone="",
                        created_at=now)
    staff = {}
    for username, role in (("manager", Role.MANAGER), ("parts", Role.PARTS_CLERK), ("cashier", Role.CASHIER),
                           ("advisor", Role.ADVISOR)):
        staff[username] = out.add(User, username=username, display_name=username, password_hash="x", role=role,
                                  branch_id=branch_id, is_active=True, created_at=now)
    warehouse_id = out.add(Warehouse, branch_id=branch_id, code="MAIN", name="主仓", created_at=now)
    out.flush()

    base_price = {}
    for i in range(1, parts_count + 1):
        base_price[i] = Decimal(rng.randint(500, 200_000)) / 100
        out.add(Part, branch_id=branch_id, code=f"P{i:06d}", name=f"配件{i}", brand="博世", spec="", category="滤清器",
                oe_number=f"OE{i:08d}", unit="个", sale_price=base_price[i] * Decimal("1.4"), cost=base_price[i],
                shelf=f"A{i % 50:02d}", is_active=True, created_at=now)
    suppliers = []
    for s in range(1, 201):
        terms = (PaymentTerms.CASH, PaymentTerms.MONTHLY, PaymentTerms.DAYS)[s % 3]
        days = 0 if terms == PaymentTerms.CASH else (30, 60)[s % 2]
        suppliers.append(out.add(Supplier, branch_id=branch_id, code=f"S{s:04d}", name=f"供应商{s}", contact="",
                                 phone="", address="", tax_id="", bank_account="", terms=terms, terms_days=days,
                                 is_active=True, created_at=now))
    terms_of = {sid: ((PaymentTerms.CASH, PaymentTerms.MONTHLY, PaymentTerms.DAYS)[n % 3],
                      0 if n % 3 == 0 else (30, 60)[n % 2]) for n, sid in enumerate(suppliers, start=1)}
    offers = {}  # part → its suppliers
    for part_id in range(1, parts_count + 1):
        chosen = rng.sample(suppliers, 3)
        offers[part_id] = chosen
        for supplier_id in chosen:
            out.add(SupplierPart, branch_id=branch_id, supplier_id=supplier_id, part_id=part_id,
                    price=(base_price[part_id] * Decimal(rng.uniform(0.9, 1.1))).quantize(Decimal("0.01")),
                    min_quantity=Decimal(rng.choice((1, 1, 5, 10))), lead_days=rng.randint(1, 7), updated_at=now)
        if part_id % 3 == 0:
            out.add(StockLimit, branch_id=branch_id, part_id=part_id, warehouse_id=warehouse_id,
                    minimum=Decimal(rng.randint(2, 10)), maximum=Decimal(rng.randint(12, 40)))
        out.add(StockBalance, branch_id=branch_id, part_id=part_id, warehouse_id=warehouse_id,
                on_hand=Decimal(rng.randint(0, 30)), average_cost=base_price[part_id])
    out.flush()

    today = local_day(now)
    first_day = today - timedelta(days=DAYS)
    debits: dict[int, list[list]] = defaultdict(list)  # supplier → [item id, amount, day, receipt id]
    credits: dict[int, list[list]] = defaultdict(list)  # supplier → [item id, amount, day, receipt item id]
    n_doc = 0
    for offset in range(DAYS + 1):
        day = first_day + timedelta(days=offset)
        for _ in range(RECEIPTS_A_DAY):
            n_doc += 1
            received_at = _noonish(day, rng)
            supplier_id = rng.choice(suppliers)
            against_order = rng.random() < 0.8
            order_id = None
            ordered_at = received_at - timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 12))
            if against_order:
                order_id = out.add(PurchaseOrder, branch_id=branch_id, number=f"CG{n_doc:08d}", supplier_id=supplier_id,
                                   warehouse_id=warehouse_id, status="received", total=D0,
                                   share_token=f"{n_doc:032d}", created_by_id=staff["parts"],
                                   ordered_at=ordered_at, finished_at=received_at, created_at=ordered_at,
                                   updated_at=received_at, note="")
            picked = []
            for _position in range(LINES_A_RECEIPT):
                part_id = rng.randint(1, parts_count)
                quantity = Decimal(rng.randint(1, 20))
                price = (base_price[part_id] * Decimal(rng.uniform(0.85, 1.15))).quantize(Decimal("0.01"))
                picked.append((part_id, quantity, price))
            total = sum((q * p for _, q, p in picked), D0)
            receipt_id = out.add(GoodsReceipt, branch_id=branch_id, number=f"RK{n_doc:08d}", supplier_id=supplier_id,
                                 purchase_order_id=order_id, warehouse_id=warehouse_id, freight=D0, total=total,
                                 note="", user_id=staff["parts"], request_key=f"rk{n_doc}", created_at=received_at)
            lines = []
            for position, (part_id, quantity, price) in enumerate(picked):
                order_line_id = None
                if order_id is not None:
                    order_line_id = out.add(PurchaseOrderLine, branch_id=branch_id, purchase_order_id=order_id,
                                            position=position, part_id=part_id, quantity=quantity, unit_price=price,
                                            received_quantity=quantity, cancelled_quantity=D0)
                move_id = out.add(StockMove, branch_id=branch_id, part_id=part_id, warehouse_id=warehouse_id,
                                  kind="receipt", quantity=quantity, unit_cost=price, user_id=staff["parts"],
                                  note="", created_at=received_at)
                returned = Decimal(1) if rng.random() < 0.02 else D0
                line_id = out.add(GoodsReceiptLine, branch_id=branch_id, goods_receipt_id=receipt_id,
                                  purchase_order_line_id=order_line_id, part_id=part_id, quantity=quantity,
                                  unit_price=price, price_reason="", freight_share=D0, unit_cost=price,
                                  returned_quantity=returned, stock_move_id=move_id)
                lines.append((line_id, part_id, price, returned))
            terms, terms_days = terms_of[supplier_id]
            item_id = out.add(OpenItem, branch_id=branch_id, party_kind="supplier", party_id=supplier_id,
                              direction="payable", source="goods_receipt", source_id=receipt_id,
                              number=f"RK{n_doc:08d}", amount=total, open_amount=total, document_date=day,
                              due_on=open_items.due_on(terms, terms_days, day), created_at=received_at)
            debits[supplier_id].append([item_id, total, day])
            out.written_amount[item_id] = total
            for line_id, part_id, price, returned in lines:
                if not returned:
                    continue
                return_id = out.add(PurchaseReturn, branch_id=branch_id, number=f"CT{line_id:08d}",
                                    supplier_id=supplier_id, goods_receipt_id=receipt_id, reason="质量问题",
                                    total=price, user_id=staff["parts"], request_key=f"ct{line_id}",
                                    created_at=received_at + timedelta(days=2))
                move_id = out.add(StockMove, branch_id=branch_id, part_id=part_id, warehouse_id=warehouse_id,
                                  kind="purchase_return", quantity=-returned, unit_cost=price, user_id=staff["parts"],
                                  note="", created_at=received_at + timedelta(days=2))
                out.add(PurchaseReturnLine, branch_id=branch_id, purchase_return_id=return_id,
                        goods_receipt_line_id=line_id, part_id=part_id, quantity=returned, unit_cost=price,
                        stock_move_id=move_id)
                credit_id = out.add(OpenItem, branch_id=branch_id, party_kind="supplier", party_id=supplier_id,
                                    direction="payable", source="purchase_return", source_id=return_id,
                                    number=f"CT{line_id:08d}", amount=-price, open_amount=-price,
                                    document_date=day + timedelta(days=2), due_on=day + timedelta(days=2),
                                    created_at=received_at + timedelta(days=2))
                credits[supplier_id].append([credit_id, -price, day, item_id])
                out.written_amount[credit_id] = -price
        for _ in range(PICKS_A_DAY):
            part_id = rng.randint(1, parts_count)
            out.add(StockMove, branch_id=branch_id, part_id=part_id, warehouse_id=warehouse_id, kind="pick",
                    quantity=-Decimal(rng.randint(1, 4)), unit_cost=base_price[part_id], user_id=staff["parts"],
                    note="", created_at=_noonish(day, rng))
    _settle_history(out, branch_id, staff["cashier"], debits, credits, today, rng)
    _open_orders(out, branch_id, staff["advisor"], parts_count, rng, now)
    out.flush()
    session.commit()
    return dict(out.counts)


def _settle_history(out: PurchasingWriter, branch_id: int, user_id: int, debits, credits, today: date,
                    rng: random.Random) -> None:
    """Each return's credit settles against its receipt; every month a payment settles what fell due before the
    month began, except in the last two months (left open, partly paid)."""
    open_amount: dict[int, Decimal] = {}
    for supplier_id, items in debits.items():
        for item_id, amount, _day in items:
            open_amount[item_id] = amount
    allocations = defaultdict(Decimal)  # (debit, credit) → amount
    for supplier_id, items in credits.items():
        for credit_id, amount, day, receipt_item in items:
            if day < today - timedelta(days=60):
                take = min(open_amount[receipt_item], -amount)
                if take > 0:
                    allocations[(receipt_item, credit_id)] += take
                    open_amount[receipt_item] -= take
                    open_amount[credit_id] = amount + take
    n_payment = 0
    for supplier_id, items in debits.items():
        by_month = defaultdict(list)
        for item_id, _amount, day in items:
            by_month[(day.year, day.month)].append(item_id)
        for (year, month), ids in sorted(by_month.items()):
            pay_day = (date(year, month, 28) + timedelta(days=10))
            if pay_day > today - timedelta(days=45):
                continue
            amount = sum((open_amount[i] for i in ids), D0)
            if amount <= 0:
                continue
            n_payment += 1
            paid_at = datetime.combine(pay_day, clock(2, 0), tzinfo=UTC)
            payment_id = out.add(PartyPayment, branch_id=branch_id, number=f"FK{n_payment:08d}",
                                 party_kind="supplier", party_id=supplier_id, direction="payable",
                                 method=rng.choice(("cash", "bank_transfer")), amount=amount, reference="", note="",
                                 user_id=user_id, request_key=f"fk{n_payment}", created_at=paid_at)
            credit_id = out.add(OpenItem, branch_id=branch_id, party_kind="supplier", party_id=supplier_id,
                                direction="payable", source="party_payment", source_id=payment_id,
                                number=f"FK{n_payment:08d}", amount=-amount, open_amount=D0, document_date=pay_day,
                                due_on=pay_day, created_at=paid_at)
            for item_id in ids:
                if open_amount[item_id] > 0:
                    allocations[(item_id, credit_id)] += open_amount[item_id]
                    open_amount[item_id] = D0
    for (debit_id, credit_id), amount in allocations.items():
        out.add(Allocation, branch_id=branch_id, debit_item_id=debit_id, credit_item_id=credit_id, amount=amount,
                user_id=user_id, created_at=utc_now())
    out.flush()
    # The items went in fully open: what the history settled, by primary key in bulk.
    changed = [{"id": item_id, "open_amount": amount} for item_id, amount in open_amount.items()
               if amount != out.written_amount.get(item_id)]
    for start in range(0, len(changed), 20_000):
        out.session.execute(update(OpenItem), changed[start:start + 20_000])


def _open_orders(out: PurchasingWriter, branch_id: int, advisor_id: int, parts_count: int, rng: random.Random,
                 now: datetime) -> None:
    for n in range(1, OPEN_ORDERS + 1):
        customer_id = out.add(Customer, branch_id=branch_id, name=f"客户{n}", mobile=f"13{n:09d}", kind="individual",
                              notes="", credit_limit=D0, created_at=now)
        vehicle_id = out.add(Vehicle, branch_id=branch_id, customer_id=customer_id, plate=f"粤B{n:05d}",
                             vin=f"LBV{n:014d}", make="大众", model="朗逸", colour="", engine_no="", insurer="",
                             mileage=10000, qr_token=f"t{n:031d}", created_at=now)
        order_id = out.add(WorkOrder, branch_id=branch_id, number=f"WX{n:08d}", status="in_progress",
                           vehicle_id=vehicle_id, customer_id=customer_id, advisor_id=advisor_id, mileage_in=10000,
                           fuel_level=2, complaint="保养", discount=D0, qc_note="", unpicked_parts_reason="",
                           created_at=now, updated_at=now)
        for position in range(3):
            part_id = rng.randint(1, parts_count)
            out.add(PartLine, branch_id=branch_id, work_order_id=order_id, part_id=part_id, position=position,
                    part_code=f"P{part_id:06d}", part_name=f"配件{part_id}", unit="个", quantity=Decimal(2),
                    unit_price=D0, amount=D0, picked_quantity=D0, returned_quantity=D0, payer="customer",
                    payer_party="", discount=D0, created_at=now)


def _optional(module: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def plan_ms(session: Session, clerk: User) -> tuple[float | None, int | None]:
    plan = _optional("lantong_pwa.services.parts.purchase_plan")
    if plan is None or not hasattr(plan, "build"):
        return None, None
    lines = plan.build(session, clerk)
    session.rollback()
    return median_ms(lambda: (plan.build(session, clerk), session.rollback()), repeats=5), len(lines)


def import_s(url: str, clerk_id: int) -> float | None:
    """Seconds to commit 50,000 new parts from an xlsx file, in a unit of work of its own."""
    importer = _optional("lantong_pwa.services.parts.catalogue_import")
    if importer is None or not hasattr(importer, "commit") or not hasattr(importer, "template_xlsx"):
        return None
    from openpyxl import Workbook, load_workbook
    headers = [c.value for c in next(load_workbook(io.BytesIO(importer.template_xlsx("parts"))).active.iter_rows(
        min_row=1, max_row=1))]
    values = {"编码": "N{:06d}", "名称": "新配件{}", "品牌": "博世", "单位": "个", "售价": "88.00", "成本": "50.00"}
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    keys = [str(h).rstrip("*") for h in headers]
    for n in range(IMPORT_ROWS):
        sheet.append([values[k].format(n) if k in values else "" for k in keys])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            clerk = session.get(User, clerk_id)
            started = time.perf_counter()
            try:
                importer.commit(session, clerk, "parts", data, "bench.xlsx")
            except DomainError as refused:
                errors = getattr(getattr(refused, "report", None), "errors", [])[:5]
                print(f"import refused: {refused.message} {errors}", file=sys.stderr)
                return None
            session.commit()
            return round(time.perf_counter() - started, 2)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", type=int, default=20_000)
    parser.add_argument("--url", help="database URL of an EMPTY database (default: a temporary SQLite file)")
    parser.add_argument("--no-import", action="store_true", help="skip the 50,000-part xlsx import")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    rng = random.Random(15)
    now = utc_now()
    today = local_day(now)
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        counts = seed(session, args.parts, rng, now)
        reset_sequences(session)
        session.execute(text("ANALYZE"))
        session.commit()
        seed_s = round(time.perf_counter() - started, 2)
        manager = session.exec(select(User).where(User.username == "manager")).one()
        clerk = session.exec(select(User).where(User.username == "parts")).one()
        busiest_part = session.exec(select(GoodsReceiptLine.part_id, func.count()).group_by(GoodsReceiptLine.part_id)
                                    .order_by(func.count().desc()).limit(1)).one()[0]
        busiest_supplier = session.exec(select(OpenItem.party_id, func.count()).group_by(OpenItem.party_id)
                                        .order_by(func.count().desc()).limit(1)).one()[0]
        history = supplier_choice.price_history(session, clerk, busiest_part)
        rows, total = payables.supplier_ageing(session, manager, today)
        plan, plan_lines = plan_ms(session, clerk)
        result = {
            "engine": engine.dialect.name,
            "seed_s": seed_s,
            "rows": counts,
            "purchase_plan_ms": plan,
            "purchase_plan_lines": plan_lines,
            "price_history_part_receipt_lines": sum(r.receipts for r in history.suppliers),
            "price_history_ms": median_ms(lambda: supplier_choice.price_history(session, clerk, busiest_part)),
            "suggest_supplier_ms": median_ms(lambda: supplier_choice.suggest_supplier(session, 1, busiest_part)),
            "supplier_ageing_items": session.exec(select(func.count()).select_from(OpenItem)
                                                  .where(OpenItem.party_id == busiest_supplier)).one(),
            "supplier_ageing_ms": median_ms(lambda: payables.one_supplier_ageing(session, manager, busiest_supplier,
                                                                                 today)),
            "all_suppliers_ageing_ms": median_ms(lambda: payables.supplier_ageing(session, manager, today)),
            "suppliers_owed": len(rows),
            "owed_total": str(total.balance),
            "statement_month_ms": median_ms(lambda: payables.supplier_statement(
                session, manager, busiest_supplier, today.replace(day=1) - timedelta(days=31), today)),
        }
        clerk_id = clerk.id
    engine.dispose()
    result["import_50000_parts_s"] = None if args.no_import else import_s(url, clerk_id)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
