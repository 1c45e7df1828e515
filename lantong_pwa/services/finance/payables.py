"""What the shop owes suppliers (应付, issue 15 item 8): paying a supplier, its ageing, open items and statement.

The rules are the parties' rules, shared with receivables (应收): allocating in allocation.py, paying in
party_payments.py, ageing in ageing.py and statements in statements.py. This module checks the supplier rights
(VIEW_PAYABLES, PAY_SUPPLIERS) and names the supplier.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from lantong_pwa.services.finance import ageing, party_payments, statements
from lantong_pwa.services.finance.open_items import OpenItemView, open_item_views
from lantong_pwa.services.finance.ageing import AGE_BUCKETS, AgeingRow  # noqa: F401 (the screens' names)
from lantong_pwa.services.finance.allocation import (  # noqa: F401 (receiving and returns apply credits here)
    allocate,
    apply_credits,
    balance_of,
    party_row,
)
from lantong_pwa.services.finance.party_payments import PaymentRequest
from lantong_pwa.services.finance.statements import (  # noqa: F401
    STATEMENT_HEADERS,
    Statement,
    statement_period,
    statement_table,
)
from lantong_pwa.services.platform.permissions import Permission, require
from models import Direction, PartyKind, PartyPayment, Supplier, User


def pay_supplier(session: Session, actor: User, supplier_id: int, request: PaymentRequest) -> PartyPayment:
    """Pay a supplier (现金, 银行转账 …): the payment, its credit item allocated to the chosen debits or oldest first,
    then every open credit applied; an overpayment stays open as an advance. A resent request key returns the first
    payment."""
    require(actor, Permission.PAY_SUPPLIERS)
    supplier = party_row(session, actor, PartyKind.SUPPLIER, supplier_id)
    return party_payments.record(session, actor, PartyKind.SUPPLIER, supplier, Direction.PAYABLE, request)


def supplier_ageing(session: Session, actor: User, today: date, *, branch_id: int | None = None
                    ) -> tuple[list[AgeingRow], AgeingRow]:
    """Every supplier of the branch with something open, by ageing bucket (most overdue first), and the total."""
    return ageing.ageing(session, actor, today, party_kind=PartyKind.SUPPLIER, direction=Direction.PAYABLE,
                         branch_id=branch_id)


def one_supplier_ageing(session: Session, actor: User, supplier_id: int, today: date) -> AgeingRow:
    """One supplier's ageing (zeros when nothing is open)."""
    require(actor, Permission.VIEW_PAYABLES)
    supplier = party_row(session, actor, PartyKind.SUPPLIER, supplier_id)
    return ageing.party_ageing(session, supplier.branch_id, supplier, PartyKind.SUPPLIER, Direction.PAYABLE, today)


AGEING_HEADERS = ("供应商", *AGE_BUCKETS, "未核销预付/退货", "应付余额")


def ageing_table(rows: list[AgeingRow], total: AgeingRow) -> list[list]:
    return ageing.ageing_table(rows, total, kinds=False)


def supplier_open_items(session: Session, actor: User, supplier_id: int, today: date) -> list[OpenItemView]:
    require(actor, Permission.VIEW_PAYABLES)
    supplier = party_row(session, actor, PartyKind.SUPPLIER, supplier_id)
    return open_item_views(session, supplier.branch_id, PartyKind.SUPPLIER, supplier.id, Direction.PAYABLE, today)


def supplier_statement(session: Session, actor: User, supplier_id: int, date_from: date, date_to: date) -> Statement:
    """对账单: the balance owed before ``date_from``, each receipt, return and payment of the period in order with
    the balance after it, and the balance at the end of ``date_to`` (shop days)."""
    require(actor, Permission.VIEW_PAYABLES)
    supplier: Supplier = party_row(session, actor, PartyKind.SUPPLIER, supplier_id)
    return statements.party_statement(session, supplier.branch_id, PartyKind.SUPPLIER, supplier.id,
                                      Direction.PAYABLE, supplier.name, date_from, date_to)


def payments_of(session: Session, actor: User, supplier_id: int, limit: int = 20) -> list[PartyPayment]:
    """The supplier's latest payments, newest first."""
    require(actor, Permission.VIEW_PAYABLES)
    supplier = party_row(session, actor, PartyKind.SUPPLIER, supplier_id)
    return party_payments.payments_of(session, supplier.branch_id, PartyKind.SUPPLIER, supplier.id, limit)
