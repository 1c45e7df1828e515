"""Finance benchmark: a branch's three years of who owes what — 60,000 open items (customers' 挂账, insurers' and
manufacturers' shares, suppliers' receipts) of which 10,000 are still open, 800 customers, 200 suppliers, 10
insurers and 5 manufacturers.

``python -m benchmarks.finance [--items 60000] [--open 10000] [--url …] [--only m1,m2]`` prints one JSON object with
median milliseconds: the ageing of all parties (target ≤ 200 ms on SQLite), one customer's statement for a month
(≤ 50 ms), and a receipt (收款) allocated oldest first.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, func, select

from benchmarks import harness
from benchmarks.intake import median_ms
from benchmarks.workshop import Writer
from lantong_pwa.services.finance import ageing, cash_book, collecting, statements
from lantong_pwa.services.finance.party_payments import PaymentRequest
from lantong_pwa.timezone import local_day
from models import (
    Branch,
    Counterparty,
    Customer,
    CustomerKind,
    Direction,
    OpenItem,
    OpenItemSource,
    PartyKind,
    Role,
    Supplier,
    User,
)

ORDER = (Branch, User, Customer, Supplier, Counterparty, OpenItem)
DAYS = 3 * 365


def generate(session: Session, *, items: int, still_open: int, now: datetime, seed: int = 17) -> dict:
    """The branch, its parties and ``items`` open items over three years ending ``now``; the newest
    ``still_open`` of them (spread over the last 150 days) still open."""
    rng = random.Random(seed)
    today = local_day(now)
    out = Writer(session, ORDER)
    branch_id = out.add(Branch, code="B1", name="基准门店", vat_rate=Decimal("13.00"), address="", phone="",
                        created_at=now)
    for username, role in (("manager", Role.MANAGER), ("cashier", Role.CASHIER)):
        out.add(User, username=username, display_name=username, password_hash="x", role=role, branch_id=branch_id,
                is_active=True, created_at=now)
    customers = [out.add(Customer, branch_id=branch_id, name=f"车队{n}", mobile=f"139{n:08d}",
                         kind=CustomerKind.FLEET, notes="", credit_limit=Decimal("50000"), terms="days",
                         terms_days=30, sms_consent=False, webhook_consent=False, created_at=now)
                 for n in range(1, 801)]
    suppliers = [out.add(Supplier, branch_id=branch_id, code=f"S{n:03d}", name=f"供应商{n}", contact="", phone="",
                         address="", tax_id="", bank_account="", terms="days", terms_days=30, is_active=True,
                         created_at=now) for n in range(1, 201)]
    insurers = [out.add(Counterparty, branch_id=branch_id, kind=PartyKind.INSURER, name=f"保险{n}", contact="",
                        phone="", address="", tax_id="", terms="monthly", terms_days=30, is_active=True,
                        created_at=now) for n in range(1, 11)]
    makers = [out.add(Counterparty, branch_id=branch_id, kind=PartyKind.MANUFACTURER, name=f"厂家{n}", contact="",
                      phone="", address="", tax_id="", terms="monthly", terms_days=60, is_active=True,
                      created_at=now) for n in range(1, 6)]
    kinds = ((0.55, PartyKind.CUSTOMER, customers, Direction.RECEIVABLE, OpenItemSource.ON_ACCOUNT, 30),
             (0.65, PartyKind.INSURER, insurers, Direction.RECEIVABLE, OpenItemSource.INSURANCE_SHARE, 45),
             (0.70, PartyKind.MANUFACTURER, makers, Direction.RECEIVABLE, OpenItemSource.WARRANTY_SHARE, 75),
             (1.00, PartyKind.SUPPLIER, suppliers, Direction.PAYABLE, OpenItemSource.GOODS_RECEIPT, 30))
    for n in range(1, items + 1):
        is_open = n > items - still_open
        pick = rng.random()
        _, kind, parties, direction, source, terms = next(k for k in kinds if pick < k[0])
        day = today - timedelta(days=rng.randint(0, 150) if is_open else rng.randint(150, DAYS))
        amount = Decimal(rng.randint(5_000, 800_000)) / 100
        out.add(OpenItem, branch_id=branch_id, party_kind=kind, party_id=rng.choice(parties), direction=direction,
                source=source, source_id=n, number=f"D{n:07d}", amount=amount,
                open_amount=amount if is_open else Decimal("0.00"), document_date=day,
                due_on=day + timedelta(days=terms), created_at=now)
    out.flush()
    cash_book.ensure_accounts(session, branch_id)
    session.commit()
    return dict(out.counts)


@dataclass
class Bench:
    session: Session
    manager: User
    cashier: User
    customer_id: int  # the customer with the most items
    today: date


def ageing_all_parties(bench: Bench) -> dict:
    rows, _ = ageing.ageing(bench.session, bench.manager, bench.today)
    return {"ageing_parties": len(rows),
            "ageing_all_parties_ms": median_ms(lambda: ageing.ageing(bench.session, bench.manager, bench.today)),
            "ageing_receivables_ms": median_ms(lambda: ageing.ageing(bench.session, bench.manager, bench.today,
                                                                     direction=Direction.RECEIVABLE))}


def party_month_statement(bench: Bench) -> dict:
    last_month = bench.today.replace(day=1) - timedelta(days=1)
    first, last = statements.month_period(f"{last_month:%Y-%m}")
    sheet = collecting.statement(bench.session, bench.manager, PartyKind.CUSTOMER, bench.customer_id, first, last)
    return {"statement_lines": len(sheet.lines),
            "party_month_statement_ms": median_ms(lambda: collecting.statement(
                bench.session, bench.manager, PartyKind.CUSTOMER, bench.customer_id, first, last))}


def collect_oldest_first(bench: Bench) -> dict:
    keys = iter(range(1, 10**6))

    def receipt():
        collecting.collect(bench.session, bench.cashier, PartyKind.CUSTOMER, bench.customer_id,
                           PaymentRequest(method="bank_transfer", amount="5000", request_key=f"bench-{next(keys)}"))
        bench.session.rollback()

    return {"collect_oldest_first_ms": median_ms(receipt)}


MEASURES: list[Callable[[Bench], dict]] = [ageing_all_parties, party_month_statement, collect_oldest_first]


def main() -> None:
    parser = harness.arguments()
    parser.add_argument("--items", type=int, default=60_000)
    parser.add_argument("--open", type=int, default=10_000)
    args = parser.parse_args()

    def bench_of(session: Session, now: datetime) -> Bench:
        busiest = session.exec(select(OpenItem.party_id, func.count())
                               .where(OpenItem.party_kind == PartyKind.CUSTOMER, OpenItem.open_amount != 0)
                               .group_by(OpenItem.party_id).order_by(func.count().desc()).limit(1)).one()[0]
        return Bench(session=session, manager=session.exec(select(User).where(User.username == "manager")).one(),
                     cashier=session.exec(select(User).where(User.username == "cashier")).one(),
                     customer_id=busiest, today=local_day(now))

    harness.run(args, lambda session, now: generate(session, items=args.items, still_open=args.open, now=now),
                bench_of, MEASURES)


if __name__ == "__main__":
    main()
