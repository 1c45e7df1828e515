"""费用 screens driven as a browser would: ask (a double tap asks once, told once), the buttons each person gets, approve
and pay into the journal, the categories, the statistics and their Excel route, 月度利润 and the figures' money
position."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from lantong_pwa.services.finance import cash_book, expense_categories, expenses
from lantong_pwa.timezone import local_day
from models import Expense, ExpenseCategory, JournalEntry
from models.common import utc_now
from state.finance.expenses import (
    ExpenseCategoriesState,
    ExpenseDetailState,
    ExpensesState,
    ExpenseStatisticsState,
    ProfitState,
)
from state.platform.figures import FiguresState
from state.platform.session import nav_for
from tests.state.harness import drive, is_toast, make_state, redirects_in, token_for
from tests.test_api_routes import client, signed_in  # noqa: F401 - the route client fixture


@pytest.fixture
def scene(app_engine, shop, session):
    expense_categories.seed_defaults(session, shop.branch.id)
    cash_book.ensure_accounts(session, shop.branch.id)
    session.flush()
    cash = cash_book.accounts(session, shop.manager)[0]
    cash_book.set_opening_balance(session, shop.manager, cash.id, "500")
    session.commit()
    category = session.exec(select(ExpenseCategory).where(ExpenseCategory.branch_id == shop.branch.id,
                                                          ExpenseCategory.name == "办公用品")).one()
    return dict(shop=shop, cash=cash, category=category)


def screen(session, user) -> ExpensesState:
    return make_state(ExpensesState, token=token_for(session, user), path="/finance/expenses")


def detail(session, user, expense_id) -> ExpenseDetailState:
    return make_state(ExpenseDetailState, token=token_for(session, user), path=f"/finance/expenses/{expense_id}",
                      route="/finance/expenses/[expense_id]", query={"expense_id": str(expense_id)})


def test_ask_approve_and_pay_with_the_buttons_each_person_gets(session, scene):
    shop = scene["shop"]
    s = screen(session, shop.advisor)
    assert drive(s.load()) is None and s.error == ""
    assert [name for _id, name in s.categories][:2] == ["店内耗材", "洗车房"] and s.approval_amount == "2000.00"
    assert s.sees_all is False and s.can_settle is False
    form = {"category_id": str(scene["category"].id), "amount": "120", "payee": "文具店", "note": "打印纸",
            "request_key": s.request_key}
    told = drive(s.request(form))
    assert is_toast(told, "success") and s.errors == {}
    assert drive(s.request(form)) is None  # the form's second submit: one expense, one toast
    assert session.exec(select(func.count()).select_from(Expense)).one() == 1
    assert [(r.amount, r.status) for r in s.rows] == [("¥120.00", "待审批")]
    expense_id = session.exec(select(Expense.id)).one()
    bad = drive(s.request({"category_id": "", "amount": "x", "payee": "", "request_key": s.request_key}))
    assert is_toast(bad, "error") and set(s.errors) == {"category_id", "amount", "payee"}

    mine = detail(session, shop.advisor, expense_id)
    drive(mine.load())
    assert mine.found and mine.actions == ["withdraw"] and not mine.can_approve and mine.accounts == []
    cashier = detail(session, shop.cashier, expense_id)
    drive(cashier.load())
    assert cashier.actions == [] and not cashier.can_pay

    manager = detail(session, shop.manager, expense_id)
    drive(manager.load())
    assert manager.actions == ["approve", "reject"] and manager.expense.tier == "一级审批"
    assert is_toast(drive(manager.approve()), "success") and manager.expense.status == "已批准"
    assert drive(manager.approve()) is None  # a double tap: approved once, told once
    assert manager.actions == ["pay"]  # a manager may pay too

    drive(cashier.load())
    assert cashier.can_pay and cashier.accounts[0][1].startswith("现金")
    key = cashier.pay_key
    assert is_toast(drive(cashier.pay({"account_id": str(scene["cash"].id), "request_key": key})), "success")
    assert drive(cashier.pay({"account_id": str(scene["cash"].id), "request_key": key})) is None  # told once
    assert cashier.expense.status == "已支付" and "现金" in cashier.expense.paid and cashier.actions == []
    entries = session.exec(select(JournalEntry).where(JournalEntry.document_type == "expense")).all()
    assert [e.amount for e in entries] == [-120]


def test_a_refusal_stays_by_its_field(session, scene):
    shop = scene["shop"]
    s = screen(session, shop.advisor)
    drive(s.load())
    drive(s.request({"category_id": str(scene["category"].id), "amount": "900", "payee": "某店",
                     "request_key": s.request_key}))
    expense_id = session.exec(select(Expense.id)).one()
    manager = detail(session, shop.manager, expense_id)
    drive(manager.load())
    drive(manager.reject({"reason": ""}))
    assert manager.errors == {"reason": "请填写驳回原因"} and manager.expense.status == "待审批"
    drive(manager.approve())
    cashier = detail(session, shop.cashier, expense_id)
    drive(cashier.load())
    drive(cashier.pay({"account_id": str(scene["cash"].id), "request_key": cashier.pay_key}))
    assert "不够支付" in cashier.errors["account_id"] and cashier.expense.status == "已批准"


def test_the_manager_sets_the_amount_and_keeps_the_categories(session, scene):
    shop = scene["shop"]
    s = screen(session, shop.manager)
    drive(s.load())
    assert s.can_settle and s.sees_all
    assert is_toast(drive(s.set_approval_amount({"approval_amount": "800"})), "success")
    assert s.approval_amount == "800.00"
    drive(s.set_approval_amount({"approval_amount": "-1"}))
    assert "approval_amount" in s.setting_errors

    c = make_state(ExpenseCategoriesState, token=token_for(session, shop.manager), path="/finance/expense-categories")
    drive(c.load())
    assert len(c.rows) == 6
    assert is_toast(drive(c.add({"name": "水电费", "kind": "other"})), "success")
    added = next(r for r in c.rows if r.name == "水电费")
    c.start_rename(added.id)
    drive(c.rename({"name": "水电燃气"}))
    assert c.editing == "" and any(r.name == "水电燃气" for r in c.rows)
    drive(c.set_active(added.id, False))
    assert not next(r for r in c.rows if r.id == added.id).active
    drive(s.load())
    assert "水电燃气" not in [name for _id, name in s.categories]


def test_statistics_profit_and_the_excel_route(session, scene, client):  # noqa: F811
    shop = scene["shop"]
    asked = expenses.request_expense(session, shop.advisor, expenses.ExpenseRequest(
        category_id=scene["category"].id, amount="88.80", payee="快递", request_key="k"))
    expenses.approve(session, shop.manager, asked.id)
    expenses.pay(session, shop.cashier, asked.id, scene["cash"].id, "p")
    session.commit()
    year = local_day(utc_now()).year
    stats = make_state(ExpenseStatisticsState, token=token_for(session, shop.cashier),
                       path="/finance/expense-statistics")
    drive(stats.load())
    assert stats.year == str(year) and stats.rows[0].name == "办公用品" and stats.rows[0].total == "¥88.80"
    assert stats.export_url == f"/api/expenses/statistics.xlsx?year={year}"
    response = client.get("/api/expenses/statistics.xlsx", params={"year": year},
                          headers=signed_in(session, shop.cashier))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == expenses.STATISTICS_HEADERS and rows[1][0] == "办公用品" and float(rows[1][-1]) == 88.8
    refused = client.get("/api/expenses/statistics.xlsx", headers=signed_in(session, shop.advisor))
    assert refused.status_code == 403

    p = make_state(ProfitState, token=token_for(session, shop.manager), path="/finance/profit")
    drive(p.load())
    assert p.year == str(year) and [line.label for line in p.lines][-1] == "利润"
    assert p.lines[-1].total == "¥-88.80"
    drive(p.choose_year("1999"))
    assert p.error == "请选择年份"
    cashier = make_state(ProfitState, token=token_for(session, shop.cashier), path="/finance/profit")
    assert redirects_in(drive(cashier.load()))

    figures = make_state(FiguresState, token=token_for(session, shop.manager), path="/figures")
    drive(figures.load())
    assert dict(map(tuple, figures.position))["资金合计"] == "¥411.20"
    assert figures.account_balances[0] == ["现金", "¥411.20"]


def test_who_gets_the_expense_pages(session, scene):
    shop = scene["shop"]
    for role in ("advisor", "cashier", "parts_clerk", "manager", "admin"):
        assert "/finance/expenses" in [path for path, _label in nav_for(role)], role
    assert "/finance/expenses" not in [path for path, _label in nav_for("technician")]
    assert [p for p, _l in nav_for("manager") if p == "/finance/profit"] == ["/finance/profit"]
    s = screen(session, shop.technician)
    assert redirects_in(drive(s.load()))
    stats = make_state(ExpenseStatisticsState, token=token_for(session, shop.advisor),
                       path="/finance/expense-statistics")
    assert redirects_in(drive(stats.load()))
