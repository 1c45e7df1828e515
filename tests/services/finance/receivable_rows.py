"""Rows for the receivables tests: customers, insurers and manufacturers, and what they owe written with
``open_items.add_item`` as a settlement posts it (挂账 ON_ACCOUNT, 保险 INSURANCE_SHARE, 三包 WARRANTY_SHARE)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session

from lantong_pwa.services.finance import open_items
from models import Counterparty, Customer, CustomerKind, Direction, OpenItem, OpenItemSource, PartyKind

_numbers = iter(range(1, 10**6))


def add_customer(session: Session, branch_id: int, name: str = "顺丰车队", *,
                 kind: CustomerKind = CustomerKind.FLEET) -> Customer:
    n = next(_numbers)
    customer = Customer(branch_id=branch_id, name=name, mobile=f"139{n:08d}", kind=kind,
                        credit_limit=Decimal("50000"))
    session.add(customer)
    session.commit()
    return customer


def add_counterparty(session: Session, branch_id: int, kind: PartyKind = PartyKind.INSURER,
                     name: str = "平安保险") -> Counterparty:
    party = Counterparty(branch_id=branch_id, kind=kind, name=name)
    session.add(party)
    session.commit()
    return party


SOURCES = {PartyKind.CUSTOMER: OpenItemSource.ON_ACCOUNT, PartyKind.INSURER: OpenItemSource.INSURANCE_SHARE,
           PartyKind.MANUFACTURER: OpenItemSource.WARRANTY_SHARE}


def add_owed(session: Session, party, amount: str, day: date, *, days: int = 30,
             kind: PartyKind | None = None) -> OpenItem:
    """What ``party`` owes from a settlement of ``day``, due ``days`` later."""
    kind = kind or (PartyKind(party.kind) if isinstance(party, Counterparty) else PartyKind.CUSTOMER)
    n = next(_numbers)
    item = open_items.add_item(session, branch_id=party.branch_id, party_kind=kind, party_id=party.id,
                               direction=Direction.RECEIVABLE, source=SOURCES[kind], source_id=n,
                               number=f"JS{n:06d}", amount=Decimal(amount), document_date=day,
                               due=day + timedelta(days=days))
    session.commit()
    return item
