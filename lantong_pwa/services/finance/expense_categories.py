"""Expense categories (费用类别) per branch: a new branch starts with the defaults below; the storeroom's internal
use and gifts are charged to them, and finance books expenses to them. A manager adds, renames and retires them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from models import ExpenseCategory, ExpenseKind, User

DEFAULT_CATEGORIES = (
    ("店内耗材", ExpenseKind.INTERNAL_USE), ("洗车房", ExpenseKind.INTERNAL_USE),
    ("工具损耗", ExpenseKind.INTERNAL_USE), ("办公用品", ExpenseKind.INTERNAL_USE),
    ("促销赠品", ExpenseKind.PROMOTION), ("其他费用", ExpenseKind.OTHER),
)


def seed_defaults(session: Session, branch_id: int) -> None:
    """Give a branch the default categories it does not have yet (by name)."""
    have = set(session.exec(select(ExpenseCategory.name).where(ExpenseCategory.branch_id == branch_id)).all())
    session.add_all(ExpenseCategory(branch_id=branch_id, name=name, kind=kind)
                    for name, kind in DEFAULT_CATEGORIES if name not in have)
    session.flush()


def active_categories(session: Session, branch_id: int, kinds: tuple[ExpenseKind, ...] | None = None
                      ) -> list[ExpenseCategory]:
    statement = select(ExpenseCategory).where(ExpenseCategory.branch_id == branch_id, ExpenseCategory.is_active)
    if kinds is not None:
        statement = statement.where(col(ExpenseCategory.kind).in_(kinds))
    return list(session.exec(statement.order_by(ExpenseCategory.id)).all())


def promotion_category(session: Session, branch_id: int) -> ExpenseCategory:
    """Where gifts are charged: the branch's first active promotion category."""
    found = active_categories(session, branch_id, (ExpenseKind.PROMOTION,))
    if not found:
        raise DomainError("本店没有启用的促销费用类别，请先在设置中添加", field="expense_category_id")
    return found[0]


# --- what a manager keeps (费用类别 screen) -----------------------------------------------------------------------


def all_categories(session: Session, actor: User) -> list[ExpenseCategory]:
    """Every category of the branch, active first."""
    require(actor, Permission.MANAGE_SETTINGS)
    return list(session.exec(select(ExpenseCategory).where(ExpenseCategory.branch_id == actor.branch_id)
                             .order_by(col(ExpenseCategory.is_active).desc(), col(ExpenseCategory.id))).all())


def _name(session: Session, branch_id: int, name: str, *, other_than: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写类别名称", field="name")
    if len(name) > 32:
        raise DomainError("类别名称不能超过32个字", field="name")
    taken = session.exec(select(ExpenseCategory.id).where(ExpenseCategory.branch_id == branch_id,
                                                          ExpenseCategory.name == name)).first()
    if taken is not None and taken != other_than:
        raise DomainError(f"已有名为“{name}”的类别", field="name")
    return name


def add_category(session: Session, actor: User, name: str, kind: str) -> ExpenseCategory:
    require(actor, Permission.MANAGE_SETTINGS)
    errors = {}
    try:
        name = _name(session, actor.branch_id, name)
    except DomainError as error:
        errors["name"] = error.message
    try:
        kind = ExpenseKind(kind)
    except ValueError:
        errors["kind"] = "请选择类别性质"
    if errors:
        raise FormErrors(errors)
    category = ExpenseCategory(branch_id=actor.branch_id, name=name, kind=kind)
    session.add(category)
    session.flush()
    audit.record(session, actor, "expense_category.create", "expense_category", category.id,
                 branch_id=category.branch_id, name=name, kind=kind.value)
    session.flush()
    return category


def _row(session: Session, actor: User, category_id) -> ExpenseCategory:
    try:
        category_id = int(category_id)
    except (TypeError, ValueError):
        raise NotFound("费用类别不存在") from None
    category = row_in_branch(session, actor, ExpenseCategory, category_id, "费用类别不存在")
    if category.branch_id != actor.branch_id:
        raise NotFound("费用类别不存在")
    return category


def rename_category(session: Session, actor: User, category_id, name: str) -> ExpenseCategory:
    """A new name; what was booked to it stays booked to it (and shows the new name)."""
    require(actor, Permission.MANAGE_SETTINGS)
    category = _row(session, actor, category_id)
    name = _name(session, category.branch_id, name, other_than=category.id)
    if name != category.name:
        audit.record(session, actor, "expense_category.rename", "expense_category", category.id,
                     branch_id=category.branch_id, before=category.name, after=name)
        category.name = name
        session.add(category)
        session.flush()
    return category


def set_category_active(session: Session, actor: User, category_id, active: bool) -> ExpenseCategory:
    """Retire a category (nothing new is booked to it; what was booked stays) or use it again. The branch keeps one
    active promotion category: gifts are charged to it."""
    require(actor, Permission.MANAGE_SETTINGS)
    category = locked(session, ExpenseCategory, _row(session, actor, category_id).id)
    if not active and category.is_active and category.kind == ExpenseKind.PROMOTION and \
            len(active_categories(session, category.branch_id, (ExpenseKind.PROMOTION,))) == 1:
        raise DomainError("赠品出库记入促销类别，至少保留一个启用的促销类别", field="form")
    audit.record_active(session, actor, "expense_category", category, active, on="enable", off="disable")
    session.flush()
    return category
