"""月度利润 (issue 17 item 8): a branch's profit per shop month of a year.

    revenue by kind (工时 labour, 配件 parts, 其他 other fees: the active settlements' totals after line discounts,
    all payers, tax included)
  − 整单优惠 (the settlements' order discounts)
  − 销项税额 (the VAT each settlement recorded inside its customer amount; insurer and warranty shares carry none)
  = 净收入 (net revenue, without VAT)
  − 配件成本 (the settlements' parts cost, at the average cost the parts left at)
  = 毛利
  − 费用 (expenses paid in the month) − 内部领料/赠品 (the storeroom's internal use and gifts at cost)
  − 库存损溢 (what stocktakes found short less what they found over, at the ledger's value, and goods written off
    in transit at the cost they left at: the sending branch's loss, since goods in transit are still its own)
  = 利润

A settlement counts in the month it was made while it is active (a reopened one no longer counts; its replacement
counts in its own month), as the daily figures count them. Every sum is taken in SQL, one grouped query each for
settlements, expenses, internal use, stocktakes and write-offs; every amount is stored to the fen, so the
arithmetic is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.finance import expenses
from lantong_pwa.services.finance.expenses import MONTHS, month_index, year_bounds
from lantong_pwa.services.platform.parsing import to_fen
from lantong_pwa.services.platform.permissions import Permission, require
from models import Settlement, SettlementStatus, StockMove, StockMoveKind, Transfer, TransferStep, User

ZERO = Decimal("0.00")


@dataclass
class MonthProfit:
    month: int
    labor: Decimal = ZERO
    parts: Decimal = ZERO
    other: Decimal = ZERO
    order_discount: Decimal = ZERO
    vat: Decimal = ZERO
    parts_cost: Decimal = ZERO
    expenses: Decimal = ZERO  # paid
    internal_use: Decimal = ZERO  # internal use and gifts at cost
    stock_losses: Decimal = ZERO  # stocktake shortfalls less surpluses, and write-offs in transit
    settlements: int = 0

    @property
    def gross_revenue(self) -> Decimal:
        """营业额: what the settlements bill, tax included, after order discounts."""
        return self.labor + self.parts + self.other - self.order_discount

    @property
    def net_revenue(self) -> Decimal:
        return self.gross_revenue - self.vat

    @property
    def gross_profit(self) -> Decimal:
        return self.net_revenue - self.parts_cost

    @property
    def profit(self) -> Decimal:
        return self.gross_profit - self.expenses - self.internal_use - self.stock_losses


@dataclass
class YearProfit:
    year: int
    months: list[MonthProfit]
    total: MonthProfit


FIELDS = ("labor", "parts", "other", "order_discount", "vat", "parts_cost", "expenses", "internal_use",
          "stock_losses", "settlements")


def _money(value) -> Decimal:
    return to_fen(Decimal(str(value or 0)))


def _stock_losses(session: Session, branch_id: int, year: int) -> list[tuple[int, Decimal]]:
    """(shop month, loss) of the year: stocktake moves' value changes negated, then write-offs in transit of
    transfers this branch sent."""
    start, end = year_bounds(year)
    month = month_index(StockMove.created_at, year)
    counted = session.exec(select(month, sa.func.sum(StockMove.value_change))
                           .where(StockMove.branch_id == branch_id, StockMove.kind == StockMoveKind.STOCKTAKE,
                                  StockMove.created_at >= start, StockMove.created_at < end)
                           .group_by(month)).all()
    month = month_index(TransferStep.created_at, year)
    lost = session.exec(select(month, sa.func.sum(TransferStep.value))
                        .join(Transfer, Transfer.id == TransferStep.transfer_id)
                        .where(Transfer.from_branch_id == branch_id, TransferStep.kind == "write_off",
                               TransferStep.created_at >= start, TransferStep.created_at < end)
                        .group_by(month)).all()
    return [(int(m), -_money(value)) for m, value in counted] + [(int(m), _money(value)) for m, value in lost]


def monthly_profit(session: Session, actor: User, year: int) -> YearProfit:
    """The branch's profit for each month of ``year`` and the year's total (for the manager and the admin, their
    own branch)."""
    require(actor, Permission.VIEW_FIGURES)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError("请选择年份", field="year") from None
    if not 2000 <= year <= 2100:
        raise DomainError("请选择年份", field="year")
    branch_id = actor.branch_id
    months = [MonthProfit(month=m) for m in range(1, MONTHS + 1)]
    start, end = year_bounds(year)
    month = month_index(Settlement.created_at, year)
    rows = session.exec(
        select(month, sa.func.count(), sa.func.sum(Settlement.labor_total), sa.func.sum(Settlement.parts_total),
               sa.func.sum(Settlement.other_total), sa.func.sum(Settlement.order_discount),
               sa.func.sum(Settlement.vat_amount), sa.func.sum(Settlement.parts_cost))
        .where(Settlement.branch_id == branch_id, Settlement.status == SettlementStatus.ACTIVE,
               Settlement.created_at >= start, Settlement.created_at < end)
        .group_by(month)).all()
    for m, count, labor, parts, other, discount, vat, cost in rows:
        if 1 <= int(m) <= MONTHS:
            row = months[int(m) - 1]
            row.settlements, row.labor, row.parts, row.other = int(count), _money(labor), _money(parts), _money(other)
            row.order_discount, row.vat, row.parts_cost = _money(discount), _money(vat), _money(cost)
    for (_category, m), amount in expenses.paid_by_month(session, branch_id, year).items():
        if 1 <= m <= MONTHS:
            months[m - 1].expenses += amount
    for (_category, m), amount in expenses.used_by_month(session, branch_id, year).items():
        if 1 <= m <= MONTHS:
            months[m - 1].internal_use += amount
    for m, amount in _stock_losses(session, branch_id, year):
        if 1 <= m <= MONTHS:
            months[m - 1].stock_losses += amount
    total = MonthProfit(month=0)
    for row in months:
        for name in FIELDS:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return YearProfit(year=year, months=months, total=total)


# (label, value of a month) in the order the screen and the sheet show them
LINES = (
    ("工时收入", lambda m: m.labor),
    ("配件收入", lambda m: m.parts),
    ("其他收入", lambda m: m.other),
    ("减：整单优惠", lambda m: m.order_discount),
    ("营业额（含税）", lambda m: m.gross_revenue),
    ("减：销项税额", lambda m: m.vat),
    ("净收入（不含税）", lambda m: m.net_revenue),
    ("减：配件成本", lambda m: m.parts_cost),
    ("毛利", lambda m: m.gross_profit),
    ("减：费用支出", lambda m: m.expenses),
    ("减：内部领料/赠品", lambda m: m.internal_use),
    ("减：库存损溢（盘点、途损）", lambda m: m.stock_losses),
    ("利润", lambda m: m.profit),
)
