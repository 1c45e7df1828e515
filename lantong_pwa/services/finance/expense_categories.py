"""Expense categories (费用类别) per branch: a new branch starts with the defaults below; the storeroom's internal
use and gifts are charged to them, and finance books expenses to them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError
from models import ExpenseCategory, ExpenseKind

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
