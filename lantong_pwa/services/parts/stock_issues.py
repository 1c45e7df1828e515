"""出库单 for the shop's own use (P8, P11): internal use (内部领料) charged to an expense category, and gifts
(赠品出库) charged to the branch's promotion category.

A slip is posted as it is made, all its lines in one transaction: each line leaves its warehouse through
``stock.post_out`` at the average cost (never below zero: the refusal names the part and what is on hand), and its
value (quantity × cost, to the fen) is charged to the category. Slips of one warehouse queue on the warehouse's row,
so a resent request (same ``request_key``) that waited finds the slip the first one made and posts nothing.
Finance reads ``usage_by_month`` for the expenses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound
from lantong_pwa.services.finance import expense_categories
from lantong_pwa.services.parts import stock
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import to_fen
from lantong_pwa.services.platform.permissions import Permission, allows, require, row_in_branch
from lantong_pwa.timezone import local_day, local_day_bounds, to_local
from models import (
    Branch,
    ExpenseCategory,
    ExpenseKind,
    Part,
    StockIssue,
    StockIssueKind,
    StockIssueLine,
    StockMoveKind,
    User,
    Warehouse,
    WorkOrder,
)
from models.common import utc_now

PREFIX = "CK"
DOCUMENT = "stock_issue"  # the stock moves' document type
MAX_LINES = 50
MOVE_KINDS = {StockIssueKind.INTERNAL_USE: StockMoveKind.INTERNAL_USE, StockIssueKind.GIFT: StockMoveKind.GIFT}
# What internal use may be charged to; gifts always go to promotion.
INTERNAL_KINDS = (ExpenseKind.INTERNAL_USE, ExpenseKind.OTHER)


@dataclass
class IssueLineInput:
    part_id: int | str
    quantity: str | Decimal


@dataclass
class IssueForm:
    kind: str = StockIssueKind.INTERNAL_USE.value
    warehouse_id: int | str = ""
    expense_category_id: int | str = ""  # internal use only
    recipient: str = ""
    work_order_number: str = ""  # a gift with a repair (optional)
    note: str = ""
    lines: list[IssueLineInput] = field(default_factory=list)
    request_key: str = ""


@dataclass
class IssueResult:
    issue: StockIssue
    lines: list[StockIssueLine]
    resent: bool = False


def issue_lines(session: Session, issue_id: int) -> list[StockIssueLine]:
    return list(session.exec(select(StockIssueLine).where(StockIssueLine.stock_issue_id == issue_id)
                             .order_by(StockIssueLine.id)).all())


def categories_for(session: Session, actor: User, kind: StockIssueKind | str) -> list[ExpenseCategory]:
    """The categories a slip of ``kind`` may be charged to (gifts: promotion)."""
    require(actor, Permission.MOVE_STOCK)
    kinds = (ExpenseKind.PROMOTION,) if StockIssueKind(kind) == StockIssueKind.GIFT else INTERNAL_KINDS
    return expense_categories.active_categories(session, actor.branch_id, kinds)


def _earlier(session: Session, branch_id: int, request_key: str) -> StockIssue | None:
    return session.exec(select(StockIssue).where(StockIssue.branch_id == branch_id,
                                                 StockIssue.request_key == request_key)).first()


def _category(session: Session, actor: User, kind: StockIssueKind, category_id) -> ExpenseCategory:
    if kind == StockIssueKind.GIFT:
        return expense_categories.promotion_category(session, actor.branch_id)
    try:
        category = session.get(ExpenseCategory, int(category_id))
    except (TypeError, ValueError):
        category = None
    if (category is None or category.branch_id != actor.branch_id or not category.is_active
            or category.kind not in INTERNAL_KINDS):
        raise DomainError("请选择费用类别", field="expense_category_id")
    return category


def _work_order(session: Session, actor: User, number: str) -> WorkOrder | None:
    number = (number or "").strip().upper()
    if not number:
        return None
    order = session.exec(select(WorkOrder).where(WorkOrder.branch_id == actor.branch_id,
                                                 WorkOrder.number == number)).first()
    if order is None:
        raise DomainError(f"本店没有工单{number}", field="work_order_number")
    return order


def _checked(errors: dict[str, str], name: str, check):
    """``check()``, or None with its message kept under its field."""
    try:
        return check()
    except DomainError as error:
        errors[error.field or name] = error.message
        return None


def _lines(session: Session, actor: User, lines: list[IssueLineInput], errors: dict[str, str]
           ) -> list[tuple[Part, Decimal]]:
    parsed = stock.part_lines(session, actor, lines[:MAX_LINES + 1], errors, "part")
    if len(lines) > MAX_LINES:
        errors["lines"] = f"一张出库单最多{MAX_LINES}种配件"
    elif not lines:
        errors["lines"] = "请添加要出库的配件"
    return parsed


def create_issue(session: Session, actor: User, form: IssueForm) -> IssueResult:
    """Make and post a slip: every line leaves stock at the average cost, or nothing does."""
    require(actor, Permission.MOVE_STOCK)
    if not form.request_key:
        raise DomainError("请刷新页面后重试")
    earlier = _earlier(session, actor.branch_id, form.request_key)
    if earlier is not None:
        return IssueResult(earlier, issue_lines(session, earlier.id), resent=True)
    errors: dict[str, str] = {}
    try:
        kind = StockIssueKind(form.kind)
    except ValueError:
        raise DomainError("请选择出库类型", field="kind") from None
    warehouse = _checked(errors, "warehouse_id",
                         lambda: stock._warehouse(session, actor, form.warehouse_id, actor.branch_id))
    category = _checked(errors, "expense_category_id",
                        lambda: _category(session, actor, kind, form.expense_category_id))
    order = _checked(errors, "work_order_number", lambda: _work_order(session, actor, form.work_order_number))
    recipient = (form.recipient or "").strip()
    if len(recipient) > 60:
        errors["recipient"] = "领用人/受赠人不能超过60字"
    elif kind == StockIssueKind.GIFT and not recipient and order is None:
        errors["recipient"] = "请填写受赠客户或关联工单"
    note = (form.note or "").strip()
    if len(note) > 200:
        errors["note"] = "备注不能超过200字"
    parsed = _lines(session, actor, form.lines, errors)
    if errors:
        raise FormErrors(errors)

    # Slips from one warehouse queue here: a resend that waited finds the first request's slip.
    warehouse = locked(session, Warehouse, warehouse.id)
    earlier = _earlier(session, actor.branch_id, form.request_key)
    if earlier is not None:
        return IssueResult(earlier, issue_lines(session, earlier.id), resent=True)
    issue = StockIssue(branch_id=actor.branch_id, number=next_number(session, actor.branch_id, PREFIX,
                                                                     local_day(utc_now())),
                       kind=kind, warehouse_id=warehouse.id, expense_category_id=category.id, recipient=recipient,
                       work_order_id=order.id if order else None, note=note, user_id=actor.id,
                       request_key=form.request_key)
    session.add(issue)
    session.flush()
    made = []
    for index, (part, quantity) in enumerate(parsed):
        try:
            move = stock.post_out(session, actor, branch_id=issue.branch_id, warehouse_id=warehouse.id,
                                  part_id=part.id, quantity=quantity, kind=MOVE_KINDS[kind],
                                  document=(DOCUMENT, issue.id), what=f"{part.name}（{part.code}）",
                                  doing="领用" if kind == StockIssueKind.INTERNAL_USE else "赠送",
                                  note=f"{issue.number} {category.name}")
        except DomainError as error:  # short: said next to the line's quantity
            raise DomainError(error.message, field=f"quantity.{index}") from None
        line = StockIssueLine(branch_id=issue.branch_id, stock_issue_id=issue.id, part_id=part.id,
                              quantity=quantity, unit_cost=move.unit_cost, value=to_fen(quantity * move.unit_cost),
                              stock_move_id=move.id)
        session.add(line)
        made.append(line)
    issue.total = sum((line.value for line in made), Decimal("0.00"))
    session.add(issue)
    session.flush()
    audit.record(session, actor, "stock_issue.create", DOCUMENT, issue.id, branch_id=issue.branch_id,
                 number=issue.number, kind=kind.value, warehouse_id=warehouse.id, expense_category_id=category.id,
                 total=issue.total)
    session.flush()
    return IssueResult(issue, made)


def _may_view(actor: User) -> None:
    if not (allows(actor, Permission.MOVE_STOCK) or allows(actor, Permission.VIEW_STOCK_REPORTS)):
        require(actor, Permission.MOVE_STOCK)


def get_issue(session: Session, actor: User, issue_id) -> StockIssue:
    _may_view(actor)
    try:
        issue_id = int(issue_id)
    except (TypeError, ValueError):
        raise NotFound("出库单不存在") from None
    return row_in_branch(session, actor, StockIssue, issue_id, "出库单不存在")


def recent_issues(session: Session, actor: User, limit: int = 50) -> list[tuple[StockIssue, ExpenseCategory]]:
    """The branch's newest slips with the category each was charged to."""
    _may_view(actor)
    return list(session.exec(select(StockIssue, ExpenseCategory)
                             .join(ExpenseCategory, ExpenseCategory.id == StockIssue.expense_category_id)
                             .where(StockIssue.branch_id == actor.branch_id)
                             .order_by(col(StockIssue.id).desc()).limit(limit)).all())


@dataclass(frozen=True)
class PrintableIssue:
    issue: StockIssue
    branch: Branch
    warehouse: Warehouse
    category: ExpenseCategory
    clerk: str
    order_number: str
    lines: list[tuple[StockIssueLine, Part]]


def printable(session: Session, actor: User, issue_id) -> PrintableIssue:
    """A slip with everything its page and its printed copy show."""
    issue = get_issue(session, actor, issue_id)
    order = session.get(WorkOrder, issue.work_order_id) if issue.work_order_id else None
    lines = session.exec(select(StockIssueLine, Part).join(Part, Part.id == StockIssueLine.part_id)
                         .where(StockIssueLine.stock_issue_id == issue.id).order_by(StockIssueLine.id)).all()
    return PrintableIssue(issue=issue, branch=session.get(Branch, issue.branch_id),
                          warehouse=session.get(Warehouse, issue.warehouse_id),
                          category=session.get(ExpenseCategory, issue.expense_category_id),
                          clerk=session.get(User, issue.user_id).display_name,
                          order_number=order.number if order else "", lines=list(lines))


@dataclass(frozen=True)
class CategoryMonth:
    month: str  # "2026-12", in the shop's time zone
    category_id: int
    category: str
    kind: ExpenseKind
    value: Decimal  # at cost


def usage_by_month(session: Session, actor: User, start: date, end: date) -> list[CategoryMonth]:
    """Internal use and gifts charged to each expense category per month (shop days ``start``..``end``), at the
    cost the stock left at: what finance books as expenses."""
    _may_view(actor)
    return branch_usage_by_month(session, actor.branch_id, start, end)


def branch_usage_by_month(session: Session, branch_id: int, start: date, end: date) -> list[CategoryMonth]:
    """``usage_by_month`` of one branch, for a caller that has checked who is asking (finance's expense figures)."""
    since, _ = local_day_bounds(start)
    _, until = local_day_bounds(end)
    rows = session.exec(select(StockIssue.created_at, StockIssue.total, ExpenseCategory)
                        .join(ExpenseCategory, ExpenseCategory.id == StockIssue.expense_category_id)
                        .where(StockIssue.branch_id == branch_id, StockIssue.created_at >= since,
                               StockIssue.created_at < until)).all()
    totals: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    categories: dict[int, ExpenseCategory] = {}
    for created_at, total, category in rows:
        totals[(to_local(created_at).strftime("%Y-%m"), category.id)] += total
        categories[category.id] = category
    return [CategoryMonth(month=month, category_id=cid, category=categories[cid].name,
                          kind=ExpenseKind(categories[cid].kind), value=to_fen(value))
            for (month, cid), value in sorted(totals.items(), key=lambda item: (item[0][0], item[0][1]))]
