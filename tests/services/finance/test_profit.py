"""月度利润 on generated data, to the fen: revenue by kind − discounts − VAT − parts cost − expenses (paid ones and
the storeroom's internal use) per shop month; and the daily figures' money position."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import select, update

from lantong_pwa.errors import PermissionDenied
from lantong_pwa.services.finance import cash_book, expense_categories, expenses, open_items, profit
from lantong_pwa.services.finance.expenses import ExpenseRequest
from lantong_pwa.services.platform import figures
from lantong_pwa.timezone import SHOP_TZ
from models import (
    Direction,
    Expense,
    ExpenseCategory,
    OpenItemSource,
    PartyKind,
    Role,
    SettlementStatus,
    StockIssue,
    StockIssueKind,
    StockMove,
    StockMoveKind,
    Transfer,
    TransferStatus,
    TransferStep,
    Warehouse,
    WorkOrderStatus,
)
from tests.conftest import refusal
from tests.factories import add_part, add_vehicle
from tests.services.finance.test_expenses import add_user
from tests.services.platform.test_figures import add_order, add_settlement

D = Decimal
YEAR = 2025
FEN = Decimal("0.01")


def shop_time(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=SHOP_TZ).astimezone(UTC)


def money(rng: random.Random, top: int) -> Decimal:
    return (Decimal(rng.randint(0, top * 100)) * FEN).quantize(FEN)


@pytest.fixture
def generated(session, shop):
    """A year of settlements (some reopened, some on a month's edge), paid expenses and internal use, and the
    profit each month should show, summed by hand."""
    rng = random.Random(17)
    expense_categories.seed_defaults(session, shop.branch.id)
    cash_book.ensure_accounts(session, shop.branch.id)
    session.flush()
    cash = cash_book.accounts(session, shop.manager)[0]
    cash_book.set_opening_balance(session, shop.manager, cash.id, "1000000")
    category = session.exec(select(ExpenseCategory).where(ExpenseCategory.branch_id == shop.branch.id,
                                                          ExpenseCategory.name == "办公用品")).one()
    warehouse = Warehouse(branch_id=shop.branch.id, code="MAIN", name="主仓库")
    session.add(warehouse)
    vehicle = add_vehicle(session, shop.branch.id)
    far = add_vehicle(session, shop.other_branch.id, plate="粤A99999", mobile="13800138009")
    expected = {m: D("0.00") for m in range(1, 13)}
    revenue = {m: [D("0.00")] * 3 for m in range(1, 13)}
    for n in range(120):
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        hour = rng.choice([0, 10, 23])  # 00:xx in Shanghai is the previous day in UTC
        order = add_order(session, vehicle, shop.advisor, f"WX{n:04d}", shop_time(month, day, hour),
                          WorkOrderStatus.CLOSED)
        labor, parts, other = money(rng, 800), money(rng, 1500), money(rng, 100)
        discount, cost = money(rng, 50), money(rng, 900)
        reopened = rng.random() < 0.1
        settlement = add_settlement(session, order, shop.cashier, shop_time(month, day, hour), labor=str(labor),
                                    parts=str(parts), other=str(other), discount=str(discount),
                                    customer=str(labor + parts + other - discount), parts_cost=str(cost),
                                    status=SettlementStatus.REOPENED if reopened else SettlementStatus.ACTIVE)
        vat = money(rng, 200)
        settlement.vat_amount = vat
        session.add(settlement)
        if not reopened:
            expected[month] += labor + parts + other - discount - vat - cost
            revenue[month] = [a + b for a, b in zip(revenue[month], (labor, parts, other), strict=True)]
    # Another branch's settlement never counts.
    far_order = add_order(session, far, shop.other_branch_advisor, "WX9999", shop_time(3, 3), WorkOrderStatus.CLOSED)
    add_settlement(session, far_order, shop.other_branch_advisor, shop_time(3, 3), labor="777", customer="777")
    approver = add_user(session, shop, Role.MANAGER, "manager2")
    for n in range(30):
        month, amount = rng.randint(1, 12), money(rng, 500) + FEN
        asked = expenses.request_expense(session, shop.advisor, ExpenseRequest(
            category_id=category.id, amount=str(amount), payee="某店", request_key=str(uuid.uuid4())))
        outcome = rng.choice(["paid", "paid", "approved", "rejected"])
        if outcome == "rejected":
            expenses.reject(session, approver, asked.id, "不合规")
            continue
        expenses.approve(session, approver, asked.id)
        if outcome == "paid":
            expenses.pay(session, shop.cashier, asked.id, cash.id, str(uuid.uuid4()))
            session.execute(update(Expense).where(Expense.id == asked.id).values(
                paid_at=shop_time(month, rng.randint(1, 28), rng.choice([0, 12]))))
            expected[month] -= amount
    for n in range(20):
        month, total = rng.randint(1, 12), money(rng, 300) + FEN
        session.add(StockIssue(branch_id=shop.branch.id, number=f"CK{n:04d}", kind=StockIssueKind.INTERNAL_USE,
                               warehouse_id=warehouse.id, expense_category_id=category.id, total=total,
                               user_id=shop.parts_clerk.id, request_key=f"k{n}",
                               created_at=shop_time(month, rng.randint(1, 28), rng.choice([0, 12]))))
        expected[month] -= total
    session.commit()
    return expected, revenue


def test_the_months_profit_to_the_fen(session, shop, generated):
    expected, revenue = generated
    result = profit.monthly_profit(session, shop.manager, YEAR)
    assert {m.month: m.profit for m in result.months} == expected
    assert {m.month: [m.labor, m.parts, m.other] for m in result.months} == revenue
    assert result.total.profit == sum(expected.values(), D("0.00"))
    for month in result.months:
        assert month.profit == (month.labor + month.parts + month.other - month.order_discount - month.vat
                                - month.parts_cost - month.expenses - month.internal_use - month.stock_losses)
    assert [label for label, _ in profit.LINES][-1] == "利润"
    assert profit.monthly_profit(session, shop.manager, YEAR + 1).total.profit == 0


def test_stocktakes_and_write_offs_in_transit_are_the_sending_branchs_loss(session, shop):
    """A count's shortfall less its surplus at the ledger's value; goods written off in transit count against the
    branch that sent them (they were still its own), in the month of the write-off."""
    here = Warehouse(branch_id=shop.branch.id, code="MAIN", name="主仓库")
    there = Warehouse(branch_id=shop.other_branch.id, code="MAIN", name="主仓库")
    session.add_all([here, there])
    part = add_part(session, shop.branch.id)
    session.flush()
    for value, kind in ((D("-300.00"), StockMoveKind.STOCKTAKE), (D("40.00"), StockMoveKind.STOCKTAKE),
                        (D("-99.00"), StockMoveKind.PICK)):
        session.add(StockMove(branch_id=shop.branch.id, part_id=part.id, warehouse_id=here.id, kind=kind,
                              quantity=D("1") if value > 0 else D("-1"), unit_cost=abs(value), value_change=value,
                              user_id=shop.parts_clerk.id, created_at=shop_time(3, 9)))
    for n, (sender, receiver, warehouse) in enumerate(((shop.branch, shop.other_branch, there),
                                                        (shop.other_branch, shop.branch, here))):
        transfer = Transfer(branch_id=sender.id, number=f"DB{n}", from_branch_id=sender.id, to_branch_id=receiver.id,
                            to_warehouse_id=warehouse.id, status=TransferStatus.RECEIVED,
                            created_by_id=shop.parts_clerk.id)
        session.add(transfer)
        session.flush()
        session.add(TransferStep(transfer_id=transfer.id, kind="write_off", user_id=shop.manager.id,
                                 value=D("240.00"), request_key=f"w{n}", created_at=shop_time(5, 2)))
    session.commit()
    months = profit.monthly_profit(session, shop.manager, YEAR).months
    assert [m.stock_losses for m in months[2:5]] == [D("260.00"), D("0.00"), D("240.00")]
    assert months[4].profit == D("-240.00")


def test_only_the_manager_and_admin_see_the_profit(session, shop):
    assert profit.monthly_profit(session, shop.admin, YEAR).total.settlements == 0
    for role in ("cashier", "advisor", "parts_clerk", "technician"):
        with refusal(session, PermissionDenied):
            profit.monthly_profit(session, shop.users[role], YEAR)


def test_the_daily_figures_show_receivables_payables_and_the_cash_position(session, shop):
    cash_book.ensure_accounts(session, shop.branch.id)
    cash_book.ensure_accounts(session, shop.other_branch.id)
    session.flush()
    mine = {a.name: a for a in cash_book.accounts(session, shop.manager)}
    cash_book.set_opening_balance(session, shop.manager, mine["现金"].id, "1200.50")
    cash_book.set_opening_balance(session, shop.manager, mine["基本户"].id, "30000")
    today = date(2026, 11, 20)
    now = datetime(2026, 11, 20, 20, 0, tzinfo=SHOP_TZ).astimezone(UTC)

    def item(branch, kind, direction, source, n, amount, due):
        open_items.add_item(session, branch_id=branch.id, party_kind=kind, party_id=1, direction=direction,
                            source=source, source_id=n, number=f"N{n}", amount=D(amount), document_date=today,
                            due=due)

    item(shop.branch, PartyKind.CUSTOMER, Direction.RECEIVABLE, OpenItemSource.ON_ACCOUNT, 1, "500", date(2026, 11, 1))
    item(shop.branch, PartyKind.INSURER, Direction.RECEIVABLE, OpenItemSource.INSURANCE_SHARE, 2, "800", today)
    item(shop.branch, PartyKind.CUSTOMER, Direction.RECEIVABLE, OpenItemSource.PARTY_PAYMENT, 3, "-50", today)
    item(shop.branch, PartyKind.SUPPLIER, Direction.PAYABLE, OpenItemSource.GOODS_RECEIPT, 4, "2000", today)
    item(shop.other_branch, PartyKind.SUPPLIER, Direction.PAYABLE, OpenItemSource.GOODS_RECEIPT, 5, "99", today)
    session.commit()
    position = figures.daily_figures(session, shop.manager, today, now=now).position
    assert (position.receivable, position.overdue_receivable, position.payable) == (
        D("1250.00"), D("500.00"), D("2000.00"))
    assert position.accounts == [("现金", D("1200.50")), ("基本户", D("30000.00")), ("微信商户", D("0.00")),
                                 ("支付宝商户", D("0.00"))]
    assert position.cash_total == D("31200.50")
    everywhere = figures.daily_figures(session, shop.admin, today, now=now).position
    assert everywhere.payable == D("2099.00")
    assert everywhere.accounts[0] == ("现金", D("1200.50")) and len(everywhere.accounts) == 4
