"""费用 (F4): the month's expenses with the storeroom's internal use and what waits for the person
(``/finance/expenses``), asking for one, the approval amount; one expense with exactly the actions its service
allows (``/finance/expenses/<id>``); the categories (``/finance/expense-categories``); the statistics by category
and month (``/finance/expense-statistics``, Excel at ``/api/expenses/statistics.xlsx``); and 月度利润
(``/finance/profit``).

Every handler acts as the signed-in person; the services check the role, the branch and the rules again."""

from __future__ import annotations

import dataclasses
from datetime import date

import reflex as rx
from sqlmodel import Session

from lantong_pwa.errors import DomainError
from lantong_pwa.services.finance import cash_book, expense_categories, expenses, profit
from lantong_pwa.services.finance.expenses import ExpenseRequest
from lantong_pwa.services.platform.permissions import Permission, allows
from lantong_pwa.timezone import format_local, local_day
from models import AccountKind, ExpenseCategory, ExpenseKind, ExpenseStatus, MoneyAccount, User
from models.common import utc_now
from state.finance.payables import route_id
from state.platform.session import SessionState, new_request_key
from state.platform.views import money

STATUS_OPTIONS = [["", "全部"]] + [[s.value, s.label] for s in ExpenseStatus]
KIND_OPTIONS = [[k.value, k.label] for k in ExpenseKind]


def _today() -> date:
    return local_day(utc_now())


def _month(text: str) -> date:
    """``2026-12`` (the month input's value) as its first day; this month when empty."""
    raw = (text or "").strip()
    if not raw:
        return _today().replace(day=1)
    try:
        year, month = raw[:7].split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise DomainError("请选择月份", field="month") from None


def _year(text) -> int:
    raw = str(text or "").strip()
    if not raw:
        return _today().year
    if not (raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100):
        raise DomainError("请选择年份", field="year")
    return int(raw)


@dataclasses.dataclass
class ExpenseRow:
    number: str = ""
    when: str = ""
    category: str = ""
    amount: str = ""
    payee: str = ""
    status: str = ""
    requested_by: str = ""
    url: str = ""  # empty for internal use (nothing to open here)
    internal: bool = False


@dataclasses.dataclass
class WaitingRow:
    number: str = ""
    branch: str = ""
    category: str = ""
    amount: str = ""
    payee: str = ""
    status: str = ""
    url: str = ""


class ExpensesState(SessionState):
    """``/finance/expenses``: what waits for me, the month's list, and the request form."""

    month: str = ""  # 2026-12
    status: str = ""
    rows: list[ExpenseRow] = []
    total: str = ""
    waiting: list[WaitingRow] = []
    categories: list[list[str]] = []  # [[id, name]] of the active ones
    approval_amount: str = ""
    sees_all: bool = False
    can_settle: bool = False  # the categories and the approval amount
    request_key: str = ""
    errors: dict[str, str] = {}
    setting_errors: dict[str, str] = {}
    error: str = ""
    form_version: int = 0

    @rx.var
    def status_options(self) -> list[list[str]]:
        return STATUS_OPTIONS

    def _show(self, db: Session, actor: User | None, month: date, status: str) -> None:
        lines = expenses.month_list(db, actor, month, status=status)
        self.rows = [ExpenseRow(number=line.number, when=format_local(line.when, "%m-%d %H:%M"),
                                category=line.category, amount=money(line.amount), payee=line.payee,
                                status=line.status, requested_by=line.requested_by,
                                url=f"/finance/expenses/{line.expense_id}" if line.expense_id else "",
                                internal=line.expense_id is None) for line in lines]
        self.total = money(sum((line.amount for line in lines), expenses.ZERO))
        self.waiting = [WaitingRow(number=e.number, branch=branch, category=category, amount=money(e.amount),
                                   payee=e.payee, status=ExpenseStatus(e.status).label,
                                   url=f"/finance/expenses/{e.id}")
                        for e, category, branch in expenses.awaiting(db, actor)]
        self.categories = [[str(c.id), c.name] for c in expense_categories.active_categories(db, actor.branch_id)]
        self.approval_amount = f"{expenses.approval_amount(db, actor.branch_id):.2f}"
        self.sees_all = allows(actor, Permission.VIEW_EXPENSES)
        self.can_settle = allows(actor, Permission.MANAGE_SETTINGS)
        self.month, self.status = f"{month:%Y-%m}", status

    @rx.event
    async def load(self):
        self.errors, self.setting_errors, self.request_key = {}, {}, new_request_key()
        month = _today().replace(day=1)
        shown = await self._in_read(lambda db, actor: self._show(db, actor, month, ""),
                                    page=Permission.REQUEST_EXPENSES)
        if shown.redirect is not None:
            return shown.redirect
        self.error = "" if shown.ok else shown.error.message
        return None

    @rx.event
    async def choose(self, form: dict):
        """The month and status picked above the list."""
        status = str(form.get("status") or "")
        shown = await self._in_read(lambda db, actor: self._show(
            db, actor, _month(str(form.get("month") or "")),
            status if status in ExpenseStatus._value2member_map_ else ""))
        self.error = "" if shown.ok else shown.error.message
        return None

    @rx.event
    async def request(self, form: dict):
        """报销申请 with the key the form was drawn with: a double tap makes one expense, told once."""
        key = str(form.get("request_key") or self.request_key)
        resent = key != self.request_key
        asked = ExpenseRequest(category_id=form.get("category_id"), amount=str(form.get("amount", "")),
                               payee=str(form.get("payee", "")), note=str(form.get("note", "")), request_key=key)
        month, status = self.month, self.status

        def work(db, actor):
            made = expenses.request_expense(db, actor, asked)
            self._show(db, actor, _month(month), status)
            return made

        done = await self._in_unit(work)
        self.errors = done.field_errors
        if not done.ok:
            return rx.toast.error(done.error.message)
        self.request_key = new_request_key()
        self.form_version += 1
        if resent:
            return None
        made = done.value
        needs = "，超过审批金额需总部复核" if made.approvals_needed == 2 else ""
        return rx.toast.success(f"已提交 {made.number}，等待审批{needs}")

    @rx.event
    async def set_approval_amount(self, form: dict):
        amount = str(form.get("approval_amount", ""))
        month, status = self.month, self.status
        done = await self._in_unit(lambda db, actor: (expenses.set_approval_amount(db, actor, amount),
                                                      self._show(db, actor, _month(month), status)))
        self.setting_errors = done.field_errors
        if not done.ok:
            return rx.toast.error(done.error.message)
        return rx.toast.success("审批金额已保存")


@dataclasses.dataclass
class ExpenseView:
    id: int = 0
    number: str = ""
    status: str = ""
    category: str = ""
    amount: str = ""
    payee: str = ""
    note: str = ""
    requested_by: str = ""
    requested_at: str = ""
    tier: str = ""  # 一级审批 / 两级审批（超过¥2,000.00）
    first_approval: str = ""
    second_approval: str = ""
    decision: str = ""  # 驳回 or 撤回, with the reason
    paid: str = ""  # from which account, by whom, when


class ExpenseDetailState(SessionState):
    """``/finance/expenses/<id>``: one expense, and the buttons for exactly the actions the service allows."""

    found: bool = False
    error: str = ""
    expense: ExpenseView = ExpenseView()
    actions: list[str] = []
    accounts: list[list[str]] = []  # [[id, "现金 ¥1,200.00"]] to pay from
    pay_key: str = ""
    errors: dict[str, str] = {}
    form_version: int = 0

    @rx.var
    def can_approve(self) -> bool:
        return expenses.APPROVE in self.actions

    @rx.var
    def can_reject(self) -> bool:
        return expenses.REJECT in self.actions

    @rx.var
    def can_pay(self) -> bool:
        return expenses.PAY in self.actions

    @rx.var
    def can_withdraw(self) -> bool:
        return expenses.WITHDRAW in self.actions

    def _show(self, db: Session, actor: User | None, expense_id: int) -> None:
        e = expenses.get_expense(db, actor, expense_id)
        names = expenses.requester_names(db, (e.requested_by_id, e.first_approver_id, e.second_approver_id,
                                              e.decided_by_id, e.paid_by_id))
        category = db.get(ExpenseCategory, e.category_id)
        status = ExpenseStatus(e.status)
        decision = ""
        if status == ExpenseStatus.REJECTED:
            decision = f"{names.get(e.decided_by_id, '')} 于 {format_local(e.decided_at)} 驳回：{e.reason}"
        elif status == ExpenseStatus.WITHDRAWN:
            decision = f"申请人于 {format_local(e.decided_at)} 撤回"
        paid = ""
        if e.account_id:
            account = db.get(MoneyAccount, e.account_id)
            paid = f"{names.get(e.paid_by_id, '')} 于 {format_local(e.paid_at)} 从“{account.name}”支付"
        self.expense = ExpenseView(
            id=e.id, number=e.number, status=status.label, category=category.name, amount=money(e.amount),
            payee=e.payee, note=e.note, requested_by=names.get(e.requested_by_id, ""),
            requested_at=format_local(e.created_at),
            tier="两级审批（门店 + 总部复核）" if e.approvals_needed == 2 else "一级审批",
            first_approval=f"{names.get(e.first_approver_id, '')} {format_local(e.first_approved_at)}"
            if e.first_approver_id else "",
            second_approval=f"{names.get(e.second_approver_id, '')} {format_local(e.second_approved_at)}"
            if e.second_approver_id else "",
            decision=decision, paid=paid)
        self.actions = expenses.allowed_actions(actor, e)
        self.accounts = [[str(a.id), f"{a.name}（{AccountKind(a.kind).label}）余额 {money(a.balance)}"]
                         for a in cash_book.accounts(db, actor, active_only=True)] \
            if expenses.PAY in self.actions else []
        self.found = True

    @rx.event
    async def load(self):
        self.found, self.errors, self.actions, self.pay_key = False, {}, [], new_request_key()
        expense_id = route_id(self.expense_id)
        shown = await self._in_read(lambda db, actor: self._show(db, actor, expense_id),
                                    page=Permission.REQUEST_EXPENSES)
        if shown.redirect is not None:
            return shown.redirect
        self.error = "" if shown.ok else shown.error.message
        return None

    async def _act(self, work, success: str, *, quiet: bool = False):
        expense_id = self.expense.id or route_id(self.expense_id)
        done = await self._in_unit(lambda db, actor: (work(db, actor, expense_id),
                                                      self._show(db, actor, expense_id))[0])
        self.errors = done.field_errors
        if not done.ok:
            return rx.toast.error(done.error.message)
        self.form_version += 1
        return None if quiet else rx.toast.success(success)

    @rx.event
    async def approve(self):
        """批准; a double tap's second approval finds the first (nothing changes) and is not told again."""
        before = self.expense.status
        answer = await self._act(lambda db, actor, i: expenses.approve(db, actor, i), "已批准")
        return None if not self.errors and self.expense.status == before else answer

    @rx.event
    async def reject(self, form: dict):
        reason = str(form.get("reason", ""))
        return await self._act(lambda db, actor, i: expenses.reject(db, actor, i, reason), "已驳回")

    @rx.event
    async def withdraw(self):
        return await self._act(lambda db, actor, i: expenses.withdraw(db, actor, i), "已撤回")

    @rx.event
    async def pay(self, form: dict):
        """支付 with the key the form was drawn with: a double tap pays once and is told once."""
        key = str(form.get("request_key") or self.pay_key)
        resent = key != self.pay_key
        account_id = form.get("account_id")
        answer = await self._act(lambda db, actor, i: expenses.pay(db, actor, i, account_id, key),
                                 "已支付，已记入日记账", quiet=resent)
        if not self.errors:
            self.pay_key = new_request_key()
        return answer


@dataclasses.dataclass
class CategoryRow:
    id: str = ""
    name: str = ""
    kind: str = ""
    active: bool = True


class ExpenseCategoriesState(SessionState):
    """``/finance/expense-categories``: add, rename, retire and bring back the branch's expense categories."""

    rows: list[CategoryRow] = []
    errors: dict[str, str] = {}
    error: str = ""
    editing: str = ""  # the id of the category being renamed
    form_version: int = 0

    @rx.var
    def kind_options(self) -> list[list[str]]:
        return KIND_OPTIONS

    def _show(self, db: Session, actor: User | None) -> None:
        self.rows = [CategoryRow(id=str(c.id), name=c.name, kind=ExpenseKind(c.kind).label, active=c.is_active)
                     for c in expense_categories.all_categories(db, actor)]

    @rx.event
    async def load(self):
        self.errors, self.editing = {}, ""
        shown = await self._in_read(self._show, page=Permission.MANAGE_SETTINGS)
        if shown.redirect is not None:
            return shown.redirect
        self.error = "" if shown.ok else shown.error.message
        return None

    async def _change(self, work, success: str):
        done = await self._in_unit(lambda db, actor: (work(db, actor), self._show(db, actor))[0])
        self.errors = done.field_errors
        if not done.ok:
            return rx.toast.error(done.error.message)
        self.editing = ""
        self.form_version += 1
        return rx.toast.success(success)

    @rx.event
    async def add(self, form: dict):
        return await self._change(lambda db, actor: expense_categories.add_category(
            db, actor, str(form.get("name", "")), str(form.get("kind", ""))), "已添加费用类别")

    @rx.event
    def start_rename(self, category_id: str):
        self.editing, self.errors = str(category_id), {}

    @rx.event
    def cancel_rename(self):
        self.editing, self.errors = "", {}

    @rx.event
    async def rename(self, form: dict):
        category_id, name = self.editing, str(form.get("name", ""))
        return await self._change(lambda db, actor: expense_categories.rename_category(db, actor, category_id, name),
                                  "已改名")

    @rx.event
    async def set_active(self, category_id: str, active: bool):
        return await self._change(lambda db, actor: expense_categories.set_category_active(
            db, actor, category_id, bool(active)), "已启用" if active else "已停用")


async def _load_year(state, permission: Permission):
    """A year table's page load: this year, for those allowed ``permission``."""
    year = _today().year
    shown = await state._in_read(lambda db, actor: state._show(db, actor, year), page=permission)
    if shown.redirect is not None:
        return shown.redirect
    state.error = "" if shown.ok else shown.error.message
    return None


async def _choose_year(state, value: str) -> None:
    shown = await state._in_read(lambda db, actor: state._show(db, actor, _year(value)))
    state.error = "" if shown.ok else shown.error.message


@dataclasses.dataclass
class StatisticsRow:
    name: str = ""
    months: list[str] = dataclasses.field(default_factory=list)
    total: str = ""
    emphasis: bool = False


def _cell(amount) -> str:
    return "" if not amount else money(amount)


class ExpenseStatisticsState(SessionState):
    """``/finance/expense-statistics?year=``: each category's expenses per month (paid + internal use)."""

    year: str = ""
    rows: list[StatisticsRow] = []
    error: str = ""

    @rx.var
    def month_labels(self) -> list[str]:
        return [f"{m}月" for m in range(1, 13)]

    @rx.var
    def export_url(self) -> str:
        return f"/api/expenses/statistics.xlsx?year={self.year}"

    def _show(self, db: Session, actor: User | None, year: int) -> None:
        report = expenses.statistics(db, actor, year)
        table = expenses.statistics_table(report)
        self.rows = [StatisticsRow(name=row[0], months=[_cell(v) for v in row[1:-1]], total=money(row[-1]),
                                   emphasis=index >= len(report.rows)) for index, row in enumerate(table)]
        self.year = str(year)

    @rx.event
    async def load(self):
        return await _load_year(self, Permission.VIEW_EXPENSES)

    @rx.event
    async def choose_year(self, value: str):
        await _choose_year(self, value)


@dataclasses.dataclass
class ProfitLine:
    label: str = ""
    months: list[str] = dataclasses.field(default_factory=list)
    total: str = ""
    emphasis: bool = False


SUBTOTALS = {"营业额（含税）", "净收入（不含税）", "毛利", "利润"}


class ProfitState(SessionState):
    """``/finance/profit``: 月度利润 of a year, month by month."""

    year: str = ""
    lines: list[ProfitLine] = []
    error: str = ""

    @rx.var
    def month_labels(self) -> list[str]:
        return [f"{m}月" for m in range(1, 13)]

    def _show(self, db: Session, actor: User | None, year: int) -> None:
        result = profit.monthly_profit(db, actor, year)
        self.lines = [ProfitLine(label=label, months=[money(read(m)) for m in result.months],
                                 total=money(read(result.total)), emphasis=label in SUBTOTALS)
                      for label, read in profit.LINES]
        self.year = str(result.year)

    @rx.event
    async def load(self):
        return await _load_year(self, Permission.VIEW_FIGURES)

    @rx.event
    async def choose_year(self, value: str):
        await _choose_year(self, value)
