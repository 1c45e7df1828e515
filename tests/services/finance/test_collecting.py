"""Collecting what customers, insurers and manufacturers owe (应收): oldest first or chosen items, advances used
later, resends, over-allocation refused, a race; the ageing of all parties; the month's statement."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.finance import ageing, allocation, cash_book, collecting, party_checks, statements
from lantong_pwa.services.finance.party_payments import PaymentRequest
from models import (
    Allocation,
    AuditEvent,
    Customer,
    Direction,
    JournalEntry,
    MoneyAccount,
    OpenItem,
    OpenItemSource,
    PartyKind,
    PartyPayment,
    PaymentMethod,
)
from tests.conftest import refusal
from tests.races import race
from tests.services.cashier.test_settlement import pay, settled_order
from tests.services.finance.payables_rows import add_receipt, add_supplier
from tests.services.finance.receivable_rows import add_counterparty, add_customer, add_owed

D = Decimal
DAY = date(2026, 9, 1)
CUSTOMER = PartyKind.CUSTOMER


def request(amount: str, key: str = "k1", method: str = "wechat", items: tuple[int, ...] = (), **fields):
    return PaymentRequest(method=method, amount=amount, request_key=key, item_ids=items, **fields)


def opened(session, *items) -> list[Decimal]:
    session.expire_all()
    return [session.get(OpenItem, item.id).open_amount for item in items]


@pytest.fixture
def fleet(session, shop):
    cash_book.ensure_accounts(session, shop.branch.id)
    session.commit()
    return add_customer(session, shop.branch.id)


def three_owed(session, party):
    """挂账 of ¥100, ¥200 and ¥300 from settlements of 1, 2 and 3 September."""
    return [add_owed(session, party, amount, DAY + timedelta(days=n)) for n, amount in enumerate(("100", "200", "300"))]


def owed(session, shop, party, kind=CUSTOMER) -> Decimal:
    return allocation.balance_of(session, shop.branch.id, kind, party.id, Direction.RECEIVABLE)


def test_a_receipt_settles_items_oldest_first_and_posts_to_its_account(session, shop, fleet):
    a, b, c = three_owed(session, fleet)
    receipt = collecting.collect(session, shop.cashier, CUSTOMER, fleet.id, request("250.00", reference="WX88"))
    session.commit()
    assert (receipt.amount, receipt.direction, receipt.number[:2]) == (D("250.00"), "receivable", "SK")
    assert opened(session, a, b, c) == [D("0.00"), D("50.00"), D("300.00")]
    assert owed(session, shop, fleet) == D("350.00")
    wechat = cash_book.account_of_method(session, shop.branch.id, "wechat")
    entry = session.exec(select(JournalEntry).where(JournalEntry.account_id == wechat.id)).one()
    assert (entry.amount, entry.document_type, entry.document_id) == (D("250.00"), "party_receipt", receipt.id)
    assert session.get(MoneyAccount, wechat.id).balance == D("250.00")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "party_payment.collect")).one()
    assert (event.entity_id, event.user_id) == (receipt.id, shop.cashier.id)


def test_a_receipt_to_chosen_items(session, shop, fleet):
    a, b, c = three_owed(session, fleet)
    collecting.collect(session, shop.cashier, CUSTOMER, fleet.id, request("350", items=(c.id, a.id), method="cash"))
    session.commit()
    assert opened(session, a, b, c) == [D("0.00"), D("200.00"), D("50.00")]


def test_a_chosen_item_of_another_party_or_settled_is_refused(session, shop, fleet):
    a, = three_owed(session, fleet)[:1]
    other = add_customer(session, shop.branch.id, "另一车队")
    theirs = add_owed(session, other, "80", DAY)
    with refusal(session, DomainError, match="所选单据已结清或不存在"):
        collecting.collect(session, shop.cashier, CUSTOMER, fleet.id, request("80", items=(theirs.id,)))
    assert session.exec(select(func.count()).select_from(PartyPayment)).one() == 0
    collecting.collect(session, shop.cashier, CUSTOMER, fleet.id, request("100", items=(a.id,)))
    with refusal(session, DomainError, match="所选单据已结清或不存在"):
        collecting.collect(session, shop.cashier, CUSTOMER, fleet.id, request("100", key="k2", items=(a.id,)))


def test_an_overpayment_stays_an_advance_used_by_the_next_item_and_the_next_receipt(session, shop, fleet):
    a = add_owed(session, fleet, "100", DAY)
    collecting.collect(session, shop.cashier, CUSTOMER, fleet.id, request("250"))
    session.commit()
    assert opened(session, a) == [D("0.00")]
    assert owed(session, shop, fleet) == D("-150.00")  # 预收
    rows, total = collecting.receivable_ageing(session, shop.manager, DAY)
    assert (rows[0].credits, rows[0].balance) == (D("-150.00"), D("-150.00"))
    b = add_owed(session, fleet, "120", DAY + timedelta(days=5))  # the next 挂账 posts and applies credits
    allocation.apply_credits(session, shop.cashier, CUSTOMER, fleet.id, Direction.RECEIVABLE)
    session.commit()
    assert opened(session, b) == [D("0.00")]
    c = add_owed(session, fleet, "100", DAY + timedelta(days=6))  # left unapplied: the next receipt applies it
    collecting.collect(session, shop.cashier, CUSTOMER, fleet.id, request("40", key="k2"))
    session.commit()
    assert opened(session, c) == [D("30.00")]  # ¥30 advance + ¥40 receipt
    assert owed(session, shop, fleet) == D("30.00")
    assert party_checks.items_against_allocations(session) == []  # python -m lantong_pwa check agrees


def test_a_receipt_sent_twice_posts_once(session, shop, fleet):
    a, b, _ = three_owed(session, fleet)
    first = collecting.collect(session, shop.cashier, CUSTOMER, fleet.id, request("150", key="same"))
    session.commit()
    again = collecting.collect(session, shop.cashier, CUSTOMER, fleet.id, request("150", key="same"))
    session.commit()
    assert again.id == first.id
    assert session.exec(select(func.count()).select_from(PartyPayment)).one() == 1
    assert session.exec(select(func.count()).select_from(JournalEntry)).one() == 1
    assert opened(session, a, b) == [D("0.00"), D("150.00")]


@pytest.mark.parametrize(("fields", "errors"), [
    ({"method": "member_card"}, {"method": "请选择收款方式"}),
    ({"amount": "0"}, {"amount": "收款金额应大于0"}),
    ({"amount": "abc"}, {"amount": "收款金额应为数字"}),
    ({"note": "x" * 201}, {"note": "备注最多200个字"}),
])
def test_bad_input_changes_nothing(session, shop, fleet, fields, errors):
    a = add_owed(session, fleet, "100", DAY)
    values = {"method": "cash", "amount": "100", **fields}
    with refusal(session, FormErrors) as caught:
        collecting.collect(session, shop.cashier, CUSTOMER, fleet.id,
                            PaymentRequest(method=values["method"], amount=values["amount"], request_key="k",
                                           note=values.get("note", "")))
    assert caught.value.errors == errors
    assert session.exec(select(func.count()).select_from(PartyPayment)).one() == 0
    assert opened(session, a) == [D("100.00")]


def test_an_insurer_and_a_manufacturer_are_collected_from(session, shop, fleet):
    insurer = add_counterparty(session, shop.branch.id)
    maker = add_counterparty(session, shop.branch.id, PartyKind.MANUFACTURER, "一汽大众")
    share = add_owed(session, insurer, "3000", DAY)
    claim = add_owed(session, maker, "800", DAY)
    collecting.collect(session, shop.cashier, PartyKind.INSURER, insurer.id,
                        request("3000", method="bank_transfer", reference="PA-1"))
    collecting.collect(session, shop.cashier, PartyKind.MANUFACTURER, maker.id, request("500", key="k2"))
    session.commit()
    assert opened(session, share, claim) == [D("0.00"), D("300.00")]
    with refusal(session, NotFound):  # the manufacturer is no insurer
        collecting.collect(session, shop.cashier, PartyKind.INSURER, maker.id, request("1", key="k3"))


def test_who_may_collect_and_see(session, shop, fleet):
    add_owed(session, fleet, "100", DAY)
    supplier = add_supplier(session, shop.branch.id)
    with refusal(session, PermissionDenied):
        collecting.collect(session, shop.manager, CUSTOMER, fleet.id, request("10"))
    with refusal(session, NotFound):  # suppliers are paid, not collected from
        collecting.collect(session, shop.cashier, PartyKind.SUPPLIER, supplier.id, request("10"))
    with refusal(session, PermissionDenied):
        collecting.receivable_ageing(session, shop.advisor, DAY)
    elsewhere = add_customer(session, shop.other_branch.id, "别家车队")
    with refusal(session, NotFound):  # another branch's customer looks missing
        collecting.open_items_of(session, shop.manager, CUSTOMER, elsewhere.id, DAY)
    assert [r.name for r in collecting.receivable_ageing(session, shop.manager, DAY)[0]] == ["顺丰车队"]


def test_the_database_refuses_an_over_allocated_item(session, shop, fleet):
    a = add_owed(session, fleet, "100", DAY)
    with pytest.raises(IntegrityError):
        session.execute(update(OpenItem).where(OpenItem.id == a.id).values(open_amount=D("-1")))
        session.flush()
    session.rollback()
    with pytest.raises(IntegrityError):
        session.add(Allocation(branch_id=shop.branch.id, debit_item_id=a.id, credit_item_id=a.id, amount=D("0"),
                               user_id=shop.cashier.id))
        session.flush()
    session.rollback()


def _collecting(customer, user, key, items=()):
    return lambda own: collecting.collect(own, own.get(type(user), user.id), CUSTOMER, customer.id,
                                           request("100", key=key, items=items)).id


def test_two_receipts_racing_for_one_item_never_over_allocate(session, shop, fleet, units):
    a, b = add_owed(session, fleet, "100", DAY), add_owed(session, fleet, "100", DAY + timedelta(days=1))
    results = race([_collecting(fleet, shop.cashier, "r1", (a.id,)), _collecting(fleet, shop.cashier, "r2", (a.id,))])
    posted = [r for r in results if isinstance(r, int)]
    refused = [r.message for r in results if not isinstance(r, int)]
    assert len(posted) == 1 and refused == ["所选单据已结清或不存在，请刷新后重试"], results
    session.expire_all()
    assert opened(session, a, b) == [D("0.00"), D("100.00")]
    assert session.exec(select(func.sum(Allocation.amount))).one() == D("100.00")
    assert session.exec(select(func.count()).select_from(JournalEntry)).one() == 1


def test_two_receipts_at_once_take_the_oldest_items_one_after_the_other(session, shop, fleet, units):
    a, b = add_owed(session, fleet, "100", DAY), add_owed(session, fleet, "100", DAY + timedelta(days=1))
    results = race([_collecting(fleet, shop.cashier, "r1"), _collecting(fleet, shop.cashier, "r2")])
    assert all(isinstance(r, int) for r in results), results
    assert opened(session, a, b) == [D("0.00"), D("0.00")]


def test_ageing_of_all_parties_by_kind_and_direction(session, shop, fleet):
    today = DAY + timedelta(days=100)
    add_owed(session, fleet, "100", today, days=5)  # 未到期
    add_owed(session, fleet, "200", today - timedelta(days=40), days=0)  # 31–60
    insurer = add_counterparty(session, shop.branch.id)
    add_owed(session, insurer, "3000", today - timedelta(days=95), days=0)  # 90+
    supplier = add_supplier(session, shop.branch.id, terms_days=0)
    add_receipt(session, shop.parts_clerk, supplier, today - timedelta(days=10), amount="500")  # 1–30 payable
    rows, total = ageing.ageing(session, shop.manager, today, direction=Direction.RECEIVABLE)
    assert [(r.name, r.party_kind) for r in rows] == [("平安保险", PartyKind.INSURER), ("顺丰车队", CUSTOMER)]
    assert rows[1].buckets == [D("100.00"), D("0.00"), D("200.00"), D("0.00"), D("0.00")]
    assert (total.buckets[4], total.balance) == (D("3000.00"), D("3300.00"))
    customers, _ = ageing.ageing(session, shop.manager, today, party_kind=CUSTOMER, direction=Direction.RECEIVABLE)
    assert [r.party_id for r in customers] == [fleet.id]
    everyone, _ = ageing.ageing(session, shop.manager, today)
    assert {(r.party_kind, r.direction) for r in everyone} == {
        (PartyKind.INSURER, Direction.RECEIVABLE), (CUSTOMER, Direction.RECEIVABLE),
        (PartyKind.SUPPLIER, Direction.PAYABLE)}
    clerk_sees, _ = ageing.ageing(session, shop.parts_clerk, today)  # payables only
    assert [r.party_kind for r in clerk_sees] == [PartyKind.SUPPLIER]
    assert clerk_sees[0].buckets[1] == D("500.00")
    with pytest.raises(PermissionDenied):
        ageing.ageing(session, shop.parts_clerk, today, direction=Direction.RECEIVABLE)
    table = ageing.ageing_table(rows, total)
    assert table[0][:3] == ["平安保险", "保险公司", "应收"] and table[-1][0] == "合计"


def test_the_statement_of_a_month(session, shop, fleet):
    add_owed(session, fleet, "500", date(2026, 8, 20))  # before: the opening balance
    a = add_owed(session, fleet, "100", date(2026, 9, 3))
    add_owed(session, fleet, "300", date(2026, 10, 2))  # after
    collecting.collect(session, shop.cashier, CUSTOMER, fleet.id, request("550", reference="WX1"))
    session.commit()
    received = session.exec(select(OpenItem).where(OpenItem.source == OpenItemSource.PARTY_PAYMENT)).one()
    first, last = statements.month_period(f"{received.document_date:%Y-%m}")
    sheet = collecting.statement(session, shop.manager, CUSTOMER, fleet.id, *statements.month_period("2026-09"))
    assert (sheet.opening, [l.number for l in sheet.lines], sheet.closing) == (D("500.00"), [a.number], D("600.00"))
    assert sheet.lines[0].kind == "挂账"
    this_month = collecting.statement(session, shop.manager, CUSTOMER, fleet.id, first, last)
    assert this_month.lines[-1].kind == "收款" and this_month.lines[-1].decrease == D("550.00")
    assert this_month.lines[-1].summary == "微信 WX1"
    assert statements.statement_table(this_month)[-1][-2] == this_month.closing
    assert statements.headers(Direction.RECEIVABLE)[4] == "应收增加"
    with pytest.raises(DomainError, match="请选择对账月份"):
        statements.month_period("2026-13")


def test_an_advance_pays_the_next_on_account_settlement_at_once(session, shop):
    cash_book.ensure_accounts(session, shop.branch.id)
    order = settled_order(session, shop)
    customer = session.get(Customer, order.customer_id)
    customer.credit_limit = D("1000")
    session.add(customer)
    session.commit()
    collecting.collect(session, shop.cashier, CUSTOMER, customer.id, request("100", key="advance"))  # 预收
    session.commit()
    paid = pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, "400", key="on-account")
    session.commit()
    item = session.exec(select(OpenItem).where(OpenItem.source == OpenItemSource.ON_ACCOUNT,
                                               OpenItem.source_id == paid.id)).one()
    assert (item.amount, item.open_amount) == (D("400.00"), D("300.00"))
    assert owed(session, shop, customer) == D("300.00")
    assert party_checks.items_against_allocations(session) == []
