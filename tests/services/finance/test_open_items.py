"""Due dates from payment terms, and one open item per document."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from lantong_pwa.services.finance import open_items
from models import Direction, OpenItemSource, PartyKind, PaymentTerms


@pytest.mark.parametrize(("terms", "days", "document_date", "due"), [
    (PaymentTerms.CASH, 0, date(2026, 12, 4), date(2026, 12, 4)),
    (PaymentTerms.DAYS, 30, date(2026, 12, 4), date(2027, 1, 3)),
    (PaymentTerms.MONTHLY, 0, date(2026, 12, 4), date(2026, 12, 31)),
    (PaymentTerms.MONTHLY, 30, date(2026, 12, 4), date(2027, 1, 30)),
    (PaymentTerms.MONTHLY, 15, date(2027, 2, 28), date(2027, 3, 15)),
    (PaymentTerms.MONTHLY, 0, date(2028, 2, 1), date(2028, 2, 29)),
])
def test_due_dates_follow_the_terms(terms, days, document_date, due):
    assert open_items.due_on(terms, days, document_date) == due


def test_a_document_has_one_item_and_an_item_is_never_zero(session, shop):
    def item(source_id: int, amount: str):
        return open_items.add_item(
            session, branch_id=shop.branch.id, party_kind=PartyKind.SUPPLIER, party_id=1,
            direction=Direction.PAYABLE, source=OpenItemSource.GOODS_RECEIPT, source_id=source_id,
            number="RK20261204-0001", amount=Decimal(amount), document_date=date(2026, 12, 4), due=date(2026, 12, 4))

    added = item(1, "100.00")
    assert (added.amount, added.open_amount) == (Decimal("100.00"), Decimal("100.00"))
    with pytest.raises(IntegrityError), session.begin_nested():
        item(1, "50.00")
    with pytest.raises(IntegrityError), session.begin_nested():
        item(2, "0.00")
