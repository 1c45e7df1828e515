"""Invoices (发票, F2): issuing against a settlement's shares never beyond what is not yet invoiced, 红冲 freeing the
amount and never beyond what is left, received invoices matched to goods receipts within the tolerance, resends,
races, and the not-invoiced queries both ways."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.finance import invoices
from lantong_pwa.services.finance.invoices import IssueRequest, ReceiveRequest, ReverseRequest
from models import (
    AuditEvent,
    Counterparty,
    GoodsReceiptLine,
    Invoice,
    InvoiceSubject,
    PartyKind,
    PurchaseOrderLine,
    SettlementLine,
    SettlementLineKind,
    SettlementStatus,
    WorkOrderStatus,
)
from tests.conftest import refusal
from tests.factories import add_part, add_vehicle
from tests.races import race
from tests.services.finance.payables_rows import add_receipt, add_return, add_supplier
from tests.services.platform.test_figures import add_order, add_settlement

D = Decimal
DAY = date(2026, 9, 1)
WHEN = datetime(2026, 9, 1, 4, 0, tzinfo=UTC)
TAX_ID = "91440300MA5F123452"
OTHER_TAX_ID = "91350100M000100Y43"
_numbers = iter(range(1, 10**6))


def number() -> str:
    return f"2644{next(_numbers):016d}"


def settled(session, shop, customer="1130.00", insurance="0", insurer="平安保险", warranty="0", maker="一汽大众",
            status=SettlementStatus.ACTIVE, when=WHEN):
    vehicle = add_vehicle(session, shop.branch.id, plate=f"粤B{next(_numbers):05d}", mobile=f"139{next(_numbers):08d}",
                          owner_name="刘先生")
    order = add_order(session, vehicle, shop.advisor, f"WX{next(_numbers):06d}", when, WorkOrderStatus.SETTLED)
    settlement = add_settlement(session, order, shop.cashier, when, labor=str(D(customer) + D(insurance) + D(warranty)),
                                customer=customer, insurance=insurance, warranty=warranty, status=status)
    for payer, party, amount in (("insurance", insurer, insurance), ("warranty", maker, warranty)):
        if D(amount):
            session.add(SettlementLine(settlement_id=settlement.id, kind=SettlementLineKind.LABOR, description="工时",
                                       quantity=D("1"), unit_price=D(amount), amount=D(amount), net=D(amount),
                                       payer=payer, payer_party=party))
    session.commit()
    return settlement


def issue(session, user, settlement, amount="", key=None, share="customer", kind="normal", tax_id="", title="刘先生",
          invoice_number=None):
    return invoices.issue(session, user, IssueRequest(settlement_id=settlement.id, number=invoice_number or number(),
                                                      kind=kind, title=title, request_key=key or number(),
                                                      share=share, tax_id=tax_id, amount=amount))


def reverse(session, user, invoice, amount="", key=None, reason="抬头开错"):
    return invoices.reverse(session, user, ReverseRequest(invoice_id=invoice.id, number=number(), reason=reason,
                                                          request_key=key or number(), amount=amount))


def invoiced(session, settlement, share="customer") -> Decimal:
    session.expire_all()
    subject = session.exec(select(InvoiceSubject).where(InvoiceSubject.source_id == settlement.id,
                                                        InvoiceSubject.source == "settlement",
                                                        InvoiceSubject.share == share)).first()
    return subject.invoiced_amount if subject else D("0.00")


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


# --- validation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code, ok", [(TAX_ID, True), (OTHER_TAX_ID, True), ("91440300MA5F123453", False),
                                      ("91440300MA5F12345", False), ("91440300MA5F12345I", False)])
def test_tax_id_check_character(code, ok):
    assert invoices.tax_id_ok(code) is ok


def test_bad_fields_are_told_together_and_change_nothing(session, shop):
    settlement = settled(session, shop)
    with refusal(session, FormErrors) as caught:
        invoices.issue(session, shop.cashier, IssueRequest(settlement_id=settlement.id, number="1234", kind="special",
                                                           title="", request_key="k", tax_id="", amount="-1"))
    assert set(caught.value.errors) == {"number", "tax_id", "title", "amount"}
    assert "20位数字" in caught.value.errors["number"] and "统一社会信用代码" in caught.value.errors["tax_id"]
    with refusal(session, FormErrors) as caught:
        issue(session, shop.cashier, settlement, kind="special", tax_id="91440300MA5F123453", title="某公司")
    assert "校验位" in caught.value.errors["tax_id"]
    assert count(session, Invoice) == 0


def test_a_special_invoice_needs_the_buyer_tax_id_in_the_database_too(session, shop):
    settlement = settled(session, shop)
    made = issue(session, shop.cashier, settlement, kind="special", tax_id=TAX_ID.lower(), title="深圳某物流公司")
    session.commit()
    assert (made.kind, made.tax_id) == ("special", TAX_ID)
    with pytest.raises(IntegrityError):
        session.execute(update(Invoice).where(Invoice.id == made.id).values(tax_id=""))
        session.flush()
    session.rollback()


# --- issuing ---------------------------------------------------------------------------------------------------


def test_an_invoice_takes_what_is_left_with_the_settlement_vat(session, shop):
    settlement = settled(session, shop, customer="1130.00")
    made = issue(session, shop.cashier, settlement)
    session.commit()
    assert (made.amount, made.tax, made.tax_rate, made.number[:4]) == (D("1130.00"), D("130.00"), D("13.00"), "2644")
    assert invoiced(session, settlement) == D("1130.00")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "invoice.issue")).one()
    assert (event.entity_id, event.user_id) == (made.id, shop.cashier.id) and '"amount": "1130.00"' in event.detail


def test_over_invoicing_is_refused(session, shop):
    settlement = settled(session, shop, customer="500.00")
    issue(session, shop.cashier, settlement, amount="300")
    with refusal(session, match="不能超过未开票金额¥200.00"):
        issue(session, shop.cashier, settlement, amount="200.01")
    issue(session, shop.cashier, settlement, amount="200")
    with refusal(session, match="已全部开票"):
        issue(session, shop.cashier, settlement, amount="0.01")
    assert invoiced(session, settlement) == D("500.00") and count(session, Invoice) == 2


def test_the_database_refuses_invoicing_beyond_the_amount(session, shop):
    settlement = settled(session, shop, customer="500.00")
    issue(session, shop.cashier, settlement, amount="100")
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(update(InvoiceSubject).values(invoiced_amount=D("500.01")))
        session.flush()
    session.rollback()


def test_insurer_and_manufacturer_shares_are_invoiced_apart(session, shop):
    session.add(Counterparty(branch_id=shop.branch.id, kind=PartyKind.INSURER, name="平安保险", tax_id=TAX_ID))
    session.commit()
    settlement = settled(session, shop, customer="200.00", insurance="800.00", warranty="300.00")
    _, shares = invoices.settlement_for_invoicing(session, shop.cashier, settlement.id)
    assert [(s.key, s.amount, s.title, s.tax_id) for s in shares] == [
        ("customer", D("200.00"), "刘先生", ""), ("insurance:平安保险", D("800.00"), "平安保险", TAX_ID),
        ("warranty:一汽大众", D("300.00"), "一汽大众", "")]
    issue(session, shop.cashier, settlement, share="insurance:平安保险", kind="special", tax_id=TAX_ID, title="平安保险")
    with refusal(session, match="不能超过未开票金额¥300.00"):
        issue(session, shop.cashier, settlement, share="warranty:一汽大众", amount="300.01")
    with refusal(session, match="请选择开票对象"):
        issue(session, shop.cashier, settlement, share="insurance:人保")
    assert invoiced(session, settlement, "insurance") == D("800.00") and invoiced(session, settlement) == D("0.00")


def test_a_reopened_settlement_is_not_invoiced(session, shop):
    settlement = settled(session, shop, status=SettlementStatus.REOPENED)
    with refusal(session, match="已撤销"):
        issue(session, shop.cashier, settlement)


def test_a_resent_request_makes_one_invoice(session, shop):
    settlement = settled(session, shop)
    first = issue(session, shop.cashier, settlement, amount="100", key="same")
    again = issue(session, shop.cashier, settlement, amount="100", key="same")
    session.commit()
    assert again.id == first.id and count(session, Invoice) == 1 and invoiced(session, settlement) == D("100.00")


def test_an_invoice_number_is_recorded_once(session, shop):
    settlement = settled(session, shop)
    issue(session, shop.cashier, settlement, amount="100", invoice_number="26440000000000000001")
    with refusal(session, match="已登记过"):
        issue(session, shop.cashier, settlement, amount="100", invoice_number="2644 0000 0000 0000 0001")


@pytest.mark.parametrize("role", ["admin", "advisor", "technician", "parts_clerk"])
def test_who_may_issue(session, shop, role):
    settlement = settled(session, shop)
    with refusal(session, PermissionDenied):
        issue(session, shop.users[role], settlement)
    issue(session, shop.manager, settlement, amount="1")
    assert count(session, Invoice) == 1


def test_another_branch_settlement_looks_missing(session, shop):
    settlement = settled(session, shop)
    other = shop.other_branch_advisor
    other.role = "cashier"
    session.add(other)
    session.commit()
    with refusal(session, NotFound):
        issue(session, other, settlement)


# --- 红冲 -------------------------------------------------------------------------------------------------------


def test_a_full_reversal_frees_the_amount_to_invoice_again(session, shop):
    settlement = settled(session, shop, customer="1130.00")
    made = issue(session, shop.cashier, settlement)
    red = reverse(session, shop.manager, made)
    session.commit()
    assert (red.amount, red.tax, red.reverses_id, red.difference_reason) == (D("-1130.00"), D("-130.00"), made.id,
                                                                             "抬头开错")
    session.refresh(made)
    assert made.reversed_amount == D("1130.00") and invoiced(session, settlement) == D("0.00")
    again = issue(session, shop.cashier, settlement, title="深圳某物流公司", kind="special", tax_id=TAX_ID)
    assert again.amount == D("1130.00")
    with refusal(session, match="已全部红冲"):
        reverse(session, shop.manager, made)
    with refusal(session, match="红字发票不能再红冲"):
        reverse(session, shop.manager, red)


def test_a_partial_reversal_never_beyond_what_is_left(session, shop):
    settlement = settled(session, shop, customer="1130.00")
    made = issue(session, shop.cashier, settlement)
    red = reverse(session, shop.manager, made, amount="113")
    assert (red.amount, red.tax) == (D("-113.00"), D("-13.00"))
    with refusal(session, match="不能超过发票未红冲金额¥1017.00"):
        reverse(session, shop.manager, made, amount="1017.01")
    reverse(session, shop.manager, made, amount="1017")
    session.commit()
    assert invoiced(session, settlement) == D("0.00")
    session.refresh(made)
    assert made.reversed_amount == D("1130.00")
    with pytest.raises(IntegrityError):  # the database refuses reversing more than the invoice
        session.execute(update(Invoice).where(Invoice.id == made.id).values(reversed_amount=D("1130.01")))
        session.flush()
    session.rollback()


def test_only_managers_reverse_and_a_reason_is_needed(session, shop):
    made = issue(session, shop.cashier, settled(session, shop))
    with refusal(session, PermissionDenied):
        reverse(session, shop.cashier, made)
    with refusal(session, FormErrors) as caught:
        reverse(session, shop.manager, made, reason=" ")
    assert "红冲原因" in caught.value.errors["reason"]


def test_a_resent_reversal_makes_one(session, shop):
    made = issue(session, shop.cashier, settled(session, shop))
    first = reverse(session, shop.manager, made, amount="10", key="r")
    again = reverse(session, shop.manager, made, amount="10", key="r")
    session.commit()
    session.refresh(made)
    assert first.id == again.id and made.reversed_amount == D("10.00")


# --- receiving -------------------------------------------------------------------------------------------------


def receive(session, user, supplier, receipts, amount, tax="0", key=None, reason="", partial=False, kind="normal",
            tax_id=""):
    return invoices.receive(session, user, ReceiveRequest(
        supplier_id=supplier.id, receipt_ids=tuple(r.id for r in receipts), number=number(), kind=kind,
        amount=amount, tax=tax, request_key=key or number(), tax_id=tax_id, reason=reason, partial=partial))


def receipt_subject(session, receipt) -> InvoiceSubject | None:
    session.expire_all()
    return session.exec(select(InvoiceSubject).where(InvoiceSubject.source == "goods_receipt",
                                                     InvoiceSubject.source_id == receipt.id)).first()


@pytest.fixture
def supplier(session, shop):
    return add_supplier(session, shop.branch.id, tax_id=OTHER_TAX_ID)


def test_an_invoice_within_a_yuan_matches_several_receipts(session, shop, supplier):
    a, _ = add_receipt(session, shop.parts_clerk, supplier, DAY, amount="300")
    b, _ = add_receipt(session, shop.parts_clerk, supplier, DAY, amount="200.40")
    session.commit()
    made = receive(session, shop.cashier, supplier, [a, b], "501.00", tax="57.64", kind="special")
    session.commit()
    assert (made.amount, made.expected_amount, made.difference_reason, made.tax_id) == (
        D("501.00"), D("500.40"), "", OTHER_TAX_ID)
    assert [receipt_subject(session, r).invoiced_amount for r in (a, b)] == [D("300.00"), D("200.40")]
    with refusal(session, match="已全部收票"):
        receive(session, shop.cashier, supplier, [a], "300")


def test_a_difference_beyond_the_tolerance_is_refused_with_the_difference_or_taken_with_a_reason(session, shop,
                                                                                                   supplier):
    a, _ = add_receipt(session, shop.parts_clerk, supplier, DAY, amount="300")
    session.commit()
    with refusal(session, match=r"相差¥1.01.*差异原因") as caught:
        receive(session, shop.cashier, supplier, [a], "301.01")
    assert caught.value.field == "reason" and count(session, Invoice) == 0
    made = receive(session, shop.cashier, supplier, [a], "301.01", reason="供应商加收包装费")
    session.commit()
    assert made.difference_reason == "供应商加收包装费" and receipt_subject(session, a).invoiced_amount == D("300.00")


def test_a_smaller_invoice_booked_as_partial_leaves_the_rest_open(session, shop, supplier):
    a, _ = add_receipt(session, shop.parts_clerk, supplier, DAY, amount="300")
    b, _ = add_receipt(session, shop.parts_clerk, supplier, DAY, amount="200")
    session.commit()
    receive(session, shop.cashier, supplier, [a, b], "350", partial=True)
    session.commit()
    assert [receipt_subject(session, r).invoiced_amount for r in (a, b)] == [D("300.00"), D("50.00")]
    report = invoices.not_received(session, shop.cashier, DAY, DAY)
    assert [(r.number, r.remaining) for r in report.rows] == [(b.number, D("150.00"))]


def test_a_receipt_is_matched_to_its_order_prices_too(session, shop, supplier):
    part = add_part(session, shop.branch.id)
    receipt, _ = add_receipt(session, shop.parts_clerk, supplier, DAY, [(part.id, "10", "12")], ordered_days_before=3)
    line = session.exec(select(GoodsReceiptLine).where(GoodsReceiptLine.goods_receipt_id == receipt.id)).one()
    ordered = PurchaseOrderLine(branch_id=shop.branch.id, purchase_order_id=receipt.purchase_order_id, part_id=part.id,
                                quantity=D("10"), unit_price=D("10"), received_quantity=D("10"))
    session.add(ordered)
    session.flush()
    line.purchase_order_line_id = ordered.id
    session.add(line)
    session.commit()
    found = invoices.match(session, shop.cashier, supplier.id, [receipt.id], "120")
    assert (found.expected, found.at_order_prices, found.within) == (D("120.00"), D("100.00"), False)
    with refusal(session, match="与采购订单价¥100.00相差¥20.00"):
        receive(session, shop.cashier, supplier, [receipt], "120")


def test_goods_sent_back_come_off_and_a_received_reversal_frees_the_receipts(session, shop, supplier):
    a, _ = add_receipt(session, shop.parts_clerk, supplier, DAY, amount="300")
    add_return(session, shop.parts_clerk, a, DAY, amount="100")
    session.commit()
    made = receive(session, shop.cashier, supplier, [a], "200")
    with refusal(session, match="只能全额红冲"):
        reverse(session, shop.manager, made, amount="100")
    red = reverse(session, shop.manager, made)
    session.commit()
    assert red.amount == D("-200.00") and receipt_subject(session, a).invoiced_amount == D("0.00")


def test_another_supplier_receipt_is_refused(session, shop, supplier):
    other = add_supplier(session, shop.branch.id, "别家汽配")
    a, _ = add_receipt(session, shop.parts_clerk, other, DAY, amount="300")
    session.commit()
    with refusal(session, match="不属于该供应商"):
        receive(session, shop.cashier, supplier, [a], "300")


def test_a_resent_received_invoice_makes_one(session, shop, supplier):
    a, _ = add_receipt(session, shop.parts_clerk, supplier, DAY, amount="300")
    session.commit()
    first = receive(session, shop.cashier, supplier, [a], "300", key="same")
    again = receive(session, shop.cashier, supplier, [a], "300", key="same")
    session.commit()
    assert first.id == again.id and count(session, Invoice) == 1


@pytest.mark.parametrize("role", ["admin", "advisor", "technician", "parts_clerk"])
def test_who_may_receive(session, shop, supplier, role):
    a, _ = add_receipt(session, shop.parts_clerk, supplier, DAY, amount="300")
    with refusal(session, PermissionDenied):
        receive(session, shop.users[role], supplier, [a], "300")


# --- queries ---------------------------------------------------------------------------------------------------


def test_not_issued_lists_each_share_left_with_totals(session, shop):
    first = settled(session, shop, customer="500.00", insurance="800.00")
    second = settled(session, shop, customer="100.00")
    issue(session, shop.cashier, first, amount="200")
    issue(session, shop.cashier, second)
    settled(session, shop, customer="999.00", status=SettlementStatus.REOPENED)
    session.commit()
    report = invoices.not_issued(session, shop.manager, DAY, DAY)
    assert [(r.number, r.share_key, r.amount, r.invoiced, r.remaining) for r in report.rows] == [
        (first.number, "customer", D("500.00"), D("200.00"), D("300.00")),
        (first.number, "insurance:平安保险", D("800.00"), D("0.00"), D("800.00"))]
    assert (report.amount, report.invoiced, report.remaining) == (D("1300.00"), D("200.00"), D("1100.00"))
    assert [r.share_key for r in invoices.not_issued(session, shop.manager, DAY, DAY, "平安").rows] == [
        "insurance:平安保险"]
    assert invoices.not_issued(session, shop.manager, date(2026, 9, 2), date(2026, 9, 30)).rows == []
    table = invoices.not_invoiced_table(report)
    assert table[-1] == ["", "合计", "", "", D("1300.00"), D("200.00"), D("1100.00")]


def test_the_invoice_list_finds_by_document_and_shows_what_is_left(session, shop):
    settlement = settled(session, shop)
    made = issue(session, shop.cashier, settlement)
    reverse(session, shop.manager, made, amount="30")
    session.commit()
    rows = invoices.invoices(session, shop.cashier, "issued", DAY, date(2030, 1, 1), settlement.number)
    assert [(r.invoice.amount, r.documents, r.reversible, r.reverses) for r in rows] == [
        (D("-30.00"), settlement.number, D("0.00"), made.number),
        (D("1130.00"), settlement.number, D("1100.00"), "")]
    with pytest.raises(PermissionDenied):
        invoices.invoices(session, shop.advisor, "issued", DAY, DAY)


# --- races -----------------------------------------------------------------------------------------------------


def _issuing(settlement, user, key, amount):
    return lambda own: invoices.issue(own, own.get(type(user), user.id), IssueRequest(
        settlement_id=settlement.id, number=number(), kind="normal", title="刘先生", request_key=key,
        amount=amount)).id


def test_two_invoices_for_one_settlement_at_once_never_over_invoice(session, shop, units):
    settlement = settled(session, shop, customer="500.00")
    results = race([_issuing(settlement, shop.cashier, "r1", "300"), _issuing(settlement, shop.manager, "r2", "300")])
    made = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert "不能超过未开票金额¥200.00" in refused[0].message or refused[0].message == invoices.STALE
    assert invoiced(session, settlement) == D("300.00") and count(session, Invoice) == 1


def test_two_first_invoices_of_a_settlement_make_one_subject(session, shop, units):
    settlement = settled(session, shop, customer="500.00")
    results = race([_issuing(settlement, shop.cashier, "r1", "200"), _issuing(settlement, shop.manager, "r2", "300")])
    assert all(isinstance(r, int) for r in results), results
    assert invoiced(session, settlement) == D("500.00") and count(session, InvoiceSubject) == 1


def test_an_invoiced_settlement_is_reopened_only_after_its_red_invoice(session, shop):
    from lantong_pwa.services.cashier import settlement as settling
    made = settled(session, shop, customer="500.00")
    invoice = issue(session, shop.cashier, made, amount="100")
    with refusal(session, match="已开票，请先红冲发票再撤销"):
        settling.reopen(session, shop.manager, made.id, "改价")
    reverse(session, shop.manager, invoice)
    settling.reopen(session, shop.manager, made.id, "改价")
    session.commit()
    session.refresh(made)
    assert made.status == SettlementStatus.REOPENED


def _reopening(settlement, user):
    from lantong_pwa.services.cashier import settlement as settling
    return lambda own: settling.reopen(own, own.get(type(user), user.id), settlement.id, "改价").id


def test_an_invoice_and_a_reopen_at_once_never_leave_an_invoice_on_a_reopened_settlement(session, shop, units):
    settlement = settled(session, shop, customer="500.00")
    results = race([_issuing(settlement, shop.cashier, "r1", "100"), _reopening(settlement, shop.manager)])
    session.expire_all()
    status = session.get(type(settlement), settlement.id).status
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    assert (status == SettlementStatus.REOPENED) == (invoiced(session, settlement) == D("0.00"))
