"""应付账款 screens driven as a browser would: the ageing list, one supplier's items, paying oldest first or chosen
items (a double tap posts once), the statement and its print page, the Excel routes, 供应商比价; and who gets what."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from lantong_pwa.services.finance import payables
from lantong_pwa.timezone import local_day
from models import OpenItem, PartyPayment
from models.common import utc_now
from state.finance.parties import chosen_items, route_id
from state.finance.payables import PayablesState, StatementSheetState, SupplierPayablesState
from state.parts.supplier_prices import SupplierPricesState
from state.platform.session import nav_for
from tests.factories import add_part
from tests.services.finance.payables_rows import add_receipt, add_supplier
from tests.state.harness import drive, is_toast, make_state, redirects_in, token_for
from tests.test_api_routes import client, signed_in  # noqa: F401 - the route client fixture

D = Decimal


@pytest.fixture
def client_for_routes(client, session):  # noqa: F811
    """Rows of the workbook a route sends ``user`` (its status checked)."""

    def fetch(user, url: str, params: dict) -> list[tuple]:
        response = client.get(url, params=params, headers=signed_in(session, user))
        assert response.status_code == 200, response.text
        return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))

    fetch.client = client
    return fetch


@pytest.fixture
def scene(app_engine, shop, session):
    today = local_day(utc_now())
    supplier = add_supplier(session, shop.branch.id, "华南汽配", bank_account="工行 6222")
    old = add_receipt(session, shop.parts_clerk, supplier, today - timedelta(days=50), amount="100")[1]
    mid = add_receipt(session, shop.parts_clerk, supplier, today - timedelta(days=40), amount="200")[1]
    new = add_receipt(session, shop.parts_clerk, supplier, today - timedelta(days=1), amount="300")[1]
    return dict(shop=shop, supplier=supplier, items=(old, mid, new), today=today)


def supplier_state(session, user, supplier_id, cls=SupplierPayablesState, suffix="", query=None):
    route = "/payables/[payee]" + suffix
    return make_state(cls, token=token_for(session, user), path=f"/payables/{supplier_id}{suffix}", route=route,
                      query={"payee": str(supplier_id), **(query or {})})


def test_the_list_shows_each_supplier_with_its_ageing(session, scene):
    s = make_state(PayablesState, token=token_for(session, scene["shop"].cashier), path="/payables")
    assert drive(s.load()) is None
    assert [(r.name, r.balance) for r in s.rows] == [("华南汽配", "¥600.00")]
    assert s.rows[0].buckets == ["¥300.00", "¥300.00", "¥0.00", "¥0.00", "¥0.00"]
    assert s.rows[0].url == f"/payables/{scene['supplier'].id}" and s.total.balance == "¥600.00"


def test_pay_oldest_first_then_a_double_tap_posts_once(session, scene):
    s = supplier_state(session, scene["shop"].cashier, scene["supplier"].id)
    drive(s.load())
    assert s.found and s.can_pay and s.name == "华南汽配" and s.terms == "账期30天"
    assert [i.open_amount for i in s.items] == ["¥100.00", "¥200.00", "¥300.00"]
    assert s.items[0].overdue == "逾期20天" and s.items[2].overdue == ""
    key = s.pay_key
    form = {"method": "bank_transfer", "amount": "300", "reference": "HD-1", "request_key": key}
    assert is_toast(drive(s.pay(form)), "success")
    assert [i.open_amount for i in s.items] == ["¥300.00"]
    assert s.balance == "¥300.00" and s.pay_key != key
    assert [(r.kind, r.decrease) for r in s.statement if r.kind == "付款"] == [("付款", "¥300.00")]
    drive(s.pay(form))  # the same submit again
    assert session.exec(select(func.count()).select_from(PartyPayment)).one() == 1


def test_pay_chosen_items(session, scene):
    s = supplier_state(session, scene["shop"].manager, scene["supplier"].id)
    drive(s.load())
    old, _, new = scene["items"]
    s.toggle_item(new.id, True)
    assert s.chosen_total == "300.00"
    s.toggle_item(old.id, True)
    s.toggle_item(old.id, False)
    drive(s.pay({"method": "cash", "amount": "300", "request_key": s.pay_key}))
    assert [i.number for i in s.items] == [scene["items"][0].number, scene["items"][1].number]
    assert s.chosen == []


def test_bad_input_stays_beside_the_fields(session, scene):
    s = supplier_state(session, scene["shop"].cashier, scene["supplier"].id)
    drive(s.load())
    result = drive(s.pay({"method": "cash", "amount": "-1", "request_key": s.pay_key}))
    assert is_toast(result, "error") and s.pay_errors == {"amount": "付款金额不能为负数"}
    assert session.exec(select(func.count()).select_from(PartyPayment)).one() == 0


def test_the_statement_on_screen_in_print_and_in_excel(session, scene, client_for_routes):
    shop, supplier, today = scene["shop"], scene["supplier"], scene["today"]
    payables.pay_supplier(session, shop.cashier, supplier.id, payables.PaymentRequest("cash", "150", "k"))
    session.commit()
    s = supplier_state(session, shop.parts_clerk, supplier.id)
    drive(s.load())
    assert s.can_pay is False
    period = {"from": (today - timedelta(days=45)).isoformat(), "to": today.isoformat()}
    drive(s.show_statement(period))
    assert [(r.kind, r.increase, r.decrease, r.balance) for r in s.statement] == [
        ("期初余额", "", "", "¥100.00"), ("进货入库", "¥200.00", "", "¥300.00"), ("进货入库", "¥300.00", "", "¥600.00"),
        ("付款", "", "¥150.00", "¥450.00"), ("本期合计", "¥500.00", "¥150.00", ""), ("期末余额", "", "", "¥450.00")]
    assert s.print_url == f"/payables/{supplier.id}/statement?from={period['from']}&to={period['to']}"
    drive(s.show_statement({"from": "2026-13-01"}))
    assert s.statement_error == "开始日期格式应为年-月-日"

    sheet = supplier_state(session, shop.parts_clerk, supplier.id, StatementSheetState, "/statement", period)
    drive(sheet.load())
    assert sheet.found and sheet.party_name == "华南汽配" and sheet.closing == "¥450.00"
    assert [r.kind for r in sheet.rows][1:4] == ["进货入库", "进货入库", "付款"]

    rows = client_for_routes(shop.parts_clerk, f"/api/payables/{supplier.id}/statement.xlsx", period)
    assert rows[0] == payables.STATEMENT_HEADERS and rows[-1][6] == 450
    ageing = client_for_routes(shop.cashier, "/api/payables/ageing.xlsx", {})
    assert ageing[1][0] == "华南汽配" and ageing[-1][0] == "合计"
    refused = client_for_routes.client.get("/api/payables/ageing.xlsx", headers=signed_in(session, shop.technician))
    assert refused.status_code == 403
    theirs = client_for_routes.client.get(f"/api/payables/{supplier.id}/statement.xlsx",
                                          headers=signed_in(session, shop.other_branch_advisor))
    assert theirs.status_code == 403


def test_who_sees_payables(session, scene):
    shop = scene["shop"]
    for role in ("technician", "advisor"):
        s = make_state(PayablesState, token=token_for(session, shop.users[role]), path="/payables")
        assert redirects_in(drive(s.load())), role
        other = supplier_state(session, shop.users[role], scene["supplier"].id)
        assert redirects_in(drive(other.load()))
    stranger = supplier_state(session, shop.other_branch_advisor, scene["supplier"].id)
    assert redirects_in(drive(stranger.load()))
    theirs = add_supplier(session, shop.other_branch.id, "外店")
    s = supplier_state(session, shop.manager, theirs.id)
    drive(s.load())
    assert s.found is False and s.error == "记录不存在或无权查看"
    assert "/payables" in [p for p, _ in nav_for("cashier")] and "/payables" not in [p for p, _ in nav_for("advisor")]
    parts_clerk = supplier_state(session, shop.parts_clerk, scene["supplier"].id)
    drive(parts_clerk.load())
    result = drive(parts_clerk.pay({"method": "cash", "amount": "10", "request_key": "x"}))
    assert is_toast(result, "error") and session.exec(select(func.count()).select_from(PartyPayment)).one() == 0


def test_form_helpers():
    assert chosen_items({"item.3": "on", "item.x": "on", "item.4": "", "amount": "1"}) == (3,)
    assert (route_id("12"), route_id("x"), route_id("１２"), route_id("9" * 20)) == (12, 0, 0, 0)


def test_supplier_prices_by_part_code(session, scene):
    shop, supplier = scene["shop"], scene["supplier"]
    part = add_part(session, shop.branch.id, code="JL-001")
    add_receipt(session, shop.parts_clerk, supplier, date(2026, 10, 1), [(part.id, "10", "20")], ordered_days_before=3)
    s = make_state(SupplierPricesState, token=token_for(session, shop.parts_clerk), path="/parts/prices",
                   query={"code": "JL-001"})
    drive(s.load())
    assert s.part_title.startswith("JL-001 机油滤清器") and s.reason == "唯一有价格的供应商"
    assert [(v.name, v.suggested, v.prices, v.lead, v.return_rate) for v in s.suppliers] == [
        ("华南汽配", True, ["2026-10-01 ¥20.00 ×10"], "3天", "0.0%")]
    drive(s.search({"code": "NOPE"}))
    assert s.error == "没有编码为 NOPE 的配件" and s.suppliers == []
    cashier = make_state(SupplierPricesState, token=token_for(session, shop.cashier), path="/parts/prices",
                         query={"code": "JL-001"})
    assert redirects_in(drive(cashier.load()))
    assert session.exec(select(func.count()).select_from(OpenItem)).one() == 4
