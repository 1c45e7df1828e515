"""The workshop on a busy branch: ``python -m benchmarks.workshop [--orders N] [--url DATABASE_URL]``.

Generates one branch with three years of history in a fresh database (default: about 60,000 work orders with
300,000 job and parts lines, 400,000 stock movements, settlements with their lines, payments, technician
assignments and job-clock time entries, and follow-ups of the closed orders, most answered, with complaints for
the low ratings), then times the functions the screens call: the manager's daily figures for one day
(``/figures``), the technician performance report for one month and an order search by plate fragment
(``/reports``), a vehicle's history (the vehicle card), the customer file of the busiest customer and a customer
search (``/customers``), the satisfaction rate of one month and the churn analysis (``/satisfaction``). Prints
one JSON object with median milliseconds.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, text
from sqlmodel import Session, SQLModel, select

from benchmarks.intake import _plate, median_ms
from lantong_pwa.db import make_engine
from lantong_pwa.migrations import upgrade_to_head
from lantong_pwa.services.care import churn, customers, satisfaction
from lantong_pwa.services.platform import figures
from lantong_pwa.services.workshop import reports, work_orders
from lantong_pwa.timezone import SHOP_TZ, local_day
from models import (
    Branch,
    Complaint,
    Customer,
    FollowUp,
    JobAssignment,
    JobLine,
    Part,
    PartLine,
    Payment,
    Role,
    Settlement,
    SettlementLine,
    StockBalance,
    StockMove,
    TimeEntry,
    User,
    Vehicle,
    Warehouse,
    WorkOrder,
)
from models.common import utc_now

DAYS = 3 * 365
JOBS = (("常规保养", "1.00"), ("更换刹车片", "1.50"), ("四轮定位", "1.00"), ("空调检修", "2.00"),
        ("发动机检查", "1.50"), ("更换轮胎", "0.50"), ("底盘检查", "0.50"), ("变速箱保养", "3.00"))
RATES = (Decimal("120.00"), Decimal("150.00"))
METHODS = ("cash", "bank_card", "wechat", "wechat", "alipay", "alipay", "member_card", "on_account")
PAYERS = ("customer",) * 91 + ("warranty",) * 5 + ("insurance",) * 3 + ("internal",)
FLUSH_AT = 25_000
# Parents before children, so foreign keys hold at every flush.
TABLE_ORDER = (WorkOrder, JobLine, PartLine, JobAssignment, TimeEntry, StockMove, Settlement, SettlementLine, Payment,
               FollowUp, Complaint)
ANSWERED_SHARE = 0.6  # of the closed orders' follow-ups
RATINGS = (5,) * 50 + (4,) * 30 + (3,) * 12 + (2,) * 5 + (1,) * 3
D0 = Decimal("0.00")


def _fen(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


class Writer:
    """Buffers rows per table and bulk-inserts them through the table (Core ``executemany``, not the ORM's bulk
    path: generated history is mostly rows), parents first: the tables of ``order`` in that order, after any
    table it does not name."""

    def __init__(self, session: Session, order: tuple[type[SQLModel], ...] = TABLE_ORDER):
        self.session = session
        self.order = order
        self.rows: dict[type[SQLModel], list[dict]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.ids: dict[type[SQLModel], int] = defaultdict(int)

    def next_id(self, model: type[SQLModel]) -> int:
        self.ids[model] += 1
        return self.ids[model]

    def add(self, table: type[SQLModel], /, **row) -> int:
        row.setdefault("id", self.next_id(table))
        self.rows[table].append(row)
        if len(self.rows[table]) >= FLUSH_AT:
            self.flush()
        return row["id"]

    def flush(self) -> None:
        for model in (*[m for m in self.rows if m not in self.order], *self.order):
            rows = self.rows.get(model)
            if rows:
                self.session.connection().execute(model.__table__.insert(), rows)
                self.counts[model.__tablename__] += len(rows)
                rows.clear()


def follow_up_rows(out: Writer, rng: random.Random, now: datetime, branch_id: int, order_id: int, vehicle_id: int,
                   settled: datetime, n: int) -> None:
    """The order's follow-up three days after it closed: answered by most customers (a low rating or "not solved"
    opens a complaint), the rest still open or given up."""
    due = settled + timedelta(days=3)
    answered_at = due + timedelta(minutes=rng.randint(10, 3000))
    answered = answered_at <= now and rng.random() < ANSWERED_SHARE
    overall = rng.choice(RATINGS) if answered else None
    aspects = {name: (max(1, min(5, overall + rng.choice((-1, 0, 0, 1)))) if answered else None)
               for name in ("quality", "speed", "attitude", "price", "environment")}
    unsolved = answered and rng.random() < 0.02
    follow_up_id = out.add(
        FollowUp, branch_id=branch_id, work_order_id=order_id, customer_id=vehicle_id, vehicle_id=vehicle_id,
        status="answered" if answered else ("open" if due > now - timedelta(days=14) else "closed"),
        due_on=local_day(due), link_nonce=f"n{n:010d}", link_expires_at=due + timedelta(days=30),
        link_sent_at=due, answered_at=answered_at if answered else None, answered_via="link" if answered else None,
        comment="", problem_unsolved=unsolved, created_at=settled, overall=overall, **aspects)
    if answered and (overall <= 2 or unsolved):
        out.add(Complaint, branch_id=branch_id, number=f"TS{n:08d}", customer_id=vehicle_id, vehicle_id=vehicle_id,
                work_order_id=order_id, follow_up_id=follow_up_id, source="follow_up", summary="回访差评",
                status="closed" if answered_at < now - timedelta(days=30) else "open", assignee_id=None,
                resolution="", resolved_at=None, created_by_id=None, created_at=answered_at,
                updated_at=answered_at)


def seed(session: Session, orders: int, rng: random.Random, now: datetime) -> dict:
    out = Writer(session)
    care_rng = random.Random(12)  # its own sequence: the workshop data stays as it was
    branch_id = out.add(Branch, code="B1", name="基准门店", vat_rate=Decimal("13.00"), address="", phone="",
                        created_at=now)
    staff = {}
    for username, role in (("manager", Role.MANAGER), ("advisor1", Role.ADVISOR), ("advisor2", Role.ADVISOR),
                           ("cashier", Role.CASHIER), ("parts", Role.PARTS_CLERK),
                           *((f"tech{i}", Role.TECHNICIAN) for i in range(1, 9))):
        staff[username] = out.add(User, username=username, display_name=username, password_hash="x", role=role,
                                  branch_id=branch_id, is_active=True, created_at=now)
    technicians = [staff[f"tech{i}"] for i in range(1, 9)]
    advisors = [staff["advisor1"], staff["advisor2"]]
    warehouses = [out.add(Warehouse, branch_id=branch_id, code=f"W{i}", name=f"仓库{i}", is_active=True,
                          created_at=now) for i in (1, 2)]
    parts = []
    for i in range(800):
        cost = _fen(Decimal(rng.randint(500, 60000)) / 100)
        price = _fen(cost * Decimal("1.45"))
        parts.append((out.add(Part, branch_id=branch_id, code=f"P{i:05d}", name=f"配件{i}", brand="", unit="个",
                              sale_price=price, cost=cost, is_active=True, created_at=now), price, cost))
    vehicle_count = max(orders // 4, 10)
    plates = set()
    while len(plates) < vehicle_count:
        plates.add(_plate(rng))
    plates = sorted(plates)
    for i, plate in enumerate(plates):
        customer_id = out.add(Customer, branch_id=branch_id, name=f"客户{i}", mobile=f"13{i:09d}",
                              kind="individual", notes="", credit_limit=D0, created_at=now)
        out.add(Vehicle, branch_id=branch_id, customer_id=customer_id, plate=plate, vin=f"LBV{i:014d}",
                make="大众", model="朗逸", colour="", engine_no="", insurer="", mileage=10000,
                qr_token=f"t{i:031d}", created_at=now)
    out.flush()

    today = local_day(now)
    first_day = today - timedelta(days=DAYS)
    stock: dict[tuple[int, int], Decimal] = defaultdict(Decimal)

    def move(kind: str, part_id: int, warehouse_id: int, quantity: Decimal, cost: Decimal, at: datetime,
             order_id: int | None = None, line_id: int | None = None) -> None:
        stock[(part_id, warehouse_id)] += quantity
        out.add(StockMove, branch_id=branch_id, part_id=part_id, warehouse_id=warehouse_id, kind=kind,
                quantity=quantity, unit_cost=cost, work_order_id=order_id, part_line_id=line_id, note="",
                user_id=staff["parts"], created_at=at)

    for part_id, _price, cost in parts:
        for warehouse_id in warehouses:
            move("opening", part_id, warehouse_id, Decimal("50.00"), cost,
                 datetime.combine(first_day, datetime.min.time(), tzinfo=SHOP_TZ).astimezone(UTC))

    for n in range(orders):
        day = first_day + timedelta(days=n * DAYS // orders + 1)
        opened = datetime.combine(day, datetime.min.time(), tzinfo=SHOP_TZ).astimezone(UTC) + timedelta(
            minutes=rng.randint(8 * 60, 18 * 60))
        if opened > now:
            opened = now - timedelta(minutes=rng.randint(5, 600))
        completed = opened + timedelta(minutes=rng.randint(60, 600))
        settled = completed + timedelta(minutes=rng.randint(10, 240))
        if rng.random() < 0.01 and now - opened > timedelta(days=2):
            status = "cancelled"
        elif settled <= now:
            status = "closed"
        elif completed <= now:
            status = "completed"
        else:
            status = rng.choice(("open", "in_progress"))
        is_settled = status == "closed"
        vehicle_id = rng.randint(1, vehicle_count)  # one owner per vehicle: customer and vehicle ids match
        order_id = out.add(
            WorkOrder, branch_id=branch_id, number=f"WX{day:%Y%m%d}-{n:05d}", status=status,
            vehicle_id=vehicle_id, customer_id=vehicle_id, advisor_id=rng.choice(advisors),
            mileage_in=10000 + n, fuel_level=2, complaint="保养", promised_at=opened + timedelta(hours=6),
            discount=D0, completed_at=completed if status in ("completed", "closed") else None,
            settled_at=settled if is_settled else None, closed_at=settled if is_settled else None,
            qc_note="", created_at=opened, updated_at=opened)

        settlement_lines = []
        labor = parts_total = other = parts_cost = hours_total = D0
        by_payer = defaultdict(lambda: D0)
        for position in range(rng.choice((2, 2, 3, 3))):
            name, hours = rng.choice(JOBS)
            hours = Decimal(hours)
            rate = rng.choice(RATES)
            amount = _fen(hours * rate)
            payer = rng.choice(PAYERS)
            line_id = out.add(JobLine, branch_id=branch_id, work_order_id=order_id, position=position, name=name,
                              hours=hours, rate=rate, amount=amount,
                              status="finished" if status != "open" else "pending", payer=payer, payer_party="",
                              discount=D0, note="", finished_at=completed if status != "open" else None,
                              created_at=opened)
            shared = rng.random() < 0.15
            chosen = rng.sample(technicians, 2 if shared else 1)
            for technician_id in chosen:
                out.add(JobAssignment, branch_id=branch_id, job_line_id=line_id, technician_id=technician_id,
                        share_percent=Decimal("50.00") if shared else Decimal("100.00"),
                        assigned_by_id=chosen[0], assigned_at=opened)
                if status == "open":
                    continue
                start = opened + timedelta(minutes=rng.randint(10, 90))
                worked = timedelta(seconds=int(float(hours) * 3600 * rng.uniform(0.7, 1.3)))
                running = status == "in_progress" and rng.random() < 0.5
                out.add(TimeEntry, branch_id=branch_id, job_line_id=line_id, technician_id=technician_id,
                        started_at=start, ended_at=None if running else start + worked)
            labor += amount
            hours_total += hours
            by_payer[payer] += amount
            settlement_lines.append(dict(kind="labor", description=name, quantity=hours, unit_price=rate,
                                         amount=amount, discount=D0, net=amount, payer=payer, payer_party="",
                                         cost=D0, hours=hours))
        for position in range(rng.choice((2, 2, 3, 3))):
            part_id, price, cost = rng.choice(parts)
            quantity = Decimal(rng.randint(1, 4))
            returned = Decimal(1) if quantity > 1 and rng.random() < 0.05 else D0
            picked = quantity if status != "open" else D0
            payer = rng.choice(PAYERS)
            amount = _fen(quantity * price)
            line_id = out.add(PartLine, branch_id=branch_id, work_order_id=order_id, part_id=part_id,
                              position=position, part_code=f"P{part_id:05d}", part_name=f"配件{part_id}", unit="个",
                              quantity=quantity, unit_price=price, amount=amount, picked_quantity=picked,
                              returned_quantity=returned if picked else D0, payer=payer, payer_party="",
                              discount=D0, created_at=opened)
            warehouse_id = warehouses[part_id % 2]
            if picked:
                move("pick", part_id, warehouse_id, -picked, cost, opened + timedelta(minutes=30), order_id, line_id)
                if returned:
                    move("return", part_id, warehouse_id, returned, cost, opened + timedelta(minutes=90), order_id,
                         line_id)
            used = picked - returned if picked else quantity
            net = _fen(used * price)
            parts_total += net
            parts_cost += _fen(used * cost)
            by_payer[payer] += net
            settlement_lines.append(dict(kind="part", description=f"配件{part_id}", quantity=used, unit_price=price,
                                         amount=net, discount=D0, net=net, payer=payer, payer_party="",
                                         cost=_fen(used * cost), hours=D0))
        if rng.random() < 0.2:
            fee = rng.choice((Decimal("30.00"), Decimal("50.00")))
            other += fee
            by_payer["customer"] += fee
            settlement_lines.append(dict(kind="fee", description="材料费", quantity=Decimal("1.00"),
                                         unit_price=fee, amount=fee, discount=D0, net=fee, payer="customer",
                                         payer_party="", cost=D0, hours=D0))
        for _ in range(4 + (rng.random() < 0.1)):  # goods in: about 400,000 movements in all
            part_id, _price, cost = rng.choice(parts)
            move("receipt", part_id, warehouses[part_id % 2], Decimal(rng.randint(1, 20)), cost,
                 opened - timedelta(minutes=rng.randint(1, 120)))

        if not is_settled:
            continue
        discount = _fen(Decimal(rng.randint(10, 50))) if rng.random() < 0.1 else D0
        discount = min(discount, by_payer["customer"])
        customer = by_payer["customer"] - discount
        gross = labor + parts_total + other
        reopened = rng.random() < 0.01
        for superseded in ((True, False) if reopened else (False,)):
            settlement_id = out.add(
                Settlement, branch_id=branch_id, work_order_id=order_id, number=f"JS{n:06d}{'R' if superseded else ''}",
                status="reopened" if superseded else "active", labor_total=labor, parts_total=parts_total,
                other_total=other, gross=gross, order_discount=discount, customer_amount=customer,
                warranty_amount=by_payer["warranty"], insurance_amount=by_payer["insurance"],
                internal_amount=by_payer["internal"], vat_rate=Decimal("13.00"),
                vat_amount=_fen(customer * 13 / 113), parts_cost=parts_cost, billed_hours=hours_total,
                created_by_id=staff["cashier"],
                created_at=settled - (timedelta(minutes=30) if superseded else timedelta()),
                reopened_by_id=staff["manager"] if superseded else None,
                reopened_at=settled if superseded else None, reopen_reason="改价" if superseded else "")
            for line in settlement_lines:
                out.add(SettlementLine, settlement_id=settlement_id, **line)
        if customer > 0:
            split = rng.random() < 0.1
            shares = (_fen(customer / 2), customer - _fen(customer / 2)) if split else (customer,)
            for index, amount in enumerate(shares):
                out.add(Payment, branch_id=branch_id, settlement_id=settlement_id, number=f"SK{n:06d}-{index}",
                        method=rng.choice(METHODS), amount=amount, tendered=None, change=D0,
                        request_key=f"k{n:08d}-{index}", created_by_id=staff["cashier"],
                        created_at=settled + timedelta(minutes=5 + index))
        follow_up_rows(out, care_rng, now, branch_id, order_id, vehicle_id, settled, n)
    out.flush()
    for (part_id, warehouse_id), on_hand in stock.items():
        out.add(StockBalance, branch_id=branch_id, part_id=part_id, warehouse_id=warehouse_id, on_hand=on_hand,
                average_cost=Decimal("0.0000"))
    out.flush()
    session.commit()
    return dict(out.counts)


def reset_sequences(session: Session) -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's sequences past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in SQLModel.metadata.sorted_tables:
        if "id" in table.c:
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                 f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))
    session.execute(text("ANALYZE"))
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=60_000)
    parser.add_argument("--url", help="database URL of an EMPTY database (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    rng = random.Random(11)
    now = utc_now()
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        counts = seed(session, args.orders, rng, now)
        reset_sequences(session)
        seed_s = round(time.perf_counter() - started, 2)
        manager = session.exec(select(User).where(User.username == "manager")).one()
        yesterday = local_day(now) - timedelta(days=1)
        month_end = local_day(now).replace(day=1) - timedelta(days=1)
        busiest = session.exec(select(WorkOrder.vehicle_id, func.count()).group_by(WorkOrder.vehicle_id)
                               .order_by(func.count().desc()).limit(1)).one()[0]
        sample = session.get(Vehicle, session.exec(select(func.count()).select_from(Vehicle)).one() // 2)
        day = figures.daily_figures(session, manager, yesterday)
        month = satisfaction.satisfaction(session, manager, month_end.replace(day=1), month_end)
        analysis = churn.churn_analysis(session, manager, local_day(now))
        result = {
            "engine": engine.dialect.name,
            "seed_s": seed_s,
            "rows": {**counts, "job_and_parts_lines": counts.get("job_line", 0) + counts.get("part_line", 0)},
            "figures_day": str(yesterday),
            "figures_day_settled": day.current.orders_settled,
            "daily_figures_ms": median_ms(lambda: figures.daily_figures(session, manager, yesterday)),
            "tech_report_ms": median_ms(lambda: reports.technician_performance(
                session, manager, month_end.replace(day=1), month_end)),
            "vehicle_history_ms": median_ms(lambda: work_orders.vehicle_orders(session, manager, busiest)),
            "plate_search_ms": median_ms(lambda: reports.search_orders(
                session, manager, plate_fragment=sample.plate[-4:])),
            # One owner per vehicle, so the busiest vehicle's owner is the customer with the longest file.
            "customer_file_orders": len(customers.customer_file(session, manager, busiest).orders),
            "customer_file_ms": median_ms(lambda: customers.customer_file(session, manager, busiest)),
            "customer_search_ms": median_ms(lambda: customers.find_customers(session, manager, sample.plate[-4:])),
            "satisfaction_month_answered": month.overall.answered,
            "satisfaction_month_ms": median_ms(lambda: satisfaction.satisfaction(
                session, manager, month_end.replace(day=1), month_end)),
            "churn_customers": len(analysis.customers),
            "churn_at_risk": len(analysis.at_risk),
            "churn_ms": median_ms(lambda: churn.churn_analysis(session, manager, local_day(now)), repeats=5),
        }
    engine.dispose()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
