"""Picking per line and safety stock on a phone, in the production build: each parts line of an order picks from
its own warehouse (brake pads from 主仓库 while 油品库 has none, the oil from 油品库), a shortage names where the part
is; the manager applies safety-stock suggestions and the clerk's 配件 home shows the part below its minimum.

Other test modules share the server: the parts and vehicle used here are made here, with their own codes.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from lantong_pwa.services.parts import stock
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from models import PartLine, User, Warehouse
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.factories import add_part, add_vehicle

pytestmark = pytest.mark.e2e

PADS, OIL, WIPERS = "E2E-AQ-BP", "E2E-AQ-OIL", "E2E-AQ-WB"


def _user(session, username: str) -> User:
    return session.exec(select(User).where(User.username == username)).one()


@pytest.fixture(scope="module")
def scene(server):
    """Brake pads (home 油品库, which has none; 6 in 主仓库) and oil (10 in 油品库), on one new order: 2 of each."""
    with server.orm() as session:
        advisor, clerk = _user(session, "advisor"), _user(session, "parts")
        warehouses = {w.name: w for w in session.exec(select(Warehouse).where(
            Warehouse.branch_id == clerk.branch_id)).all()}
        main, oil_store = warehouses["主仓库"], warehouses["油品库"]
        pads = add_part(session, clerk.branch_id, code=PADS, name="安全库存测试刹车片", price="420.00")
        oil = add_part(session, clerk.branch_id, code=OIL, name="安全库存测试机油", price="80.00")
        pads.unit = "套"
        pads.default_warehouse_id = oil_store.id
        oil.default_warehouse_id = oil_store.id
        session.add_all([pads, oil])
        session.flush()
        stock.receive_stock(session, clerk, main.id, pads.id, "6", "200")
        stock.receive_stock(session, clerk, oil_store.id, oil.id, "10", "40")
        # Wiper blades: 3 received and all 3 fitted today (on another order), none left, no limits yet.
        wipers = add_part(session, clerk.branch_id, code=WIPERS, name="安全库存测试雨刮", price="60.00")
        stock.receive_stock(session, clerk, main.id, wipers.id, "3", "25")
        vehicle = add_vehicle(session, clerk.branch_id, plate="粤B9Q8A7", mobile="13900009871", make="本田",
                              model="雅阁")
        order = work_orders.open_work_order(session, advisor, OrderForm(
            vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="刹车和保养",
            job_lines=[JobLineInput(name="保养", hours="1", rate="100")],
            part_lines=[PartLineInput(part_id=pads.id, quantity="2"), PartLineInput(part_id=oil.id, quantity="2")]))
        lines = {line.part_code: line.id for line in session.exec(
            select(PartLine).where(PartLine.work_order_id == order.id)).all()}
        fitted = work_orders.open_work_order(session, advisor, OrderForm(
            vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="换雨刮",
            job_lines=[JobLineInput(name="换雨刮", hours="0.2", rate="100")],
            part_lines=[PartLineInput(part_id=wipers.id, quantity="3")]))
        wiper_line = session.exec(select(PartLine).where(PartLine.work_order_id == fitted.id)).one()
        stock.pick(session, clerk, wiper_line.id, main.id, "3")
        return {"order_id": order.id, "lines": lines, "main": main.id, "oil_store": oil_store.id,
                "wipers_row": f"{wipers.id}-{main.id}"}


def picked_from(server, part_line_id: int) -> list[tuple[int, Decimal]]:
    with server.db() as db:
        rows = db.execute("SELECT warehouse_id, quantity FROM stock_move WHERE part_line_id = ? AND kind = 'pick'"
                          " ORDER BY id", (part_line_id,)).fetchall()
    return [(row[0], Decimal(str(row[1]))) for row in rows]


def choose(page: Page, line_id: int, label: str) -> None:
    page.locator(f"#pick-warehouse-{line_id}").click()
    page.get_by_role("option", name=label).click()
    expect(page.locator(f"#pick-warehouse-{line_id}")).to_contain_text(label)


def test_each_line_picks_from_its_own_warehouse(server, new_context, scene):
    page = new_context("phone").new_page()
    sign_in(page, "parts")
    page.goto(f"/parts/orders/{scene['order_id']}")
    pads_line, oil_line = scene["lines"][PADS], scene["lines"][OIL]
    pads_card, oil_card = page.locator(f"#pick-line-{pads_line}"), page.locator(f"#pick-line-{oil_line}")
    wait_hydrated(page, f"#pick-line-{pads_line} button[type=submit]")
    expect(page.locator(f"#pick-warehouse-{pads_line}")).to_contain_text("主仓库 · 现有6")
    expect(page.locator(f"#pick-warehouse-{oil_line}")).to_contain_text("油品库 · 现有10")

    # The clerk tries the pads' home store: refused, and told where the pads are.
    choose(page, pads_line, "油品库 · 现有0")
    pads_card.get_by_role("button", name="领料").click()
    expect(page.get_by_text("安全库存测试刹车片（E2E-AQ-BP）库存不足：油品库现有0套，本次要领2套；主仓库有6套")).to_be_visible()
    assert picked_from(server, pads_line) == []

    choose(page, pads_line, "主仓库 · 现有6")
    pads_card.get_by_role("button", name="领料").click()
    expect(pads_card.get_by_text("已领齐")).to_be_visible()
    expect(page.locator(f"#pick-warehouse-{pads_line}")).to_contain_text("主仓库 · 现有4")
    expect(page.locator(f"#pick-warehouse-{oil_line}")).to_contain_text("油品库 · 现有10"), "the oil line untouched"
    oil_card.get_by_role("button", name="领料").click()
    expect(oil_card.get_by_text("已领齐")).to_be_visible()
    assert picked_from(server, pads_line) == [(scene["main"], Decimal("-2"))]
    assert picked_from(server, oil_line) == [(scene["oil_store"], Decimal("-2"))]
    expect(page).to_have_url(re.compile(rf"/parts/orders/{scene['order_id']}$"))


def test_the_clerks_parts_screen_never_paints_the_stock_tab_first(server):
    """The page as first served (before the socket says who is asking) has a spinner, not the 库存 search box."""
    import urllib.request

    html = urllib.request.urlopen(f"{server.url}/parts").read().decode()
    assert "正在加载" in html and "搜索配件" not in html


def test_the_clerk_applies_a_suggestion_and_sees_the_part_below_its_minimum(server, new_context, scene):
    page = new_context("phone").new_page()
    sign_in(page, "parts")
    page.goto("/parts")
    expect(page.locator("text=待领料的工单").first).to_be_visible()
    expect(page.get_by_text("安全库存测试雨刮")).to_have_count(0)
    page.locator("#safety-stock-link").click()
    expect(page).to_have_url(re.compile(r"/parts/safety-stock$"))
    row = page.locator(f"#ss-row-{scene['wipers_row']}")
    # 3 used in 90 days: × (3 default lead days + 3 safety days) → 1; + 14 days' cover → 2.
    expect(row).to_contain_text("3天（默认）")
    expect(row).to_contain_text("未设")
    expect(row).to_contain_text("1 / 2")
    wait_hydrated(page, f"#ss-choose-{scene['wipers_row']}")
    # Only this part is applied here: the shared demo's parts keep their limits.
    page.locator(f"#ss-choose-{scene['wipers_row']}").click()
    expect(page.locator("#ss-apply-chosen")).to_be_enabled()
    page.locator("#ss-apply-chosen").click()
    expect(page.get_by_text("已更新1项安全库存")).to_be_visible()
    with server.db() as db:
        limit = db.execute("SELECT minimum, maximum FROM stock_limit WHERE part_id = ? AND warehouse_id = ?",
                           tuple(map(int, scene["wipers_row"].split("-")))).fetchone()
    assert (Decimal(str(limit[0])), Decimal(str(limit[1]))) == (Decimal("1"), Decimal("2"))

    page.goto("/parts")
    alert = page.locator("#low-stock")
    expect(alert).to_contain_text("安全库存测试雨刮（E2E-AQ-WB）")
    expect(alert).to_contain_text("现有0个，最低1个，最高2个")
    expect(alert.get_by_role("link", name="去采购计划")).to_have_attribute("href", "/purchasing")
