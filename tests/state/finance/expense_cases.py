"""Role-check cases for 费用 (``/finance/expenses``, one expense, the categories, the statistics) and 月度利润
(``/finance/profit``). Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES``."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.finance.expenses import (
    ExpenseCategoriesState,
    ExpenseDetailState,
    ExpensesState,
    ExpenseStatisticsState,
    ProfitState,
)
from tests.state.harness import drive, make_state

FORGED = 1  # an id a browser could set: the handlers must not trust it


def _expenses(cookie: str) -> ExpensesState:
    return make_state(ExpensesState, token=cookie, path="/finance/expenses")


def run_load(cookie, w):
    s = _expenses(cookie)
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/finance/expenses")
    assert s.rows == [] and s.waiting == [] and s.categories == [] and s.approval_amount == ""


def run_choose(cookie, w):
    s = _expenses(cookie)
    return s, drive(s.choose({"month": "2026-11", "status": ""}))


def refused_list(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.rows == [] and s.waiting == [] and s.total == ""


def run_request(cookie, w):
    s = _expenses(cookie)
    return s, drive(s.request({"category_id": str(FORGED), "amount": "10", "payee": "某人",
                               "request_key": "forged-expense"}))


def refused_request(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    assert s.rows == [] and s.categories == []


def run_set_amount(cookie, w):
    s = _expenses(cookie)
    return s, drive(s.set_approval_amount({"approval_amount": "1"}))


def refused_set_amount(s, result, w, visitor):
    visitor.was_told(s.setting_errors["form"])
    assert s.rows == [] and s.approval_amount == ""


def _detail(cookie: str) -> ExpenseDetailState:
    return make_state(ExpenseDetailState, token=cookie, path=f"/finance/expenses/{FORGED}",
                      route="/finance/expenses/[expense_id]", query={"expense_id": str(FORGED)})


def run_detail_load(cookie, w):
    s = _detail(cookie)
    return s, drive(s.load())


def refused_detail_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/finance/expenses/{FORGED}")
    assert s.found is False and s.expense.number == "" and s.actions == []


def _act(name: str, *args):
    def run(cookie, w):
        s = _detail(cookie)
        return s, drive(getattr(s, name)(*args))
    run.__name__ = f"run_{name}"
    return run


def refused_act(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    assert s.found is False and s.expense.number == "" and s.accounts == []


def _categories(cookie: str) -> ExpenseCategoriesState:
    return make_state(ExpenseCategoriesState, token=cookie, path="/finance/expense-categories")


def run_categories_load(cookie, w):
    s = _categories(cookie)
    return s, drive(s.load())


def refused_categories_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/finance/expense-categories")
    assert s.rows == []


def _category_change(name: str, *args, editing: str = ""):
    def run(cookie, w):
        s = _categories(cookie)
        s.editing = editing
        return s, drive(getattr(s, name)(*args))
    run.__name__ = f"run_category_{name}"
    return run


def refused_category_change(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    assert s.rows == []


def run_statistics_load(cookie, w):
    s = make_state(ExpenseStatisticsState, token=cookie, path="/finance/expense-statistics")
    return s, drive(s.load())


def refused_statistics_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/finance/expense-statistics")
    assert s.rows == [] and s.year == ""


def run_statistics_year(cookie, w):
    s = make_state(ExpenseStatisticsState, token=cookie, path="/finance/expense-statistics")
    return s, drive(s.choose_year("2026"))


def refused_statistics_year(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.rows == [] and s.year == ""


def run_profit_load(cookie, w):
    s = make_state(ProfitState, token=cookie, path="/finance/profit")
    return s, drive(s.load())


def refused_profit_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/finance/profit")
    assert s.lines == [] and s.year == ""


def run_profit_year(cookie, w):
    s = make_state(ProfitState, token=cookie, path="/finance/profit")
    return s, drive(s.choose_year("2026"))


def refused_profit_year(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.lines == [] and s.year == ""


CASES = [
    ("ExpensesState.load", P.REQUEST_EXPENSES, run_load, refused_load),
    ("ExpensesState.choose", P.REQUEST_EXPENSES, run_choose, refused_list),
    ("ExpensesState.request", P.REQUEST_EXPENSES, run_request, refused_request),
    ("ExpensesState.set_approval_amount", P.MANAGE_SETTINGS, run_set_amount, refused_set_amount),
    ("ExpenseDetailState.load", P.REQUEST_EXPENSES, run_detail_load, refused_detail_load),
    ("ExpenseDetailState.approve", P.APPROVE_EXPENSES, _act("approve"), refused_act),
    ("ExpenseDetailState.reject", P.APPROVE_EXPENSES, _act("reject", {"reason": "forged"}), refused_act),
    ("ExpenseDetailState.withdraw", P.REQUEST_EXPENSES, _act("withdraw"), refused_act),
    ("ExpenseDetailState.pay", P.PAY_EXPENSES, _act("pay", {"account_id": "1", "request_key": "forged-pay"}),
     refused_act),
    ("ExpenseCategoriesState.load", P.MANAGE_SETTINGS, run_categories_load, refused_categories_load),
    ("ExpenseCategoriesState.add", P.MANAGE_SETTINGS, _category_change("add", {"name": "房租", "kind": "other"}),
     refused_category_change),
    ("ExpenseCategoriesState.rename", P.MANAGE_SETTINGS,
     _category_change("rename", {"name": "新名称"}, editing=str(FORGED)), refused_category_change),
    ("ExpenseCategoriesState.set_active", P.MANAGE_SETTINGS, _category_change("set_active", str(FORGED), False),
     refused_category_change),
    ("ExpenseStatisticsState.load", P.VIEW_EXPENSES, run_statistics_load, refused_statistics_load),
    ("ExpenseStatisticsState.choose_year", P.VIEW_EXPENSES, run_statistics_year, refused_statistics_year),
    ("ProfitState.load", P.VIEW_FIGURES, run_profit_load, refused_profit_load),
    ("ProfitState.choose_year", P.VIEW_FIGURES, run_profit_year, refused_profit_year),
]
UI_ONLY: dict[str, tuple] = {
    "ExpenseCategoriesState.start_rename": ("1",),
    "ExpenseCategoriesState.cancel_rename": (),
}
