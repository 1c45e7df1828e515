"""应收账款 screens driven as a browser would: the ageing by kind, one customer's items, collecting chosen items (a
double tap posts once), the statement's Excel, sending a statement link, and the customer's page behind it:
bad and expired links, a confirmation recorded once, a dispute with its note shown to the finance screen."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
import reflex as rx
from openpyxl import load_workbook
from sqlmodel import func, select

from lantong_pwa.reflex_internals import substate
from lantong_pwa.services.finance import cash_book, statement_links
from lantong_pwa.timezone import local_day
from models import Notification, OpenItem, PartyKind, PartyPayment, StatementLink, StatementLinkStatus
from models.common import utc_now
from state.finance.receivables import ReceivablePartyState, ReceivablesState, last_month, parse_address
from state.finance.statement_confirm import StatementConfirmState
from tests.services.finance.receivable_rows import add_counterparty, add_customer, add_owed
from tests.state.harness import drive, is_toast, make_state, set_page, token_for
from tests.test_api_routes import client, signed_in  # noqa: F401 - the route client fixture

D = Decimal


@pytest.fixture
def scene(app_engine, shop, session):
    cash_book.ensure_accounts(session, shop.branch.id)
    today = local_day(utc_now())
    fleet = add_customer(session, shop.branch.id)
    old = add_owed(session, fleet, "100", today - timedelta(days=50), days=10)
    mid = add_owed(session, fleet, "200", today - timedelta(days=40), days=10)
    new = add_owed(session, fleet, "300", today - timedelta(days=1))
    insurer = add_counterparty(session, shop.branch.id)
    add_owed(session, insurer, "3000", today - timedelta(days=5), days=0)
    return dict(shop=shop, fleet=fleet, items=(old, mid, new), insurer=insurer, today=today)


def party_state(session, user, address: str) -> ReceivablePartyState:
    return make_state(ReceivablePartyState, token=token_for(session, user), path=f"/finance/receivables/{address}",
                      route="/finance/receivables/[debtor]", query={"debtor": address})


def public_page(token: str) -> StatementConfirmState:
    """The page as a phone opening ``/s/<token>`` has it: no cookie at all."""
    state = substate(rx.State(), StatementConfirmState)
    set_page(state, f"/s/{token}", route="/s/[token]", query={"token": token})
    return state


def test_the_ageing_by_kind(session, scene):
    s = make_state(ReceivablesState, token=token_for(session, scene["shop"].manager), path="/finance/receivables")
    assert drive(s.load()) is None
    assert [(r.name, r.kind, r.balance) for r in s.rows] == [("平安保险", "保险公司", "¥3,000.00"),
                                                            ("顺丰车队", "客户", "¥600.00")]
    assert s.rows[1].buckets == ["¥300.00", "¥200.00", "¥100.00", "¥0.00", "¥0.00"]
    assert s.rows[1].url == f"/finance/receivables/customer-{scene['fleet'].id}" and s.total.balance == "¥3,600.00"
    drive(s.choose_kind("insurer"))
    assert [r.name for r in s.rows] == ["平安保险"] and s.export_url.endswith("&kind=insurer")


def test_collect_chosen_items_then_a_double_tap_posts_once(session, scene):
    old, mid, new = scene["items"]
    s = party_state(session, scene["shop"].cashier, f"customer-{scene['fleet'].id}")
    drive(s.load())
    assert s.found and s.can_pay and s.can_send and s.is_customer and s.name == "顺丰车队"
    assert [i.open_amount for i in s.items] == ["¥100.00", "¥200.00", "¥300.00"]
    s.toggle_item(new.id, True)
    s.toggle_item(mid.id, True)
    assert s.chosen_total == "500.00"
    form = {"method": "wechat", "amount": "450", "request_key": s.pay_key}
    assert is_toast(drive(s.pay(form)), "success")
    assert [i.open_amount for i in s.items] == ["¥100.00", "¥50.00"]
    assert drive(s.pay(form)) is None  # the same submit again: found, and not told twice
    assert session.exec(select(func.count()).select_from(PartyPayment)).one() == 1
    assert [(r.kind, r.decrease) for r in s.statement if r.kind == "收款"] == [("收款", "¥450.00")]
    assert [i.open_amount for i in s.items] == ["¥100.00", "¥50.00"]
    assert s.payments[0].method == "微信"


def test_a_manager_sees_but_does_not_collect(session, scene):
    s = party_state(session, scene["shop"].manager, f"insurer-{scene['insurer'].id}")
    drive(s.load())
    assert s.found and not s.can_pay and not s.is_customer and s.balance == "¥3,000.00"
    assert is_toast(drive(s.pay({"method": "cash", "amount": "1", "request_key": "m1"})), "error")
    assert session.exec(select(func.count()).select_from(PartyPayment)).one() == 0
    assert parse_address(f"supplier-{scene['insurer'].id}") == ("", 0)
    wrong = party_state(session, scene["shop"].manager, f"manufacturer-{scene['insurer'].id}")
    drive(wrong.load())
    assert not wrong.found and wrong.error


def test_the_statement_excel(session, scene, client):  # noqa: F811
    today = scene["today"]
    response = client.get(f"/api/receivables/customer-{scene['fleet'].id}/statement.xlsx",
                          params={"from": (today - timedelta(days=60)).isoformat(), "to": today.isoformat()},
                          headers=signed_in(session, scene["shop"].manager))
    assert response.status_code == 200, response.text
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][4:6] == ("应收增加", "应收减少") and rows[-1][1] == "期末余额" and rows[-1][6] == 600
    ageing = client.get("/api/ageing.xlsx", params={"direction": "receivable"},
                        headers=signed_in(session, scene["shop"].manager))
    assert ageing.status_code == 200
    table = list(load_workbook(io.BytesIO(ageing.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in table[1:]] == ["平安保险", "顺丰车队", "合计"]
    refused = client.get("/api/ageing.xlsx", params={"direction": "receivable"},
                         headers=signed_in(session, scene["shop"].parts_clerk))
    assert refused.status_code == 403


def test_a_statement_link_sent_confirmed_once_and_shown(session, scene):
    s = party_state(session, scene["shop"].cashier, f"customer-{scene['fleet'].id}")
    drive(s.load())
    assert s.link_month == last_month(scene["today"])
    month = f"{scene['today']:%Y-%m}"
    assert is_toast(drive(s.send_link({"month": month})), "success")
    assert "/s/" in s.link_url and [x.label for x in s.links] == ["待确认"]
    token = s.link_url.rsplit("/s/", 1)[1]
    page = public_page(token)
    drive(page.load())
    assert (page.page, page.customer, page.closing) == ("form", "顺丰车队", "¥600.00")
    assert page.rows[0].kind == "期初余额" and page.rows[-1].kind == "期末余额"
    drive(page.dispute({"note": ""}))
    assert page.errors == {"note": "请写明有异议的单据或金额"} and page.page == "form"
    drive(page.confirm({}))
    assert page.page == "confirmed"
    drive(page.dispute({"note": "再点一次"}))  # after answering: nothing more
    again = public_page(token)
    drive(again.load())
    assert again.page == "confirmed"
    link = session.exec(select(StatementLink)).one()
    session.refresh(link)
    assert (link.status, link.answered_closing, link.note) == (StatementLinkStatus.CONFIRMED, D("600.00"), "")
    drive(s.load())
    assert [(x.label, x.note) for x in s.links] == [("已确认", "")] and "¥600.00" in s.links[0].answered


def test_a_link_texted_once_on_a_double_tap(session, scene):
    s = party_state(session, scene["shop"].cashier, f"customer-{scene['fleet'].id}")
    drive(s.load())
    form = {"month": f"{scene['today']:%Y-%m}", "text": "on", "request_key": s.link_key}
    assert is_toast(drive(s.send_link(form)), "success")
    assert drive(s.send_link(form)) is None  # the second submit finds the first message and says nothing
    assert session.exec(select(func.count()).select_from(Notification)
                        .where(Notification.message_type == "statement")).one() == 1


def test_a_dispute_is_shown_with_its_note(session, scene):
    link, url = statement_links.send(session, scene["shop"].cashier, scene["fleet"].id, f"{scene['today']:%Y-%m}")
    session.commit()
    page = public_page(url.rsplit("/s/", 1)[1])
    drive(page.load())
    drive(page.dispute({"note": "第二张挂账金额不对"}))
    assert page.page == "disputed" and page.note == "第二张挂账金额不对"
    s = party_state(session, scene["shop"].manager, f"customer-{scene['fleet'].id}")
    drive(s.load())
    assert [(x.label, x.note) for x in s.links] == [("有异议", "第二张挂账金额不对")]
    assert not s.can_send


def test_bad_and_expired_links(session, scene):
    page = public_page("1.abc.99.zzz")
    drive(page.load())
    assert page.page == "invalid" and page.rows == [] and page.customer == ""
    sent_at = utc_now() - timedelta(days=statement_links.LINK_VALID_DAYS + 1)
    link, url = statement_links.send(session, scene["shop"].cashier, scene["fleet"].id, f"{local_day(sent_at):%Y-%m}",
                                     sent_at)
    session.commit()
    expired = public_page(url.rsplit("/s/", 1)[1])
    drive(expired.load())
    assert expired.page == "expired" and "过期" in expired.message and expired.rows == []
    drive(expired.confirm({}))
    session.refresh(link)
    assert link.status == StatementLinkStatus.SENT
    assert session.exec(select(func.count()).select_from(OpenItem)
                        .where(OpenItem.party_kind == PartyKind.CUSTOMER)).one() == 3
