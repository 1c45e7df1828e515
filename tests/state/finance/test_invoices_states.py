"""发票 screen driven as a browser would: issue from a settlement opened by its number (a double tap issues once and
is told once), 红冲 by a manager freeing the amount, receive a supplier invoice against ticked receipts, the
not-invoiced tabs and their Excel; and who gets what."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from lantong_pwa.timezone import local_day
from models import Invoice, Role
from models.common import utc_now
from state.finance.invoices import InvoicesState
from state.platform.session import ROLE_HOME, nav_for
from tests.services.finance.payables_rows import add_receipt, add_supplier
from tests.services.finance.test_invoices import settled
from tests.state.harness import drive, is_toast, make_state, redirects_in, token_for
from tests.test_api_routes import client, signed_in  # noqa: F401 - the route client fixture

D = Decimal
NUMBER = "26440000000000000123"
RED = "26440000000000000124"


@pytest.fixture
def scene(app_engine, shop, session):
    settlement = settled(session, shop, customer="1130.00", insurance="500.00", when=utc_now())
    supplier = add_supplier(session, shop.branch.id, "华南汽配")
    receipt = add_receipt(session, shop.parts_clerk, supplier, local_day(utc_now()), amount="300")[0]
    session.commit()
    return dict(shop=shop, settlement=settlement, supplier=supplier, receipt=receipt)


def page(session, user, **query) -> InvoicesState:
    return make_state(InvoicesState, token=token_for(session, user), path="/finance/invoices", query=query or None)


def invoices_count(session) -> int:
    return session.exec(select(func.count()).select_from(Invoice)).one()


def test_issue_from_the_cashier_link_then_a_double_tap_issues_once(session, scene):
    s = page(session, scene["shop"].cashier, settlement=scene["settlement"].number)
    assert drive(s.load()) is None and s.error == ""
    assert s.issuing and s.settlement_number == scene["settlement"].number
    assert [o.key for o in s.shares] == ["customer", "insurance:平安保险"]
    assert (s.share_key, s.share_title, s.share_remaining) == ("customer", "刘先生", "1130.00")
    form = {"number": NUMBER, "kind": "normal", "title": "刘先生", "amount": "1130.00", "share": "customer",
            "request_key": s.issue_key}
    assert is_toast(drive(s.issue(form)), "success")
    assert drive(s.issue(form)) is None  # the form's second submit: told once
    assert invoices_count(session) == 1 and not s.issuing
    assert [(r.number, r.amount, r.tax) for r in s.rows] == [(NUMBER, "¥1,130.00", "¥130.00")]
    assert s.can_issue and not s.can_reverse


def test_a_counter_payment_is_invoiced_by_its_receipt_number(session, scene):
    from tests.services.cashier.test_settlement import pay, settled_order

    shop = scene["shop"]
    order = settled_order(session, shop, plate="粤B33001")
    paid = pay(session, shop.cashier, order, amount="200", key="counter")
    session.commit()
    s = page(session, shop.cashier)
    drive(s.load())
    s.open_receipt_issue()
    assert s.receipt_issuing and not s.issuing
    form = {"receipt_number": "SK-NONE", "number": NUMBER, "kind": "normal", "title": "刘先生",
            "request_key": s.receipt_key}
    assert is_toast(drive(s.issue_receipt(form)), "error") and "receipt_number" in s.errors
    form = {**form, "receipt_number": paid.number}
    assert is_toast(drive(s.issue_receipt(form)), "success")
    assert invoices_count(session) == 1 and not s.receipt_issuing
    assert [(r.number, r.amount) for r in s.rows] == [(NUMBER, "¥200.00")]


def test_bad_input_stays_beside_the_fields(session, scene):
    s = page(session, scene["shop"].cashier)
    drive(s.load())
    drive(s.open_issue(scene["settlement"].id, "customer"))
    result = drive(s.issue({"number": "123", "kind": "special", "title": "某公司", "request_key": s.issue_key}))
    assert is_toast(result, "error") and set(s.errors) == {"number", "tax_id"} and invoices_count(session) == 0


def test_a_manager_reverses_and_the_amount_is_open_again(session, scene):
    s = page(session, scene["shop"].manager)
    drive(s.load())
    drive(s.open_issue(scene["settlement"].id, "customer"))
    drive(s.issue({"number": NUMBER, "kind": "normal", "title": "刘先生", "request_key": s.issue_key}))
    assert s.can_reverse and s.rows[0].reversible == "¥1,130.00"
    s.open_reverse(s.rows[0].id)
    assert s.reversing_number == NUMBER
    assert is_toast(drive(s.reverse({"number": RED, "reason": "抬头开错", "request_key": s.reverse_key})), "success")
    assert [(r.number, r.red) for r in s.rows] == [(RED, True), (NUMBER, False)]
    drive(s.choose_tab("to_issue"))
    assert [(t.share_key, t.remaining) for t in s.todo] == [("customer", "¥1,130.00"),
                                                            ("insurance:平安保险", "¥500.00")]
    assert s.todo_total == "¥1,630.00" and s.export_url.startswith("/api/invoices/not-issued.xlsx?")


def test_receive_against_ticked_receipts(session, scene):
    s = page(session, scene["shop"].cashier, tab="to_receive")
    drive(s.load())
    assert [t.number for t in s.todo] == [scene["receipt"].number]
    drive(s.choose_supplier(str(scene["supplier"].id)))
    assert [r.number for r in s.receipts] == [scene["receipt"].number]
    form = {"number": NUMBER, "kind": "normal", "amount": "305", "tax": "35.09", f"item.{scene['receipt'].id}": "on",
            "request_key": s.receive_key}
    assert is_toast(drive(s.receive(form)), "error") and "相差¥5.00" in s.errors["reason"]
    form["reason"] = "含包装费"
    assert is_toast(drive(s.receive(form)), "success")
    assert s.receipts == [] and s.todo == [] and invoices_count(session) == 1


def test_the_not_invoiced_excel(session, scene, client):  # noqa: F811
    response = client.get("/api/invoices/not-issued.xlsx", headers=signed_in(session, scene["shop"].cashier))
    assert response.status_code == 200, response.text
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[-1][1] == "合计" and D(str(rows[-1][-1])) == D("1630.00")
    refused = client.get("/api/invoices/not-received.xlsx", headers=signed_in(session, scene["shop"].advisor))
    assert refused.status_code == 403


def test_who_sees_invoices(session, scene):
    assert ["/finance/invoices", "发票"] in nav_for("cashier") and ["/finance/invoices", "发票"] in nav_for("manager")
    assert ["/finance/invoices", "发票"] not in nav_for("advisor")
    s = page(session, scene["shop"].advisor)
    assert redirects_in(drive(s.load())) == [ROLE_HOME[Role.ADVISOR]]
    assert s.rows == [] and s.todo == []
