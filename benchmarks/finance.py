"""The books of a busy branch: ``python -m benchmarks.finance [--settlements N] [--url DATABASE_URL] [--only m1,m2]``.

``generate`` writes three years of one branch's money into a fresh database (default: 60,000 settled orders paid in
cash, by card, WeChat, Alipay or on account; the insurers' and manufacturers' shares of some of them; 200 suppliers'
goods receipts, returns and payments; customers', insurers' and manufacturers' collections), every document with its
open item, the allocations that settled the items and the money accounts' journal with running balances, so that
about 10,000 items are still open; a cashier's shift closed every evening. Then each function in ``MEASURES`` times
what a screen calls and adds its figures: the ageing of all parties (target ≤ 200 ms on SQLite), one party's
statement for a month (≤ 50 ms), a cashier's daily close (≤ 50 ms) and a receipt (收款) allocated oldest first.
Prints one JSON object with median milliseconds; every measure's writes are rolled back.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, update
from sqlmodel import Session, select

from benchmarks.intake import median_ms
from benchmarks import harness
from benchmarks.workshop import Writer
from lantong_pwa.services.finance import ageing, cash_close, collecting, statements
from lantong_pwa.services.finance.party_payments import PaymentRequest
from lantong_pwa.services.finance.open_items import due_on
from lantong_pwa.timezone import SHOP_TZ, local_day
from models import (
    Allocation,
    Branch,
    CashClose,
    Counterparty,
    Customer,
    Direction,
    JournalEntry,
    MethodAccount,
    MoneyAccount,
    OpenItem,
    PartyKind,
    PartyPayment,
    Payment,
    Role,
    Settlement,
    Supplier,
    User,
    Vehicle,
    WorkOrder,
)
from models.common import utc_now

DAYS = 3 * 365
D0 = Decimal("0.00")
METHODS = ("cash",) * 4 + ("bank_card",) * 2 + ("wechat",) * 5 + ("alipay",) * 4
OPEN_DAYS = 75  # items of the last 75 days are open; older ones were paid at a month's end …
UNPAID = 0.31  # … except this share, still open (overdue): about 10,000 open items in all
# Parents before children, so foreign keys hold at every flush.
ORDER = (Branch, User, MoneyAccount, MethodAccount, Customer, Vehicle, Supplier, Counterparty, WorkOrder, Settlement,
         Payment, PartyPayment, OpenItem, Allocation, JournalEntry, CashClose)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=SHOP_TZ).astimezone(UTC) + timedelta(
        minutes=rng.randint(9 * 60, 17 * 60))


class Books:
    """The generated history's open items, allocations and journal, kept the way the services keep them."""

    def __init__(self, out: Writer, branch_id: int, user_id: int, accounts: dict[str, int]):
        self.out, self.branch_id, self.user_id, self.accounts = out, branch_id, user_id, accounts
        self.balances = {account_id: D0 for account_id in set(accounts.values())}

    def money(self, method: str, amount: Decimal, document: tuple[str, int], at: datetime, summary: str) -> None:
        account_id = self.accounts.get(method)
        if account_id is None:
            return
        self.balances[account_id] += amount
        self.out.add(JournalEntry, branch_id=self.branch_id, account_id=account_id, amount=amount,
                     balance_after=self.balances[account_id], document_type=document[0], document_id=document[1],
                     summary=summary, user_id=self.user_id, created_at=at)

    def item(self, party: tuple[str, int], direction: str, source: str, source_id: int, number: str,
             amount: Decimal, day: date, due: date, at: datetime, open_amount: Decimal | None = None) -> int:
        return self.out.add(OpenItem, branch_id=self.branch_id, party_kind=party[0], party_id=party[1],
                            direction=direction, source=source, source_id=source_id, number=number, amount=amount,
                            open_amount=amount if open_amount is None else open_amount, document_date=day,
                            due_on=due, created_at=at)

    def settle(self, debits: list[tuple[int, Decimal]], credit_id: int, at: datetime) -> None:
        """Allocate a credit's whole amount over ``debits`` (item, amount) oldest first."""
        for debit_id, amount in debits:
            self.out.add(Allocation, branch_id=self.branch_id, debit_item_id=debit_id, credit_item_id=credit_id,
                         amount=amount, user_id=self.user_id, created_at=at)


def generate(session: Session, *, settlements: int = 60_000, suppliers: int = 200, seed: int = 17,
             now: datetime | None = None) -> dict:
    """Write the branch's three years ending ``now``; returns the row counts."""
    rng = random.Random(seed)
    now = now or utc_now()
    today = local_day(now)
    first = today - timedelta(days=DAYS)
    out = Writer(session, ORDER)
    branch_id = out.add(Branch, code="B1", name="基准门店", vat_rate=Decimal("13.00"), address="", phone="",
                        created_at=now)
    staff = {username: out.add(User, username=username, display_name=username, password_hash="x", role=role,
                               branch_id=branch_id, is_active=True, created_at=now)
             for username, role in (("manager", Role.MANAGER), ("cashier", Role.CASHIER),
                                    ("advisor", Role.ADVISOR))}
    accounts = {}
    for kind, name, methods in (("cash", "现金", ("cash",)), ("bank", "基本户", ("bank_card", "bank_transfer")),
                                ("wechat", "微信商户", ("wechat",)), ("alipay", "支付宝商户", ("alipay",))):
        account_id = out.add(MoneyAccount, branch_id=branch_id, kind=kind, name=name, account_number="", balance=D0,
                             is_active=True, created_at=now)
        for method in methods:
            out.add(MethodAccount, branch_id=branch_id, method=method, account_id=account_id)
            accounts[method] = account_id
    books = Books(out, branch_id, staff["cashier"], accounts)

    customers = []
    for n in range(1, settlements // 6 + 1):
        fleet = n <= 150
        customer_id = out.add(Customer, branch_id=branch_id, name=f"{'车队' if fleet else '客户'}{n}",
                              mobile=f"13{n:09d}", kind="fleet" if fleet else "individual", notes="",
                              credit_limit=Decimal("50000.00") if fleet else D0, terms="monthly" if fleet else "cash",
                              terms_days=30 if fleet else 0, created_at=now)
        vehicle_id = out.add(Vehicle, branch_id=branch_id, customer_id=customer_id, plate=f"粤B{n:05d}",
                             vin=f"LBV{n:014d}", make="大众", model="朗逸", colour="", engine_no="", insurer="",
                             mileage=10000, qr_token=f"t{n:031d}", created_at=now)
        customers.append((customer_id, vehicle_id, fleet))
    fleets = [c for c in customers if c[2]]
    supplier_ids = [out.add(Supplier, branch_id=branch_id, code=f"S{n:03d}", name=f"供应商{n}", contact="", phone="",
                            address="", tax_id="", bank_account="", terms=rng.choice(("cash", "monthly", "days")),
                            terms_days=30, is_active=True, created_at=now) for n in range(1, suppliers + 1)]
    claimants = {kind: [out.add(Counterparty, branch_id=branch_id, kind=kind, name=f"{label}{n}", contact="",
                                phone="", address="", tax_id="", terms="monthly", terms_days=30, is_active=True,
                                created_at=now) for n in range(1, 11)]
                 for kind, label in (("insurer", "保险公司"), ("manufacturer", "厂家"))}

    # Open receivables and payables by party, oldest first: (item id, open amount, document day)
    debts: dict[tuple[str, int, str], list[list]] = {}

    def owe(party: tuple[str, int], direction: str, item_id: int, amount: Decimal, day: date) -> None:
        if rng.random() >= UNPAID:
            debts.setdefault((*party, direction), []).append([item_id, amount, day])

    def pay_off(party: tuple[str, int], direction: str, upto: date, day: date, method: str, number: str) -> None:
        """One payment of what a party owed on documents up to ``upto``, allocated oldest first."""
        queue = debts.get((*party, direction), [])
        due = [entry for entry in queue if entry[2] <= upto]
        total = sum((entry[1] for entry in due), D0)
        if total <= 0:
            return
        at = _at(day, rng)
        payment_id = out.add(PartyPayment, branch_id=branch_id, number=number, party_kind=party[0],
                             party_id=party[1], direction=direction, method=method, amount=total, reference="",
                             note="", user_id=staff["cashier"], request_key=str(uuid.UUID(int=rng.getrandbits(128))),
                             created_at=at)
        credit_id = books.item(party, direction, "party_payment", payment_id, number, -total, day, day, at,
                               open_amount=D0)
        books.settle([(entry[0], entry[1]) for entry in due], credit_id, at)
        books.money(method, total if direction == "receivable" else -total, ("party_payment", payment_id), at,
                    f"{'收款' if direction == 'receivable' else '付款'} {number}")
        debts[(*party, direction)] = [entry for entry in queue if entry[2] > upto]

    numbers = {"settlement": 0, "payment": 0, "receipt": 0, "party_payment": 0}

    def number(kind: str, prefix: str) -> str:
        numbers[kind] += 1
        return f"{prefix}{numbers[kind]:08d}"

    per_day = settlements / DAYS
    carry = 0.0
    for offset in range(DAYS + 1):
        day = first + timedelta(days=offset)
        carry += per_day
        today_count, carry = int(carry), carry - int(carry)
        for _ in range(today_count):
            customer_id, vehicle_id, fleet = (rng.choice(fleets) if rng.random() < 0.15
                                               else rng.choice(customers))
            at = _at(day, rng)
            order_id = out.add(WorkOrder, branch_id=branch_id, number=number("settlement", "WX"), status="closed",
                               vehicle_id=vehicle_id, customer_id=customer_id, advisor_id=staff["advisor"],
                               mileage_in=10000, fuel_level=2, complaint="保养", discount=D0, qc_note="",
                               unpicked_parts_reason="", created_at=at, updated_at=at, settled_at=at, closed_at=at)
            amount = Decimal(rng.randint(8_000, 300_000)) / 100
            insurance = Decimal(rng.randint(50_000, 800_000)) / 100 if rng.random() < 0.04 else D0
            warranty = Decimal(rng.randint(20_000, 200_000)) / 100 if rng.random() < 0.03 else D0
            settlement_id = out.add(
                Settlement, branch_id=branch_id, work_order_id=order_id, number=f"JS{numbers['settlement']:08d}",
                status="active", labor_total=amount, parts_total=insurance + warranty, other_total=D0,
                gross=amount + insurance + warranty, order_discount=D0, customer_amount=amount, paid_amount=amount,
                warranty_amount=warranty, insurance_amount=insurance, internal_amount=D0, vat_rate=Decimal("13.00"),
                vat_amount=(amount * 13 / 113).quantize(Decimal("0.01")), parts_cost=D0, billed_hours=D0,
                created_by_id=staff["cashier"], created_at=at)
            method = "on_account" if fleet and rng.random() < 0.8 else rng.choice(METHODS)
            payment_number = number("payment", "SK")
            payment_id = out.add(Payment, branch_id=branch_id, settlement_id=settlement_id, number=payment_number,
                                 method=method, amount=amount, tendered=None, change=D0,
                                 request_key=f"k{numbers['payment']}", created_by_id=staff["cashier"],
                                 created_at=at + timedelta(minutes=5))
            if method == "on_account":
                due = due_on("monthly", 30, day)
                item = books.item(("customer", customer_id), "receivable", "on_account", payment_id, payment_number,
                                  amount, day, due, at)
                owe(("customer", customer_id), "receivable", item, amount, day)
            else:
                books.money(method, amount, ("payment", payment_id), at, f"收款 {payment_number}")
            for share, kind, source in ((insurance, "insurer", "insurance_share"),
                                        (warranty, "manufacturer", "warranty_share")):
                if share:
                    party = rng.choice(claimants[kind])
                    item = books.item((kind, party), "receivable", source, settlement_id,
                                      f"JS{numbers['settlement']:08d}", share, day, due_on("monthly", 30, day), at)
                    owe((kind, party), "receivable", item, share, day)
        # Goods in from a few suppliers a day, and now and then a return
        for _ in range(rng.randint(8, 16)):
            supplier_id = rng.choice(supplier_ids)
            at = _at(day, rng)
            receipt_number = number("receipt", "RK")
            amount = Decimal(rng.randint(20_000, 1_500_000)) / 100
            item = books.item(("supplier", supplier_id), "payable", "goods_receipt", numbers["receipt"],
                              receipt_number, amount, day, due_on("monthly", 30, day), at)
            owe(("supplier", supplier_id), "payable", item, amount, day)
        # Month ends: fleets, insurers and manufacturers pay their month before last, suppliers are paid theirs
        if day.day == 25 and day < today - timedelta(days=OPEN_DAYS):
            upto = (day.replace(day=1) - timedelta(days=1)).replace(day=1) - timedelta(days=1)
            for party_kind, direction, ids, method in (
                    ("customer", "receivable", [f[0] for f in fleets], "bank_transfer"),
                    ("insurer", "receivable", claimants["insurer"], "bank_transfer"),
                    ("manufacturer", "receivable", claimants["manufacturer"], "bank_transfer"),
                    ("supplier", "payable", supplier_ids, "bank_transfer")):
                for party_id in ids:
                    pay_off((party_kind, party_id), direction, upto, day, method, number("party_payment", "FK"))
        # The cashier's evening close
        if day < today:
            evening = datetime.combine(day, datetime.min.time(), tzinfo=SHOP_TZ).astimezone(UTC) + timedelta(
                hours=19)
            out.add(CashClose, branch_id=branch_id, number=f"JB{offset:08d}", cashier_id=staff["cashier"],
                    account_id=accounts["cash"], shift_start=evening - timedelta(days=1) if offset else None,
                    expected=D0, counted=D0, reason="", status="closed", request_key=f"close-{offset}",
                    created_at=evening, closed_at=evening)
    out.flush()
    # What the allocations settled is no longer open
    allocated = (select(func.coalesce(func.sum(Allocation.amount), 0)).where(Allocation.debit_item_id == OpenItem.id)
                 .scalar_subquery())
    session.execute(update(OpenItem).where(OpenItem.amount > 0).values(open_amount=OpenItem.amount - allocated)
                    .execution_options(synchronize_session=False))
    for account_id, balance in books.balances.items():
        session.execute(update(MoneyAccount).where(MoneyAccount.id == account_id).values(balance=balance))
    session.commit()
    return dict(out.counts)


# --- the measures -------------------------------------------------------------------------------------------------


@dataclass
class Bench:
    """What the measures get: an open session on the generated database and who is asking."""

    session: Session
    manager: User
    cashier: User
    customer_id: int  # the fleet customer with the most items since last month began
    today: date


def ageing_all_parties(bench: Bench) -> dict:
    """The ageing of every party owing or owed, both directions, and of the receivables alone (the 应收 screen)."""
    rows, _ = ageing.ageing(bench.session, bench.manager, bench.today)
    return {"ageing_parties": len(rows),
            "ageing_open_items": bench.session.exec(select(func.count()).select_from(OpenItem)
                                                    .where(OpenItem.open_amount != 0)).one(),
            "ageing_all_parties_ms": median_ms(lambda: ageing.ageing(bench.session, bench.manager, bench.today)),
            "ageing_receivables_ms": median_ms(lambda: ageing.ageing(bench.session, bench.manager, bench.today,
                                                                     direction=Direction.RECEIVABLE))}


def party_month_statement(bench: Bench) -> dict:
    """Last month's statement of the fleet customer with the most items lately."""
    last_month = bench.today.replace(day=1) - timedelta(days=1)
    first, last = statements.month_period(f"{last_month:%Y-%m}")
    sheet = collecting.statement(bench.session, bench.manager, PartyKind.CUSTOMER, bench.customer_id, first, last)
    return {"statement_lines": len(sheet.lines),
            "party_month_statement_ms": median_ms(lambda: collecting.statement(
                bench.session, bench.manager, PartyKind.CUSTOMER, bench.customer_id, first, last))}


def cashier_daily_close(bench: Bench) -> dict:
    """The cashier's 交班 screen (today's shift: its payments by method) and the blind count."""
    session = bench.session

    def close():
        shift = cash_close.current_shift(session, bench.cashier)
        cash_close.count(session, bench.cashier, "0", str(uuid.uuid4()))
        session.rollback()
        return shift

    return {"close_shift_payments": len(close().payments), "cashier_close_ms": median_ms(close)}


def collect_oldest_first(bench: Bench) -> dict:
    """A ¥5,000 receipt from that customer, allocated to their items oldest first."""
    def receipt():
        collecting.collect(bench.session, bench.cashier, PartyKind.CUSTOMER, bench.customer_id,
                           PaymentRequest(method="bank_transfer", amount="5000", request_key=str(uuid.uuid4())))
        bench.session.rollback()

    return {"collect_oldest_first_ms": median_ms(receipt)}


MEASURES: list[Callable[[Bench], dict]] = [ageing_all_parties, party_month_statement, cashier_daily_close,
                                           collect_oldest_first]


def main() -> None:
    parser = harness.arguments()
    parser.add_argument("--settlements", type=int, default=60_000)
    parser.add_argument("--suppliers", type=int, default=200)
    args = parser.parse_args()

    def bench_of(session: Session, now: datetime) -> Bench:
        recent = local_day(now).replace(day=1) - timedelta(days=31)
        busiest = session.exec(select(OpenItem.party_id, func.count())
                               .where(OpenItem.party_kind == PartyKind.CUSTOMER, OpenItem.document_date >= recent)
                               .group_by(OpenItem.party_id).order_by(func.count().desc()).limit(1)).one()[0]
        return Bench(session=session, manager=session.exec(select(User).where(User.username == "manager")).one(),
                     cashier=session.exec(select(User).where(User.username == "cashier")).one(),
                     customer_id=busiest, today=local_day(now))

    harness.run(args, lambda session, now: generate(session, settlements=args.settlements, suppliers=args.suppliers,
                                                    now=now), bench_of, MEASURES)


if __name__ == "__main__":
    main()
