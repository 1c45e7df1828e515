"""Cash and bank (F3): accounts, where each method's money goes, the journal with its running balance, opening
balances and transfers, and the invariant that each account's balance is the sum of its journal."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError, FormErrors, PermissionDenied
from lantong_pwa.services.cashier import member_cards
from lantong_pwa.services.cashier.settlement import settle
from lantong_pwa.services.finance import cash_book, payables
from lantong_pwa.services.platform import integrity
from lantong_pwa.timezone import local_day
from models import AccountTransfer, JournalEntry, MoneyAccount, PaymentMethod
from models.common import utc_now
from tests.conftest import refusal
from tests.races import race
from tests.services.cashier.test_settlement import completed_order, pay
from tests.services.finance.payables_rows import add_receipt, add_supplier

D = Decimal


@pytest.fixture
def books(session, shop):
    """The shop's branch with its default accounts, by name."""
    cash_book.ensure_accounts(session, shop.branch.id)
    session.commit()
    return {a.name: a for a in cash_book.accounts(session, shop.manager)}


def balance(session, account) -> Decimal:
    session.expire_all()
    return session.get(MoneyAccount, account.id).balance


def entries(session, account) -> list[tuple[Decimal, Decimal, str]]:
    return [(e.amount, e.balance_after, e.document_type) for e in session.exec(
        select(JournalEntry).where(JournalEntry.account_id == account.id).order_by(JournalEntry.id)).all()]


def test_a_branch_starts_with_the_default_accounts_once(session, shop, books):
    assert list(books) == ["现金", "基本户", "微信商户", "支付宝商户"]
    cash_book.ensure_accounts(session, shop.branch.id)
    assert len(cash_book.accounts(session, shop.manager)) == 4
    assert cash_book.method_accounts(session, shop.cashier) == {
        "cash": books["现金"].id, "bank_card": books["基本户"].id, "wechat": books["微信商户"].id,
        "alipay": books["支付宝商户"].id, "bank_transfer": books["基本户"].id}


def test_customer_payments_post_to_their_method_s_account(session, shop, books):
    order = completed_order(session, shop, parts=(("1", "500.00"),))  # ¥100 + ¥200 of labour and ¥500 of parts
    settle(session, shop.cashier, order.id)
    pay(session, shop.cashier, order, amount="100", key="a")
    pay(session, shop.cashier, order, PaymentMethod.WECHAT, amount="200.50", key="b")
    pay(session, shop.cashier, order, amount="50", key="c")
    card = member_cards.issue_card(session, shop.cashier, order.customer_id)
    member_cards.top_up(session, shop.cashier, card.id, "300", str(uuid.uuid4()))
    pay(session, shop.cashier, order, PaymentMethod.MEMBER_CARD, amount="100", key="d", card_id=card.id)
    session.commit()
    assert entries(session, books["现金"]) == [(D("100.00"), D("100.00"), "payment"),
                                             (D("50.00"), D("150.00"), "payment"),
                                             (D("300.00"), D("450.00"), "member_card_top_up")]
    assert entries(session, books["微信商户"]) == [(D("200.50"), D("200.50"), "payment")]
    assert balance(session, books["现金"]) == D("450.00")
    assert entries(session, books["基本户"]) == []  # the member card's spend moves no money
    assert integrity.check(session) == []


def test_a_top_up_enters_the_account_of_the_method_it_was_paid_by(session, shop, books):
    order = completed_order(session, shop)
    card = member_cards.issue_card(session, shop.cashier, order.customer_id)
    entry = member_cards.top_up(session, shop.cashier, card.id, "300", str(uuid.uuid4()), method="alipay")
    with refusal(session, DomainError, "请选择充值方式"):
        member_cards.top_up(session, shop.cashier, card.id, "300", str(uuid.uuid4()), method="on_account")
    session.commit()
    assert entry.note == "充值（支付宝）"
    assert entries(session, books["支付宝商户"]) == [(D("300.00"), D("300.00"), "member_card_top_up")]
    assert entries(session, books["现金"]) == []


def test_paying_a_supplier_by_bank_transfer_leaves_the_bank_account(session, shop, books):
    supplier = add_supplier(session, shop.branch.id)
    add_receipt(session, shop.parts_clerk, supplier, local_day(utc_now()), amount="800")
    payables.pay_supplier(session, shop.cashier, supplier.id, payables.PaymentRequest(
        method="bank_transfer", amount="800", request_key=str(uuid.uuid4())))
    session.commit()
    assert entries(session, books["基本户"]) == [(D("-800.00"), D("-800.00"), "party_payment")]


def test_a_method_can_go_to_another_account(session, shop, books):
    second = cash_book.create_account(session, shop.manager, "bank", "招商银行", "6225 8888 0000 1234")
    cash_book.map_method(session, shop.manager, "bank_card", second.id)
    order = completed_order(session, shop)
    settle(session, shop.cashier, order.id)
    pay(session, shop.cashier, order, PaymentMethod.CARD, amount="66", key="card")
    session.commit()
    assert entries(session, second) == [(D("66.00"), D("66.00"), "payment")]
    assert entries(session, books["基本户"]) == []


def test_opening_balance_only_on_an_empty_account(session, shop, books):
    cash_book.set_opening_balance(session, shop.manager, books["现金"].id, "1000")
    session.commit()
    with refusal(session, match="已有收支记录"):
        cash_book.set_opening_balance(session, shop.manager, books["现金"].id, "2000")
    assert balance(session, books["现金"]) == D("1000.00")
    with refusal(session, PermissionDenied):
        cash_book.set_opening_balance(session, shop.cashier, books["基本户"].id, "5")


def test_a_transfer_moves_money_once_and_never_more_than_there_is(session, shop, books):
    cash_book.set_opening_balance(session, shop.manager, books["现金"].id, "1000")
    key = str(uuid.uuid4())
    first = cash_book.transfer(session, shop.cashier, books["现金"].id, books["基本户"].id, "800", "存现", key)
    again = cash_book.transfer(session, shop.cashier, books["现金"].id, books["基本户"].id, "800", "存现", key)
    session.commit()
    assert again.id == first.id and first.number.startswith("ZZ")
    assert (balance(session, books["现金"]), balance(session, books["基本户"])) == (D("200.00"), D("800.00"))
    with refusal(session, match="余额¥200.00，不够转出¥300.00"):
        cash_book.transfer(session, shop.cashier, books["现金"].id, books["基本户"].id, "300", "", str(uuid.uuid4()))
    with refusal(session, FormErrors) as refused:
        cash_book.transfer(session, shop.cashier, books["现金"].id, books["现金"].id, "-1", "", str(uuid.uuid4()))
    assert set(refused.value.errors) == {"to_account_id", "amount"}
    with refusal(session, PermissionDenied):
        cash_book.transfer(session, shop.technician, books["现金"].id, books["基本户"].id, "1", "", "k")
    assert len(session.exec(select(AccountTransfer)).all()) == 1
    assert integrity.check(session) == []


def test_the_journal_of_a_period(session, shop, books):
    cash_book.set_opening_balance(session, shop.manager, books["现金"].id, "500")
    cash_book.transfer(session, shop.cashier, books["现金"].id, books["微信商户"].id, "120", "", str(uuid.uuid4()))
    session.commit()
    today = local_day(utc_now())
    day = cash_book.journal(session, shop.cashier, books["现金"].id, today, today)
    assert (day.opening, day.received, day.paid, day.closing) == (D("0.00"), D("500.00"), D("120.00"), D("380.00"))
    assert [e.balance_after for e in day.entries] == [D("500.00"), D("380.00")]
    tomorrow = cash_book.journal(session, shop.cashier, books["现金"].id, today + timedelta(days=1),
                                 today + timedelta(days=1))
    assert (tomorrow.opening, tomorrow.entries, tomorrow.closing) == (D("380.00"), [], D("380.00"))
    with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
        cash_book.journal(session, shop.cashier, books["现金"].id, today, today - timedelta(days=1))


def test_new_accounts_are_checked(session, shop, books):
    with refusal(session, FormErrors) as refused:
        cash_book.create_account(session, shop.manager, "safe", "现金", "x" * 41)
    assert set(refused.value.errors) == {"kind", "name", "account_number"}
    with refusal(session, PermissionDenied):
        cash_book.create_account(session, shop.cashier, "bank", "工商银行")


def test_the_check_finds_a_balance_that_is_not_its_journal(session, shop, books):
    cash_book.set_opening_balance(session, shop.manager, books["现金"].id, "10")
    session.commit()
    cash = session.get(MoneyAccount, books["现金"].id)
    cash.balance = D("11.00")
    session.add(cash)
    session.commit()
    problems = integrity.check(session)
    assert [p.rule for p in problems] == ["accounts_against_journal"]
    assert problems[0].rows == ("T01 现金：余额¥11.00，日记账合计¥10.00",)


def test_racing_transfers_never_overdraw(app_engine, session, shop, books):
    cash_book.set_opening_balance(session, shop.manager, books["现金"].id, "1000")
    session.commit()
    cashier_id, source, target = shop.cashier.id, books["现金"].id, books["基本户"].id

    def transferring(own):
        from models import User
        return cash_book.transfer(own, own.get(User, cashier_id), source, target, "300", "", str(uuid.uuid4()))

    results = race([transferring] * 6)
    assert sum(isinstance(r, AccountTransfer) for r in results) == 3
    assert all(isinstance(r, AccountTransfer) or "不够转出" in r.message for r in results)
    assert (balance(session, books["现金"]), balance(session, books["基本户"])) == (D("100.00"), D("900.00"))
    assert integrity.check(session) == []
