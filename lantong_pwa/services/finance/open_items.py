"""Open items (应收应付): the one record of who owes what. A document that creates a debt adds its item here, in the
same transaction as the document (``add_item``); receipts, payments and allocations settle items (party_payments.py,
allocation.py). See models/open_item.py for the sign convention.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session

from lantong_pwa.services.finance import allocation, statements

from models import Direction, OpenItem, OpenItemSource, PartyKind, PaymentTerms


def due_on(terms: PaymentTerms | str, terms_days: int, document_date: date) -> date:
    """When a document of ``document_date`` falls due: 现结 the same day, 月结 N天 N days after the end of its month,
    账期 N天 N days after it."""
    match PaymentTerms(terms):
        case PaymentTerms.CASH:
            return document_date
        case PaymentTerms.MONTHLY:
            month_end = document_date.replace(day=calendar.monthrange(document_date.year, document_date.month)[1])
            return month_end + timedelta(days=terms_days)
        case PaymentTerms.DAYS:
            return document_date + timedelta(days=terms_days)


def add_item(session: Session, *, branch_id: int, party_kind: PartyKind, party_id: int, direction: Direction,
             source: OpenItemSource, source_id: int, number: str, amount: Decimal, document_date: date,
             due: date) -> OpenItem:
    """The open item of one document: ``amount`` signed as models/open_item.py says (a credit is negative), all of
    it open. A document has at most one item (a unique constraint); nothing is added for a zero amount."""
    item = OpenItem(branch_id=branch_id, party_kind=party_kind, party_id=party_id, direction=direction,
                    source=source, source_id=source_id, number=number, amount=amount, open_amount=amount,
                    document_date=document_date, due_on=due)
    session.add(item)
    session.flush()
    return item


@dataclass
class OpenItemView:
    id: int
    source: OpenItemSource
    number: str
    document_date: date
    due_on: date
    amount: Decimal
    open_amount: Decimal
    days_overdue: int  # 0 when not yet due
    kind: str = ""  # the document's name as statements call it


def open_item_views(session: Session, branch_id: int, party_kind: PartyKind, party_id: int, direction: Direction,
                    today: date) -> list[OpenItemView]:
    """The party's items with something open: debits oldest first (the order a payment takes them), then credits
    (the caller found the party with the actor's rights)."""
    items: list[OpenItem] = [*allocation.open_debits(session, branch_id, party_kind, party_id, direction),
                             *allocation.open_credits(session, branch_id, party_kind, party_id, direction)]
    return [OpenItemView(id=i.id, source=OpenItemSource(i.source), number=i.number, document_date=i.document_date,
                         due_on=i.due_on, amount=i.amount, open_amount=i.open_amount,
                         days_overdue=max((today - i.due_on).days, 0) if i.open_amount > 0 else 0,
                         kind=statements.document_label(i.source, direction)) for i in items]
