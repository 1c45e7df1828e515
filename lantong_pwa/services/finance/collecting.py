"""What customers, insurers and manufacturers owe the shop (应收, issue 17 items 1–3): collecting (收款), their
ageing, open items and statements.

The rules are the parties' rules, shared with payables (应付): allocating in allocation.py, the receipt in
party_payments.py (a ``PartyPayment`` facing ``receivable`` with its negative item, allocated to the items chosen or
oldest first; what is left stays open as an advance, 预收), ageing in ageing.py and statements in statements.py.
Paying down a customer's 挂账 is a receipt like any other. This module checks the rights (VIEW_RECEIVABLES to read,
COLLECT to record a receipt) and which parties owe the shop.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from lantong_pwa.errors import NotFound
from lantong_pwa.services.finance import ageing, allocation, party_payments, statements
from lantong_pwa.services.finance.ageing import AgeingRow
from lantong_pwa.services.finance.party_payments import PaymentRequest
from lantong_pwa.services.finance.open_items import OpenItemView, open_item_views
from lantong_pwa.services.finance.statements import Statement
from lantong_pwa.services.platform.permissions import Permission, require
from models import Direction, PartyKind, PartyPayment, User

DEBTORS = (PartyKind.CUSTOMER, PartyKind.INSURER, PartyKind.MANUFACTURER)  # who owes the shop


def debtor_kind(party_kind: PartyKind | str) -> PartyKind:
    """The kind of a party that can owe the shop; ``NotFound`` for any other (a supplier, a typo)."""
    try:
        kind = PartyKind(party_kind)
    except ValueError:
        raise NotFound("往来单位不存在") from None
    if kind not in DEBTORS:
        raise NotFound("往来单位不存在")
    return kind


def debtor(session: Session, actor: User, party_kind: PartyKind | str, party_id: int):
    """The customer, insurer or manufacturer, if the actor may see receivables and its branch."""
    require(actor, Permission.VIEW_RECEIVABLES)
    return allocation.party_row(session, actor, debtor_kind(party_kind), party_id)


def collect(session: Session, actor: User, party_kind: PartyKind | str, party_id: int,
            request: PaymentRequest) -> PartyPayment:
    """收款 from a customer, an insurer or a manufacturer: the receipt, its money into the method's account, and its
    credit allocated to the chosen items or oldest first; an overpayment stays open as an advance (预收) that the
    party's next item uses. A resent request key returns the first receipt and posts nothing."""
    require(actor, Permission.COLLECT)
    kind = debtor_kind(party_kind)
    party = allocation.party_row(session, actor, kind, party_id)
    return party_payments.record(session, actor, kind, party, Direction.RECEIVABLE, request)


def receivable_ageing(session: Session, actor: User, today: date, *, party_kind: PartyKind | str | None = None,
                      branch_id: int | None = None) -> tuple[list[AgeingRow], AgeingRow]:
    """Every party owing the shop (of ``party_kind`` when given), most overdue first, and the total."""
    require(actor, Permission.VIEW_RECEIVABLES)
    kind = debtor_kind(party_kind) if party_kind else None
    return ageing.ageing(session, actor, today, party_kind=kind, direction=Direction.RECEIVABLE, branch_id=branch_id)


def one_ageing(session: Session, actor: User, party_kind: PartyKind | str, party_id: int, today: date) -> AgeingRow:
    party = debtor(session, actor, party_kind, party_id)
    return ageing.party_ageing(session, party.branch_id, party, debtor_kind(party_kind), Direction.RECEIVABLE, today)


def open_items_of(session: Session, actor: User, party_kind: PartyKind | str, party_id: int,
                  today: date) -> list[OpenItemView]:
    """The party's open items: what it owes oldest first (the order a receipt takes them), then its advances."""
    party = debtor(session, actor, party_kind, party_id)
    return open_item_views(session, party.branch_id, debtor_kind(party_kind), party.id, Direction.RECEIVABLE, today)


def statement(session: Session, actor: User, party_kind: PartyKind | str, party_id: int, date_from: date,
              date_to: date) -> Statement:
    """对账单: the balance owed before ``date_from``, each 挂账, share, reversal and receipt of the period with the
    balance after it, and the balance at the end of ``date_to``."""
    party = debtor(session, actor, party_kind, party_id)
    return statements.party_statement(session, party.branch_id, debtor_kind(party_kind), party.id,
                                      Direction.RECEIVABLE, party.name, date_from, date_to)


def receipts_of(session: Session, actor: User, party_kind: PartyKind | str, party_id: int,
                limit: int = 20) -> list[PartyPayment]:
    """The party's latest receipts, newest first."""
    party = debtor(session, actor, party_kind, party_id)
    return party_payments.payments_of(session, party.branch_id, debtor_kind(party_kind), party.id, limit)
