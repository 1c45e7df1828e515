"""Paying suppliers (应付): oldest first or chosen items, credits applied, advances, resends, races; ageing by due
date; the statement (对账单)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.finance import payables
from lantong_pwa.services.finance.payables import PaymentRequest
from models import Allocation, AuditEvent, OpenItem, OpenItemSource, PartyKind, PartyPayment, PaymentTerms
from tests.conftest import refusal
from tests.races import race
from tests.services.finance.payables_rows import add_receipt, add_return, add_supplier

D = Decimal
DAY = date(2026, 9, 1)


def request(amount: str, key: str = "k1", method: str = "bank_transfer", items: tuple[int, ...] = (), **fields):
    return PaymentRequest(method=method, amount=amount, request_key=key, item_ids=items, **fields)


def opened(session, *items) -> list[Decimal]:
    session.expire_all()
    return [session.get(OpenItem, item.id).open_amount for item in items]


@pytest.fixture
def supplier(session, shop):
    return add_supplier(session, shop.branch.id)


def three_receipts(session, shop, supplier):
    """Receipts of ¥100, ¥200 and ¥300, due 30 days after 1, 2 and 3 September."""
    return [add_receipt(session, shop.parts_clerk, supplier, DAY + timedelta(days=n), amount=amount)[1]
            for n, amount in enumerate(("100", "200", "300"))]


def test_a_payment_settles_items_oldest_first(session, shop, supplier):
    a, b, c = three_receipts(session, shop, supplier)
    payment = payables.pay_supplier(session, shop.cashier, supplier.id, request("250.00", reference="HD001"))
    session.commit()
    assert (payment.amount, payment.method, payment.number[:2]) == (D("250.00"), "bank_transfer", "FK")
    assert opened(session, a, b, c) == [D("0.00"), D("50.00"), D("300.00")]
    credit = session.exec(select(OpenItem).where(OpenItem.source == OpenItemSource.PARTY_PAYMENT)).one()
    assert (credit.amount, credit.open_amount, credit.number) == (D("-250.00"), D("0.00"), payment.number)
    assert payables.balance_of(session, shop.branch.id, PartyKind.SUPPLIER, supplier.id) == D("350.00")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "party_payment.pay")).one()
    assert (event.entity_id, event.user_id) == (payment.id, shop.cashier.id)
    assert '"amount": "250.00"' in event.detail and '"reference": "HD001"' in event.detail


def test_oldest_is_by_due_date_then_document_date_then_id(session, shop):
    monthly = add_supplier(session, shop.branch.id, terms=PaymentTerms.MONTHLY, terms_days=0)
    later_doc = add_receipt(session, shop.parts_clerk, monthly, date(2026, 9, 20), amount="10")[1]
    earlier_doc = add_receipt(session, shop.parts_clerk, monthly, date(2026, 9, 5), amount="10")[1]
    same_day = add_receipt(session, shop.parts_clerk, monthly, date(2026, 9, 5), amount="10")[1]
    due_first = add_receipt(session, shop.parts_clerk, monthly, date(2026, 8, 30), amount="10")[1]
    assert {i.due_on for i in (later_doc, earlier_doc, same_day)} == {date(2026, 9, 30)}
    for n in range(4):
        payables.pay_supplier(session, shop.manager, monthly.id, request("10", key=f"k{n}"))
        session.commit()
        assert [x == 0 for x in opened(session, due_first, earlier_doc, same_day, later_doc)] == [
            True] * (n + 1) + [False] * (3 - n)


def test_a_payment_to_chosen_items(session, shop, supplier):
    a, b, c = three_receipts(session, shop, supplier)
    payables.pay_supplier(session, shop.cashier, supplier.id, request("500", items=(c.id, b.id), method="cash"))
    session.commit()
    assert opened(session, a, b, c) == [D("100.00"), D("0.00"), D("0.00")]


def test_a_chosen_item_already_settled_or_of_another_supplier_is_refused(session, shop, supplier):
    a, b, _ = three_receipts(session, shop, supplier)
    other = add_supplier(session, shop.branch.id, "其他汽配")
    theirs = add_receipt(session, shop.parts_clerk, other, DAY, amount="80")[1]
    payables.pay_supplier(session, shop.cashier, supplier.id, request("100", items=(a.id,)))
    for key, items in (("k2", (a.id,)), ("k3", (b.id, theirs.id)), ("k4", (999999,))):
        with refusal(session, DomainError, "所选单据已结清或不存在"):
            payables.pay_supplier(session, shop.cashier, supplier.id, request("100", key=key, items=items))
    assert session.exec(select(func.count()).select_from(PartyPayment)).one() == 1
    assert opened(session, b, theirs) == [D("200.00"), D("80.00")]


def test_an_overpayment_stays_an_advance_and_settles_the_next_receipt(session, shop, supplier):
    a, = [add_receipt(session, shop.parts_clerk, supplier, DAY, amount="100")[1]]
    payables.pay_supplier(session, shop.cashier, supplier.id, request("150"))
    session.commit()
    credit = session.exec(select(OpenItem).where(OpenItem.source == OpenItemSource.PARTY_PAYMENT)).one()
    assert opened(session, a, credit) == [D("0.00"), D("-50.00")]
    assert payables.balance_of(session, shop.branch.id, PartyKind.SUPPLIER, supplier.id) == D("-50.00")
    b = add_receipt(session, shop.parts_clerk, supplier, DAY + timedelta(days=3), amount="80")[1]
    made = payables.apply_credits(session, shop.parts_clerk, PartyKind.SUPPLIER, supplier.id)
    session.commit()
    assert [(m.debit_item_id, m.credit_item_id, m.amount) for m in made] == [(b.id, credit.id, D("50.00"))]
    assert opened(session, b, credit) == [D("30.00"), D("0.00")]


def test_a_return_credit_goes_to_its_own_receipt_first(session, shop, supplier):
    (ra, a), (rb, b) = (add_receipt(session, shop.parts_clerk, supplier, DAY + timedelta(days=n), amount=amount)
                        for n, amount in ((0, "100"), (1, "200")))
    _, back = add_return(session, shop.parts_clerk, rb, DAY + timedelta(days=5), "30")
    payables.apply_credits(session, shop.parts_clerk, PartyKind.SUPPLIER, supplier.id)
    session.commit()
    assert opened(session, a, b, back) == [D("100.00"), D("170.00"), D("0.00")]


def test_open_return_credits_are_applied_when_paying(session, shop, supplier):
    a, b, c = three_receipts(session, shop, supplier)
    receipt_b = session.get(OpenItem, b.id).source_id
    from models import GoodsReceipt
    _, back = add_return(session, shop.parts_clerk, session.get(GoodsReceipt, receipt_b), DAY + timedelta(days=4), "50")
    payables.pay_supplier(session, shop.cashier, supplier.id, request("150", items=(b.id,)))  # the return netted
    session.commit()
    assert opened(session, a, b, c, back) == [D("100.00"), D("0.00"), D("300.00"), D("0.00")]
    assert payables.balance_of(session, shop.branch.id, PartyKind.SUPPLIER, supplier.id) == D("400.00")
    assert sum(session.exec(select(Allocation.amount)).all()) == D("200.00")


def test_a_payment_sent_twice_posts_once(session, shop, supplier):
    a, b, _ = three_receipts(session, shop, supplier)
    first = payables.pay_supplier(session, shop.cashier, supplier.id, request("100", key="same"))
    session.commit()
    again = payables.pay_supplier(session, shop.cashier, supplier.id, request("200", key="same"))
    session.commit()
    assert again.id == first.id
    assert session.exec(select(func.count()).select_from(PartyPayment)).one() == 1
    assert opened(session, a, b) == [D("0.00"), D("200.00")]


@pytest.mark.parametrize(("fields", "errors"), [
    ({"method": "on_account"}, {"method": "请选择付款方式"}),
    ({"amount": "0"}, {"amount": "付款金额应大于0"}),
    ({"amount": "-5"}, {"amount": "付款金额不能为负数"}),
    ({"amount": "abc"}, {"amount": "付款金额应为数字"}),
    ({"amount": ""}, {"amount": "请输入付款金额"}),
    ({"amount": "1" * 30}, {"amount": "付款金额过大"}),
    ({"reference": "x" * 65}, {"reference": "凭证号最多64个字"}),
    ({"method": "", "amount": "0"}, {"method": "请选择付款方式", "amount": "付款金额应大于0"}),
])
def test_bad_input_changes_nothing(session, shop, supplier, fields, errors):
    a, = [add_receipt(session, shop.parts_clerk, supplier, DAY, amount="100")[1]]
    values = {"method": "cash", "amount": "100", **fields}
    with refusal(session, FormErrors) as caught:
        payables.pay_supplier(session, shop.cashier, supplier.id,
                              PaymentRequest(method=values["method"], amount=values["amount"], request_key="k",
                                             reference=values.get("reference", "")))
    assert caught.value.errors == errors
    assert session.exec(select(func.count()).select_from(PartyPayment)).one() == 0
    assert opened(session, a) == [D("100.00")]


def test_only_managers_and_cashiers_of_the_branch_pay(session, shop, supplier):
    add_receipt(session, shop.parts_clerk, supplier, DAY, amount="100")
    for role in ("parts_clerk", "advisor", "technician", "admin"):
        with refusal(session, PermissionDenied):
            payables.pay_supplier(session, shop.users[role], supplier.id, request("10", key=role))
    theirs = add_supplier(session, shop.other_branch.id, "外店供应商")
    with refusal(session, NotFound):
        payables.pay_supplier(session, shop.cashier, theirs.id, request("10"))
    with refusal(session, PermissionDenied):
        payables.supplier_ageing(session, shop.technician, DAY)
    with refusal(session, NotFound):
        payables.supplier_statement(session, shop.cashier, theirs.id, DAY, DAY)


def test_the_database_refuses_an_over_allocated_item(session, shop, supplier):
    a, = [add_receipt(session, shop.parts_clerk, supplier, DAY, amount="100")[1]]
    for wrong in (D("-1"), D("100.01")):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(update(OpenItem).where(OpenItem.id == a.id).values(open_amount=wrong))


def _paying(supplier, user, key, items=()):
    return lambda own: payables.pay_supplier(own, own.get(type(user), user.id), supplier.id,
                                             request("100", key=key, items=items)).id


def test_two_payments_at_once_take_the_oldest_items_one_after_the_other(session, shop, supplier, units):
    a, b = (add_receipt(session, shop.parts_clerk, supplier, DAY + timedelta(days=n), amount="100")[1]
            for n in range(2))
    results = race([_paying(supplier, shop.cashier, "r1"), _paying(supplier, shop.manager, "r2")])
    assert all(isinstance(r, int) for r in results), results
    assert opened(session, a, b) == [D("0.00"), D("0.00")]
    assert session.exec(select(func.count()).select_from(Allocation)).one() == 2
    assert not session.exec(select(OpenItem).where(OpenItem.open_amount != 0)).all()


def test_payments_racing_for_one_chosen_item_never_over_allocate(session, shop, supplier, units):
    a, b = (add_receipt(session, shop.parts_clerk, supplier, DAY + timedelta(days=n), amount="100")[1]
            for n in range(2))
    results = race([_paying(supplier, shop.cashier, "r1", (a.id,)), _paying(supplier, shop.manager, "r2", (a.id,)),
                    _paying(supplier, shop.cashier, "r3")])
    posted = [r for r in results if isinstance(r, int)]
    refused = [r.message for r in results if not isinstance(r, int)]
    assert posted and set(refused) <= {"所选单据已结清或不存在，请刷新后重试"}, results
    session.expire_all()
    allocated = session.exec(select(Allocation.debit_item_id, func.sum(Allocation.amount))
                             .group_by(Allocation.debit_item_id)).all()
    assert all(total <= D("100.00") for _, total in allocated)
    assert opened(session, a) == [D("0.00")]
    assert payables.balance_of(session, shop.branch.id, PartyKind.SUPPLIER, supplier.id) == (
        D("200.00") - D("100.00") * len(posted))
    assert session.exec(select(func.count()).select_from(PartyPayment)).one() == len(posted)


def test_ageing_by_due_date(session, shop, supplier):
    today = date(2026, 12, 4)
    cash = add_supplier(session, shop.branch.id, "现结汽配", terms=PaymentTerms.CASH)
    for days_overdue, amount in ((-5, "1"), (0, "2"), (1, "10"), (30, "20"), (31, "30"), (60, "40"), (61, "50"),
                                 (90, "60"), (91, "70"), (400, "80")):
        add_receipt(session, shop.parts_clerk, cash, today - timedelta(days=days_overdue), amount=amount)
    add_receipt(session, shop.parts_clerk, supplier, today - timedelta(days=10), amount="500")  # due in 20 days
    payables.pay_supplier(session, shop.cashier, cash.id, request("5", items=()))  # settles the oldest (400 days)
    session.commit()
    rows, total = payables.supplier_ageing(session, shop.parts_clerk, today)
    by_name = {r.name: r for r in rows}
    assert by_name["现结汽配"].buckets == [D("3.00"), D("30.00"), D("70.00"), D("110.00"), D("145.00")]
    assert by_name["现结汽配"].balance == D("358.00")
    assert by_name["华南汽配"].buckets == [D("500.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00")]
    assert [r.name for r in rows] == ["现结汽配", "华南汽配"], "most overdue first"
    assert total.balance == D("858.00") and total.buckets[0] == D("503.00")
    assert payables.one_supplier_ageing(session, shop.cashier, cash.id, today).buckets == by_name["现结汽配"].buckets
    assert payables.ageing_table(rows, total)[-1][0] == "合计"


def test_ageing_shows_an_advance_apart(session, shop, supplier):
    add_receipt(session, shop.parts_clerk, supplier, DAY, amount="100")
    payables.pay_supplier(session, shop.cashier, supplier.id, request("130"))
    session.commit()
    row = payables.one_supplier_ageing(session, shop.cashier, supplier.id, DAY)
    assert (row.buckets, row.credits, row.balance) == ([D("0.00")] * 5, D("-30.00"), D("-30.00"))


def test_the_statement_of_a_period(session, shop, supplier):
    from models import GoodsReceipt
    add_receipt(session, shop.parts_clerk, supplier, date(2026, 10, 20), amount="100")  # before: the opening
    receipt, _ = add_receipt(session, shop.parts_clerk, supplier, date(2026, 11, 3), amount="300")
    add_return(session, shop.parts_clerk, session.get(GoodsReceipt, receipt.id), date(2026, 11, 5), "20")
    payment = payables.pay_supplier(session, shop.cashier, supplier.id, request("250", reference="HD-9"))
    session.commit()
    pay_day = session.get(OpenItem, session.exec(select(OpenItem.id).where(
        OpenItem.source == OpenItemSource.PARTY_PAYMENT)).one()).document_date
    add_receipt(session, shop.parts_clerk, supplier, pay_day + timedelta(days=1), amount="999")  # after the period
    sheet = payables.supplier_statement(session, shop.parts_clerk, supplier.id, date(2026, 11, 1), pay_day)
    assert sheet.opening == D("100.00")
    assert [(line.source, line.increase, line.decrease, line.balance) for line in sheet.lines] == [
        (OpenItemSource.GOODS_RECEIPT, D("300.00"), D("0.00"), D("400.00")),
        (OpenItemSource.PURCHASE_RETURN, D("0.00"), D("20.00"), D("380.00")),
        (OpenItemSource.PARTY_PAYMENT, D("0.00"), D("250.00"), D("130.00")),
    ]
    assert sheet.lines[2].number == payment.number and sheet.lines[2].summary == "银行转账 HD-9"
    assert (sheet.closing, sheet.increases, sheet.decreases) == (D("130.00"), D("300.00"), D("270.00"))
    table = payables.statement_table(sheet)
    assert [row[1] for row in table] == ["期初余额", "进货入库", "采购退货", "付款", "本期合计", "期末余额"]
    assert table[-1][6] == D("130.00")


def test_statement_periods(session, shop):
    today = date(2026, 12, 4)
    assert payables.statement_period(None, None, today) == (date(2026, 12, 1), today)
    with pytest.raises(DomainError, match="开始日期不能晚于结束日期"):
        payables.statement_period(date(2026, 12, 5), today, today)
    with pytest.raises(DomainError, match="对账期间最长三年"):
        payables.statement_period(date(2020, 1, 1), today, today)


def test_open_items_list_debits_oldest_first_then_credits(session, shop, supplier):
    a, b, c = three_receipts(session, shop, supplier)
    payables.pay_supplier(session, shop.cashier, supplier.id, request("50"))
    session.commit()
    shown = payables.supplier_open_items(session, shop.cashier, supplier.id, DAY + timedelta(days=31))
    assert [(v.id, v.open_amount, v.days_overdue) for v in shown] == [
        (a.id, D("50.00"), 1), (b.id, D("200.00"), 0), (c.id, D("300.00"), 0)]


def test_allocate_is_party_generic(session, shop, supplier):
    """The finance module allocates any party's credit the same way (here a supplier's, to chosen items)."""
    a, b, _ = three_receipts(session, shop, supplier)
    payment = payables.pay_supplier(session, shop.cashier, supplier.id, request("10", items=(b.id,)))
    session.commit()
    assert opened(session, a, b) == [D("100.00"), D("190.00")]
    with pytest.raises(NotFound):
        payables.allocate(session, shop.cashier, PartyKind.SUPPLIER, supplier.id, "payable", a.id)
    assert payment.party_kind == PartyKind.SUPPLIER
