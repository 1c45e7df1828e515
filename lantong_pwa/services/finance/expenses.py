"""Expenses (费用报销/支出, F4): a person asks for money spent for the shop (category, amount, payee, note); others
approve it; a cashier pays it from a money account, and the account's journal names the expense.

- **Tiers.** An expense up to the branch's ``expense_approval_amount`` needs one approval (a manager, or an admin);
  above it, head office (an admin) approves too, after the first (待审批 → 待复核 → 已批准). The tier is fixed when
  the expense is asked for, so changing the setting never changes what an expense already waiting needs.
- **Nobody approves their own**, nor gives both approvals of one expense: the service refuses, the screen offers no
  button (``allowed_actions``), and the table's CHECKs refuse it too.
- **Statuses move by compare-and-set** (a conditional UPDATE on the expected status); a lost race changes nothing
  and says so. 已支付 is set once, with the account locked first, and never beyond what the account holds (as a
  transfer between accounts is refused beyond the source's balance).
- **Internal use counts.** The storeroom's internal use and gifts (``stock_issues``) are expenses at cost: the
  month's list shows them as 内部领料/赠品出库 rows (nothing to approve or pay), and the statistics add them to
  their categories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import update
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.finance import cash_book
from lantong_pwa.services.parts import stock_issues
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, allows, require, row_in_branch
from lantong_pwa.timezone import local_day, local_day_bounds
from models import (
    Branch,
    Expense,
    ExpenseCategory,
    ExpenseStatus,
    MoneyAccount,
    StockIssue,
    StockIssueKind,
    User,
)
from models.common import utc_now

ZERO = Decimal("0.00")
PREFIX = "BX"  # 报销单
DOCUMENT = "expense"  # the journal entries' document type
STALE = "费用单状态已变化，请刷新后重试"
MAX_APPROVAL_AMOUNT = Decimal("9999999.99")
WAITING = (ExpenseStatus.PENDING, ExpenseStatus.PENDING_SECOND)

# What a person may do with an expense, in the order the screen offers it.
APPROVE, REJECT, PAY, WITHDRAW = "approve", "reject", "pay", "withdraw"
ACTION_LABELS = {APPROVE: "批准", REJECT: "驳回", PAY: "支付", WITHDRAW: "撤回"}


# --- the tiers -------------------------------------------------------------------------------------------------


def approval_amount(session: Session, branch_id: int) -> Decimal:
    return session.get(Branch, branch_id).expense_approval_amount


def set_approval_amount(session: Session, actor: User, amount_text: str) -> Branch:
    """费用审批金额: expenses asked for from now on above this amount need head office's approval too."""
    require(actor, Permission.MANAGE_SETTINGS)
    amount = to_fen(parse_decimal(amount_text, "approval_amount", "审批金额", maximum=MAX_APPROVAL_AMOUNT))
    if amount <= 0:
        raise DomainError("审批金额应大于0", field="approval_amount")
    branch = session.get(Branch, actor.branch_id)
    if amount != branch.expense_approval_amount:
        audit.record(session, actor, "branch.expense_approval_amount", "branch", branch.id, branch_id=branch.id,
                     before=str(branch.expense_approval_amount), after=str(amount))
        branch.expense_approval_amount = amount
        session.add(branch)
        session.flush()
    return branch


# --- asking ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpenseRequest:
    category_id: int | str | None
    amount: str
    payee: str
    request_key: str
    note: str = ""


def _earlier(session: Session, branch_id: int, key: str) -> Expense | None:
    return session.exec(select(Expense).where(Expense.branch_id == branch_id, Expense.request_key == key)).first()


def _category(session: Session, branch_id: int, category_id) -> ExpenseCategory:
    try:
        category = session.get(ExpenseCategory, int(category_id))
    except (TypeError, ValueError):
        category = None
    if category is None or category.branch_id != branch_id:
        raise DomainError("请选择费用类别", field="category_id")
    if not category.is_active:
        raise DomainError(f"费用类别“{category.name}”已停用", field="category_id")
    return category


def request_expense(session: Session, actor: User, request: ExpenseRequest) -> Expense:
    """报销申请: a new expense waiting for approval, needing one approval or two by the branch's amount. A resent
    request (the same key) returns the first expense."""
    require(actor, Permission.REQUEST_EXPENSES)
    key = (request.request_key or "").strip()
    if not key or len(key) > 36:
        raise DomainError("请求无效，请刷新页面后重试")
    earlier = _earlier(session, actor.branch_id, key)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    category = amount = None
    try:
        category = _category(session, actor.branch_id, request.category_id)
    except DomainError as error:
        errors["category_id"] = error.message
    try:
        amount = to_fen(parse_decimal(request.amount, "amount", "金额", maximum=MAX_APPROVAL_AMOUNT))
        if amount <= 0:
            errors["amount"] = "金额应大于0"
    except DomainError as error:
        errors["amount"] = error.message
    payee, note = (request.payee or "").strip(), (request.note or "").strip()
    if not payee:
        errors["payee"] = "请填写收款人或单位"
    elif len(payee) > 48:
        errors["payee"] = "收款人最多48个字"
    if len(note) > 200:
        errors["note"] = "说明最多200个字"
    if errors:
        raise FormErrors(errors)
    locked(session, User, actor.id)  # one person's requests one after the other: a resend waits, then finds it
    earlier = _earlier(session, actor.branch_id, key)
    if earlier is not None:
        return earlier
    now = utc_now()
    needed = 2 if amount > approval_amount(session, actor.branch_id) else 1
    expense = Expense(branch_id=actor.branch_id, number=next_number(session, actor.branch_id, PREFIX, local_day(now)),
                      category_id=category.id, amount=amount, payee=payee, note=note, approvals_needed=needed,
                      request_key=key, requested_by_id=actor.id, created_at=now)
    session.add(expense)
    session.flush()
    audit.record(session, actor, "expense.request", "expense", expense.id, branch_id=expense.branch_id,
                 number=expense.number, category=category.name, amount=str(amount), payee=payee,
                 approvals_needed=needed)
    session.flush()
    return expense


# --- who may do what -------------------------------------------------------------------------------------------


def _may_see(actor: User, expense: Expense) -> bool:
    return expense.requested_by_id == actor.id or any(
        allows(actor, p) for p in (Permission.VIEW_EXPENSES, Permission.APPROVE_EXPENSES, Permission.PAY_EXPENSES))


def get_expense(session: Session, actor: User, expense_id) -> Expense:
    """The expense, for its requester or anyone of its branch who sees, approves or pays expenses."""
    if not (allows(actor, Permission.REQUEST_EXPENSES) or allows(actor, Permission.VIEW_EXPENSES)):
        require(actor, Permission.REQUEST_EXPENSES)
    try:
        expense_id = int(expense_id)
    except (TypeError, ValueError):
        raise NotFound("费用单不存在") from None
    expense = row_in_branch(session, actor, Expense, expense_id, "费用单不存在")
    if not _may_see(actor, expense):
        raise NotFound("费用单不存在")
    return expense


def allowed_actions(actor: User | None, expense: Expense) -> list[str]:
    """What ``actor`` may do with ``expense`` now; the screen offers exactly these, the actions check the same."""
    if actor is None or not actor.is_active:
        return []
    if actor.branch_id != expense.branch_id and not allows(actor, Permission.APPROVE_LARGE_EXPENSES):
        return []
    status, own = ExpenseStatus(expense.status), expense.requested_by_id == actor.id
    actions = []
    if not own and (
            (status == ExpenseStatus.PENDING and allows(actor, Permission.APPROVE_EXPENSES))
            or (status == ExpenseStatus.PENDING_SECOND and allows(actor, Permission.APPROVE_LARGE_EXPENSES)
                and actor.id != expense.first_approver_id)):
        actions += [APPROVE, REJECT]
    if status == ExpenseStatus.APPROVED and allows(actor, Permission.PAY_EXPENSES) \
            and actor.branch_id == expense.branch_id:
        actions.append(PAY)
    if own and status in (*WAITING, ExpenseStatus.APPROVED):
        actions.append(WITHDRAW)
    return actions


def _refuse(actor: User, expense: Expense, action: str) -> None:
    """Why ``actor`` may not take ``action`` now, as the message the person reads."""
    status = ExpenseStatus(expense.status)
    if action in (APPROVE, REJECT):
        if expense.requested_by_id == actor.id:
            raise PermissionDenied("不能审批自己提交的费用")
        if status == ExpenseStatus.PENDING_SECOND and actor.id == expense.first_approver_id:
            raise PermissionDenied("已由您初审，需另一位总部人员复核")
        if status == ExpenseStatus.PENDING_SECOND and not allows(actor, Permission.APPROVE_LARGE_EXPENSES):
            raise PermissionDenied("超过审批金额的费用需总部复核")
        if status not in WAITING:
            raise DomainError(f"费用单{status.label}，不能再审批")
    if action == PAY and status != ExpenseStatus.APPROVED:
        raise DomainError(f"费用单{status.label}，不能支付")
    if action == WITHDRAW and expense.requested_by_id != actor.id:
        raise PermissionDenied("只能撤回自己提交的费用")
    if action == WITHDRAW:
        raise DomainError(f"费用单{status.label}，不能撤回")
    raise PermissionDenied()


def _acting(session: Session, actor: User, expense_id, action: str, permission: Permission) -> Expense:
    require(actor, permission)
    expense = get_expense(session, actor, expense_id)
    if action not in allowed_actions(actor, expense):
        _refuse(actor, expense, action)
    return expense


def _move(session: Session, expense: Expense, expected: ExpenseStatus, **values) -> Expense:
    """Compare-and-set: the expense moves only from ``expected``; zero rows means someone else moved it first."""
    done = session.execute(update(Expense).where(Expense.id == expense.id, Expense.status == expected)
                           .values(**values).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise DomainError(STALE)
    return session.exec(select(Expense).where(Expense.id == expense.id)
                        .execution_options(populate_existing=True)).one()


# --- deciding --------------------------------------------------------------------------------------------------


def approve(session: Session, actor: User, expense_id) -> Expense:
    """批准: the first approval (待审批 → 已批准, or → 待复核 above the amount), or head office's second
    (待复核 → 已批准). A resent approval by the same person changes nothing."""
    require(actor, Permission.APPROVE_EXPENSES)
    expense = get_expense(session, actor, expense_id)
    if actor.id in (expense.first_approver_id, expense.second_approver_id):
        return expense  # this person's approval went through already (a resend); one person never gives both
    expense = _acting(session, actor, expense.id, APPROVE, Permission.APPROVE_EXPENSES)
    now = utc_now()
    if expense.status == ExpenseStatus.PENDING:
        after = ExpenseStatus.APPROVED if expense.approvals_needed == 1 else ExpenseStatus.PENDING_SECOND
        moved = _move(session, expense, ExpenseStatus.PENDING, status=after, first_approver_id=actor.id,
                      first_approved_at=now)
        level = 1
    else:
        moved = _move(session, expense, ExpenseStatus.PENDING_SECOND, status=ExpenseStatus.APPROVED,
                      second_approver_id=actor.id, second_approved_at=now)
        level = 2
    audit.record(session, actor, "expense.approve", "expense", moved.id, branch_id=moved.branch_id,
                 number=moved.number, level=level, amount=str(moved.amount))
    session.flush()
    return moved


def reject(session: Session, actor: User, expense_id, reason: str) -> Expense:
    """驳回 with a reason, by whoever could approve it at its stage."""
    require(actor, Permission.APPROVE_EXPENSES)
    expense = _acting(session, actor, expense_id, REJECT, Permission.APPROVE_EXPENSES)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写驳回原因", field="reason")
    if len(reason) > 200:
        raise DomainError("驳回原因最多200个字", field="reason")
    moved = _move(session, expense, ExpenseStatus(expense.status), status=ExpenseStatus.REJECTED,
                  decided_by_id=actor.id, decided_at=utc_now(), reason=reason)
    audit.record(session, actor, "expense.reject", "expense", moved.id, branch_id=moved.branch_id,
                 number=moved.number, reason=reason)
    session.flush()
    return moved


def withdraw(session: Session, actor: User, expense_id) -> Expense:
    """撤回: the requester takes back an expense not yet paid."""
    require(actor, Permission.REQUEST_EXPENSES)
    expense = _acting(session, actor, expense_id, WITHDRAW, Permission.REQUEST_EXPENSES)
    moved = _move(session, expense, ExpenseStatus(expense.status), status=ExpenseStatus.WITHDRAWN,
                  decided_by_id=actor.id, decided_at=utc_now())
    audit.record(session, actor, "expense.withdraw", "expense", moved.id, branch_id=moved.branch_id,
                 number=moved.number)
    session.flush()
    return moved


def pay(session: Session, actor: User, expense_id, account_id, request_key: str) -> Expense:
    """支付: an approved expense paid from one of the branch's active accounts, never beyond its balance; the
    account's journal gets the entry (document ``expense``) in the same transaction. Paid once: the account is
    locked, then the expense moves 已批准 → 已支付 by compare-and-set. A resent payment (same key) returns it."""
    require(actor, Permission.PAY_EXPENSES)
    key = (request_key or "").strip()
    if not key or len(key) > 36:
        raise DomainError("请求无效，请刷新页面后重试")
    expense = get_expense(session, actor, expense_id)
    if expense.status == ExpenseStatus.PAID and expense.pay_key == key:
        return expense
    expense = _acting(session, actor, expense.id, PAY, Permission.PAY_EXPENSES)
    try:
        account = row_in_branch(session, actor, MoneyAccount, int(account_id), "账户不存在")
    except (TypeError, ValueError):
        raise DomainError("请选择付款账户", field="account_id") from None
    if account.branch_id != expense.branch_id:
        raise DomainError("请选择本店的账户", field="account_id")
    if not account.is_active:
        raise DomainError(f"账户“{account.name}”已停用", field="account_id")
    account = locked(session, MoneyAccount, account.id)  # payments from one account one after the other
    expense = session.exec(select(Expense).where(Expense.id == expense.id)
                           .execution_options(populate_existing=True)).one()
    if expense.status == ExpenseStatus.PAID and expense.pay_key == key:
        return expense  # the same request finished while this one waited
    if expense.status != ExpenseStatus.APPROVED:
        raise DomainError(STALE if expense.status == ExpenseStatus.PAID else
                          f"费用单{ExpenseStatus(expense.status).label}，不能支付")
    if account.balance < expense.amount:
        raise DomainError(f"“{account.name}”余额¥{account.balance}，不够支付¥{expense.amount}", field="account_id")
    moved = _move(session, expense, ExpenseStatus.APPROVED, status=ExpenseStatus.PAID, account_id=account.id,
                  paid_by_id=actor.id, paid_at=utc_now(), pay_key=key)
    category = session.get(ExpenseCategory, moved.category_id)
    cash_book.post_account(session, actor, account.id, -moved.amount, (DOCUMENT, moved.id),
                           f"费用 {moved.number} {category.name} {moved.payee}")
    audit.record(session, actor, "expense.pay", "expense", moved.id, branch_id=moved.branch_id, number=moved.number,
                 amount=str(moved.amount), account=account.id)
    session.flush()
    return moved


# --- reading ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpenseLine:
    """One row of the month's list: an expense, or the storeroom's internal use or gift (``expense_id`` None)."""
    expense_id: int | None
    stock_issue_id: int | None
    number: str
    when: datetime
    category: str
    amount: Decimal
    payee: str
    status: str  # a label: 待审批 … or 内部领料 / 赠品出库
    requested_by: str
    note: str


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The shop's calendar month of ``month`` as a half-open UTC range."""
    first = month.replace(day=1)
    following = first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(
        month=first.month + 1)
    return local_day_bounds(first)[0], local_day_bounds(following)[0]


def month_list(session: Session, actor: User, month: date, *, status: str = "", category_id: int | None = None,
               mine: bool = False) -> list[ExpenseLine]:
    """The expenses asked for in ``month`` (newest first), with the month's internal use and gifts at cost for
    those who see every expense. A requester without ``VIEW_EXPENSES`` sees only their own (``mine``)."""
    if not allows(actor, Permission.VIEW_EXPENSES):
        require(actor, Permission.REQUEST_EXPENSES)
        mine = True
    start, end = month_bounds(month)
    query = (select(Expense, ExpenseCategory.name, User.display_name)
             .join(ExpenseCategory, ExpenseCategory.id == Expense.category_id)
             .join(User, User.id == Expense.requested_by_id)
             .where(Expense.branch_id == actor.branch_id, Expense.created_at >= start, Expense.created_at < end))
    if mine:
        query = query.where(Expense.requested_by_id == actor.id)
    if status:
        query = query.where(Expense.status == ExpenseStatus(status))
    if category_id:
        query = query.where(Expense.category_id == int(category_id))
    lines = [ExpenseLine(expense_id=e.id, stock_issue_id=None, number=e.number, when=e.created_at, category=name,
                         amount=e.amount, payee=e.payee, status=ExpenseStatus(e.status).label, requested_by=who,
                         note=e.note)
             for e, name, who in session.exec(query).all()]
    if not mine and status in ("", ExpenseStatus.PAID.value):
        issues = (select(StockIssue, ExpenseCategory.name, User.display_name)
                  .join(ExpenseCategory, ExpenseCategory.id == StockIssue.expense_category_id)
                  .join(User, User.id == StockIssue.user_id)
                  .where(StockIssue.branch_id == actor.branch_id, StockIssue.created_at >= start,
                         StockIssue.created_at < end))
        if category_id:
            issues = issues.where(StockIssue.expense_category_id == int(category_id))
        lines += [ExpenseLine(expense_id=None, stock_issue_id=i.id, number=i.number, when=i.created_at,
                              category=name, amount=i.total, payee=i.recipient,
                              status=StockIssueKind(i.kind).label, requested_by=who, note=i.note)
                  for i, name, who in session.exec(issues).all()]
    lines.sort(key=lambda line: line.when, reverse=True)
    return lines


def awaiting(session: Session, actor: User) -> list[tuple[Expense, str, str]]:
    """The expenses waiting for ``actor``: to approve, to review as head office (every branch), or to pay; with
    their category and branch names; oldest first."""
    conditions = []
    if allows(actor, Permission.APPROVE_EXPENSES):
        conditions.append((Expense.status == ExpenseStatus.PENDING) & (Expense.branch_id == actor.branch_id))
    if allows(actor, Permission.APPROVE_LARGE_EXPENSES):
        conditions.append(Expense.status == ExpenseStatus.PENDING_SECOND)
    if allows(actor, Permission.PAY_EXPENSES):
        conditions.append((Expense.status == ExpenseStatus.APPROVED) & (Expense.branch_id == actor.branch_id))
    if not conditions:
        return []
    rows = session.exec(select(Expense, ExpenseCategory.name, Branch.name)
                        .join(ExpenseCategory, ExpenseCategory.id == Expense.category_id)
                        .join(Branch, Branch.id == Expense.branch_id)
                        .where(sa.or_(*conditions), Expense.requested_by_id != actor.id)
                        .order_by(col(Expense.created_at), col(Expense.id)).limit(200)).all()
    return [(e, category, branch) for e, category, branch in rows if allowed_actions(actor, e)]


# --- statistics ------------------------------------------------------------------------------------------------

MONTHS = 12


def month_index(column, year: int):
    """A SQL expression: the shop month (1–12) of ``column`` within ``year`` (rows outside the year get 0)."""
    bounds = [month_bounds(date(year, m, 1))[0] for m in range(1, MONTHS + 1)] + [month_bounds(date(year, 12, 1))[1]]
    return sa.case(*[(column < bounds[m], m) for m in range(1, MONTHS + 1)], else_=0)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return month_bounds(date(year, 1, 1))[0], month_bounds(date(year, 12, 1))[1]


def paid_by_month(session: Session, branch_id: int, year: int) -> dict[tuple[int, int], Decimal]:
    """Paid expenses of the year by (category id, shop month of payment), summed in SQL."""
    start, end = year_bounds(year)
    month = month_index(Expense.paid_at, year)
    rows = session.exec(select(Expense.category_id, month, sa.func.sum(Expense.amount))
                        .where(Expense.branch_id == branch_id, Expense.status == ExpenseStatus.PAID,
                               Expense.paid_at >= start, Expense.paid_at < end)
                        .group_by(Expense.category_id, month)).all()
    return {(category, int(m)): to_fen(Decimal(str(total or 0))) for category, m, total in rows}


def used_by_month(session: Session, branch_id: int, year: int) -> dict[tuple[int, int], Decimal]:
    """Internal use and gifts at cost by (category id, shop month), from the storeroom's slips."""
    return {(row.category_id, int(row.month[5:])): row.value
            for row in stock_issues.branch_usage_by_month(session, branch_id, date(year, 1, 1), date(year, 12, 31))}


@dataclass
class CategoryYear:
    category_id: int
    name: str
    paid: list[Decimal] = field(default_factory=lambda: [ZERO] * MONTHS)
    used: list[Decimal] = field(default_factory=lambda: [ZERO] * MONTHS)  # internal use and gifts at cost

    @property
    def months(self) -> list[Decimal]:
        return [p + u for p, u in zip(self.paid, self.used, strict=True)]

    @property
    def total(self) -> Decimal:
        return sum(self.months, ZERO)


@dataclass
class ExpenseStatistics:
    year: int
    rows: list[CategoryYear]
    total: CategoryYear


def statistics(session: Session, actor: User, year: int) -> ExpenseStatistics:
    """费用统计: each category's expenses per month of ``year`` — paid expenses (by the month paid) plus internal
    use and gifts at cost — with the totals. Categories with nothing in the year are left out."""
    require(actor, Permission.VIEW_EXPENSES)
    if not 2000 <= int(year) <= 2100:
        raise DomainError("请选择年份", field="year")
    paid, used = paid_by_month(session, actor.branch_id, year), used_by_month(session, actor.branch_id, year)
    names = dict(session.exec(select(ExpenseCategory.id, ExpenseCategory.name)
                              .where(ExpenseCategory.branch_id == actor.branch_id)).all())
    rows: dict[int, CategoryYear] = {}
    for source, attribute in ((paid, "paid"), (used, "used")):
        for (category_id, month), amount in source.items():
            if 1 <= month <= MONTHS:
                row = rows.setdefault(category_id, CategoryYear(category_id, names.get(category_id, "")))
                getattr(row, attribute)[month - 1] += amount
    ordered = sorted(rows.values(), key=lambda r: (-r.total, r.name))
    total = CategoryYear(0, "合计")
    for row in ordered:
        total.paid = [a + b for a, b in zip(total.paid, row.paid, strict=True)]
        total.used = [a + b for a, b in zip(total.used, row.used, strict=True)]
    return ExpenseStatistics(year=year, rows=ordered, total=total)


STATISTICS_HEADERS = ("费用类别", *[f"{m}月" for m in range(1, MONTHS + 1)], "全年合计")


def statistics_table(report: ExpenseStatistics) -> list[list]:
    """The statistics as spreadsheet rows: each category, 合计, and of it 报销支出 and 内部领料/赠品."""
    rows = [[row.name, *row.months, row.total] for row in [*report.rows, report.total]]
    rows.append(["其中：报销支出", *report.total.paid, sum(report.total.paid, ZERO)])
    rows.append(["其中：内部领料/赠品", *report.total.used, sum(report.total.used, ZERO)])
    return rows


def requester_names(session: Session, ids) -> dict[int, str]:
    ids = [i for i in set(ids) if i]
    return dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(ids))).all()) if ids else {}

