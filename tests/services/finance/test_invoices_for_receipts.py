"""开票 for a receipt (收款): a counter payment's amount on its settlement, or each settlement share a collection
settled — a fleet's month paid at once becomes one invoice — never beyond what a share has left to invoice."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlmodel import select

from lantong_pwa.errors import DomainError, FormErrors, PermissionDenied
from lantong_pwa.services.cashier import settlement
from lantong_pwa.services.finance import collecting, invoices
from lantong_pwa.services.finance.invoices import IssueRequest, ReceiptIssueRequest
from lantong_pwa.services.finance.party_payments import PaymentRequest
from models import (
    Counterparty,
    Invoice,
    InvoiceLine,
    InvoiceSubject,
    PartyKind,
    PaymentMethod,
    PaymentTerms,
    Settlement,
)
from tests.conftest import refusal
from tests.services.cashier.test_settlement import completed_order, pay, settled_order
from tests.services.finance.test_receivables import fleet, settle_shared

D = Decimal
_numbers = iter(range(1, 10**6))


def number() -> str:
    return f"2644{next(_numbers):016d}"


def for_receipt(session, user, receipt_number, key=None, title="宏达物流车队", kind="normal", tax_id=""):
    return invoices.issue_for_receipt(session, user, ReceiptIssueRequest(
        receipt_number=receipt_number, number=number(), kind=kind, title=title, tax_id=tax_id,
        request_key=key or str(uuid.uuid4())))


def lines_of(session, invoice) -> list[tuple[str, str, Decimal]]:
    """(settlement number, share, amount) of each line."""
    rows = session.exec(select(InvoiceSubject.number, InvoiceSubject.share, InvoiceLine.amount)
                        .join(InvoiceLine, InvoiceLine.subject_id == InvoiceSubject.id)
                        .where(InvoiceLine.invoice_id == invoice.id).order_by(InvoiceLine.id)).all()
    return [(n, str(share), amount) for n, share, amount in rows]


def test_a_counter_payment_is_invoiced_for_its_amount_and_no_more_than_is_left(session, shop):
    order = settled_order(session, shop)  # the customer owes ¥416
    first = pay(session, shop.cashier, order, PaymentMethod.CASH, "300", key="p1")
    second = pay(session, shop.cashier, order, PaymentMethod.WECHAT, "116", key="p2")
    session.commit()
    done = session.exec(select(Settlement).where(Settlement.work_order_id == order.id)).one()
    invoice = for_receipt(session, shop.cashier, first.number, key="inv-1", title="刘先生")
    assert for_receipt(session, shop.cashier, first.number, key="inv-1").id == invoice.id  # resent: one invoice
    session.commit()
    assert (invoice.amount, invoice.tax, invoice.tax_rate) == (D("300.00"), D("34.51"), D("13.00"))
    assert lines_of(session, invoice) == [(done.number, "customer", D("300.00"))]
    assert for_receipt(session, shop.cashier, second.number).amount == D("116.00")
    session.commit()
    with refusal(session, DomainError, f"收款{first.number}对应的结算已全部开票"):
        for_receipt(session, shop.cashier, first.number)
    assert len(session.exec(select(Invoice)).all()) == 2


def test_a_fleets_collection_is_one_invoice_of_the_settlements_it_paid(session, shop):
    orders = [completed_order(session, shop, plate=f"粤B7700{n}") for n in (1, 2)]
    customer = fleet(session, orders[0], limit="5000", terms=PaymentTerms.MONTHLY, days=30)
    for order in orders[1:]:
        order.customer_id = customer.id
        session.add(order)
    session.commit()
    done = []
    for n, order in enumerate(orders):
        done.append(settlement.settle(session, shop.cashier, order.id))
        pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, "416", key=f"gz-{n}")
        session.commit()
    invoices.issue(session, shop.cashier, IssueRequest(settlement_id=done[1].id, number=number(), kind="normal",
                                                       title="宏达物流车队", request_key="early", amount="200"))
    receipt = collecting.collect(session, shop.cashier, PartyKind.CUSTOMER, customer.id, PaymentRequest(
        method="bank_transfer", amount="700", request_key="month"))
    session.commit()
    invoice = for_receipt(session, shop.cashier, receipt.number)
    session.commit()
    # oldest first: ¥416 of the first 挂账, ¥284 of the second, of which only ¥216 was left to invoice
    assert lines_of(session, invoice) == [(done[0].number, "customer", D("416.00")),
                                          (done[1].number, "customer", D("216.00"))]
    assert invoice.amount == D("632.00")
    assert invoices.settlement_shares(session, done[1])[0].remaining == D("0.00")


def test_an_insurers_payment_is_invoiced_to_its_share(session, shop):
    _, done = settle_shared(session, shop, [("insurance", "平安保险")])  # the ¥100 labour line
    insurer = session.exec(select(Counterparty).where(Counterparty.name == "平安保险")).one()
    receipt = collecting.collect(session, shop.cashier, PartyKind.INSURER, insurer.id, PaymentRequest(
        method="bank_transfer", amount="100", request_key="claim"))
    session.commit()
    invoice = for_receipt(session, shop.cashier, receipt.number, title="平安保险")
    session.commit()
    assert lines_of(session, invoice) == [(done.number, "insurance", D("100.00"))]


def test_what_cannot_be_invoiced_for_a_receipt_is_told_beside_it(session, shop):
    order = completed_order(session, shop)
    fleet(session, order, limit="5000")
    settlement.settle(session, shop.cashier, order.id)
    on_account = pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, "416", key="gz")
    session.commit()
    with refusal(session, DomainError, "挂账不是收款：请按结算单开票，或收回欠款后按那笔收款开票"):
        for_receipt(session, shop.cashier, on_account.number)
    with refusal(session, DomainError, "本店没有收款SK404"):
        for_receipt(session, shop.cashier, "SK404")
    other = completed_order(session, shop, plate="粤B77009")
    advance = collecting.collect(session, shop.cashier, PartyKind.CUSTOMER, other.customer_id, PaymentRequest(
        method="cash", amount="50", request_key="pre"))  # owes nothing: all of it an advance
    session.commit()
    with refusal(session, DomainError, "还没有核销到结算单"):
        for_receipt(session, shop.cashier, advance.number)
    with refusal(session, FormErrors):
        invoices.issue_for_receipt(session, shop.cashier, ReceiptIssueRequest(
            receipt_number=on_account.number, number="123", kind="special", title="", request_key="bad"))
    with refusal(session, PermissionDenied):
        for_receipt(session, shop.advisor, on_account.number)
    assert session.exec(select(Invoice)).all() == []
