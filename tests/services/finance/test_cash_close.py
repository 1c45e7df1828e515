"""日结/交班: the blind count against the cashier's cash in the journal, the difference explained and posted, the
shift's receipts, and one close at a time."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError, NotFound, PermissionDenied
from lantong_pwa.services.cashier import member_cards
from lantong_pwa.services.cashier.settlement import settle
from lantong_pwa.services.finance import cash_book, cash_close
from lantong_pwa.services.platform import integrity
from models import CashClose, CashCloseStatus, JournalEntry, MoneyAccount, PaymentMethod
from tests.conftest import refusal
from tests.races import race
from tests.services.cashier.test_settlement import completed_order, pay

D = Decimal


@pytest.fixture
def till(session, shop):
    """The branch's accounts, and a shift of the cashier: ¥100 and ¥50 in cash, ¥200 by WeChat, a ¥300 top-up."""
    cash_book.ensure_accounts(session, shop.branch.id)
    order = completed_order(session, shop, parts=(("1", "500.00"),))
    settle(session, shop.cashier, order.id)
    pay(session, shop.cashier, order, amount="100", key="a")
    pay(session, shop.cashier, order, PaymentMethod.WECHAT, amount="200", key="b")
    pay(session, shop.cashier, order, amount="50", key="c")
    card = member_cards.issue_card(session, shop.cashier, order.customer_id)
    member_cards.top_up(session, shop.cashier, card.id, "300", str(uuid.uuid4()))
    session.commit()
    return order


def cash_balance(session, shop) -> Decimal:
    session.expire_all()
    return session.exec(select(MoneyAccount.balance).where(MoneyAccount.branch_id == shop.branch.id,
                                                            MoneyAccount.name == "现金")).one()


def test_a_count_that_agrees_closes_the_shift_at_once(session, shop, till):
    shift = cash_close.current_shift(session, shop.cashier)
    assert shift.start is None and shift.waiting is None
    assert shift.by_method == {"cash": (D("150.00"), 2), "wechat": (D("200.00"), 1)}
    close = cash_close.count(session, shop.cashier, "450", str(uuid.uuid4()))
    session.commit()
    assert (close.expected, close.counted, close.status) == (D("450.00"), D("450.00"), CashCloseStatus.CLOSED)
    assert close.number.startswith("JB") and close.closed_at is not None
    after = cash_close.current_shift(session, shop.cashier)  # the next shift starts empty
    assert (after.start, after.by_method, after.payments) == (close.created_at, {}, [])


def test_a_difference_needs_its_reason_and_enters_the_cash_journal(session, shop, till):
    close = cash_close.count(session, shop.cashier, "440", str(uuid.uuid4()))
    session.commit()
    assert (close.status, close.expected, close.counted) == (CashCloseStatus.COUNTED, D("450.00"), D("440.00"))
    assert cash_close.current_shift(session, shop.cashier).waiting.id == close.id
    with refusal(session, match="请先说明"):
        cash_close.count(session, shop.cashier, "0", str(uuid.uuid4()))
    with refusal(session, match="请说明差异原因"):
        cash_close.explain(session, shop.cashier, close.id, "  ")
    cash_close.explain(session, shop.cashier, close.id, "找零多找了10元")
    session.commit()
    assert cash_balance(session, shop) == D("440.00")
    entry = session.exec(select(JournalEntry).where(JournalEntry.document_type == "cash_close")).one()
    assert (entry.amount, entry.summary) == (D("-10.00"), f"{close.number} 交班短款：找零多找了10元")
    with refusal(session, match="已经说明过差异"):
        cash_close.explain(session, shop.cashier, close.id, "again")
    # The next shift expects only what came after, not the difference.
    assert cash_close.count(session, shop.cashier, "0", str(uuid.uuid4())).status == CashCloseStatus.CLOSED
    assert integrity.check(session) == []


def test_the_sheet_lists_the_shift_s_receipts(session, shop, till):
    close = cash_close.count(session, shop.cashier, "450", str(uuid.uuid4()))
    session.commit()
    sheet = cash_close.close_sheet(session, shop.manager, close.id)
    assert [p.amount for p in sheet.payments] == [D("100.00"), D("200.00"), D("50.00")]
    assert sheet.by_method["cash"] == (D("150.00"), 2) and sheet.cashier.id == shop.cashier.id
    assert [c.id for c, _ in cash_close.recent_closes(session, shop.manager)] == [close.id]


def test_a_resent_count_counts_once(session, shop, till):
    key = str(uuid.uuid4())
    first = cash_close.count(session, shop.cashier, "450", key)
    again = cash_close.count(session, shop.cashier, "450", key)
    session.commit()
    assert first.id == again.id and len(session.exec(select(CashClose)).all()) == 1


@pytest.mark.parametrize(("counted", "message"), [("-1", "不能为负数"), ("abc", "清点现金"), ("", "清点现金")])
def test_bad_counts_change_nothing(session, shop, till, counted, message):
    with refusal(session, DomainError, match=message):
        cash_close.count(session, shop.cashier, counted, str(uuid.uuid4()))
    assert session.exec(select(CashClose)).all() == []


def test_only_cashiers_close_and_only_their_own(session, shop, till):
    close = cash_close.count(session, shop.cashier, "1", str(uuid.uuid4()))
    session.commit()
    for role in ("manager", "advisor", "technician"):
        with refusal(session, PermissionDenied):
            cash_close.count(session, shop.users[role], "0", str(uuid.uuid4()))
    with refusal(session, PermissionDenied):
        cash_close.close_sheet(session, shop.technician, close.id)
    with refusal(session, PermissionDenied):
        cash_close.explain(session, shop.manager, close.id, "manager")
    with refusal(session, NotFound):
        cash_close.close_sheet(session, shop.cashier, close.id + 1)


def test_two_counts_at_once_make_one_close(app_engine, session, shop, till):
    cashier_id = shop.cashier.id

    def counting(own):
        from models import User
        return cash_close.count(own, own.get(User, cashier_id), "450", str(uuid.uuid4()))

    results = race([counting] * 4)
    closes = session.exec(select(CashClose)).all()
    # Each count after the first starts a shift of its own (nothing in it): none double-counts the cash.
    assert sorted(c.expected for c in closes) == [D("0.00")] * (len(closes) - 1) + [D("450.00")]
    assert all(isinstance(r, CashClose) or isinstance(r, DomainError) for r in results)
