"""Stocktaking on phones, in the production build: the parts clerk opens a count sheet for a warehouse and counts
shelf PD-A on a phone, typing the counts; a second clerk counts shelf PD-B on another phone at the same time,
scanning (the code box the scanner fills, as a Bluetooth scanner types); meanwhile a third clerk picks two of a
part that was already counted. The counting phones never show on hand. The manager reviews the variances on a
tablet and posts: the ledger gets exactly what was miscounted (one brake disc missing, one filter over), the pick
is no variance, and the part nobody counted (未盘) is left alone. The day's 进销存 on the manager's tablet then shows
each part's closing stock after the count.

Other test modules share the server: the warehouse, parts, users, vehicle and order used here are made here.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from models import Branch, CountSheet, Part, PartBarcode, PartLine, Role, StockMove, User
from tests.e2e.conftest import sign_in, wait_hydrated

pytestmark = pytest.mark.e2e

PASSWORD = "count-the-shelves-twice"
WAREHOUSE = "盘点测试库"
# code, name, shelf, on the books, unit cost
PARTS = (("E2E-PD-01", "盘点测试刹车盘", "PD-A", 10, "300.00"),
         ("E2E-PD-02", "盘点测试火花塞", "PD-A", 8, "30.00"),
         ("E2E-PD-03", "盘点测试空滤", "PD-B", 5, "40.00"),
         ("E2E-PD-04", "盘点测试雨刮", "PD-B", 4, "50.00"))
BARCODE = "6901111222333"  # on E2E-PD-03


@pytest.fixture(scope="module")
def scene(server):
    from sqlmodel import select

    from lantong_pwa.services.parts import stock
    from lantong_pwa.services.platform import auth
    from lantong_pwa.services.workshop import work_orders
    from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
    from tests.factories import add_vehicle

    with server.orm() as db:
        clerk = db.exec(select(User).where(User.username == "parts")).one()
        advisor = db.exec(select(User).where(User.username == "advisor")).one()
        branch = db.get(Branch, clerk.branch_id)
        for username, name in (("pdcounter", "钱库管"), ("pdpicker", "孙库管")):
            db.add(User(username=username, display_name=name, role=Role.PARTS_CLERK, branch_id=branch.id,
                        password_hash=auth.hash_password(PASSWORD, username)))
        warehouse = stock.create_warehouse(db, clerk, "PD-E2E", WAREHOUSE)
        parts = {}
        for code, name, shelf, books, cost in PARTS:
            part = Part(branch_id=branch.id, code=code, name=name, unit="个", sale_price=Decimal(cost) * 2,
                        cost=Decimal(cost), default_warehouse_id=warehouse.id, shelf=shelf)
            db.add(part)
            db.flush()
            stock.receive_stock(db, clerk, warehouse.id, part.id, str(books), cost)
            parts[code] = part.id
        db.add(PartBarcode(branch_id=branch.id, part_id=parts["E2E-PD-03"], barcode=BARCODE))
        db.commit()
        vehicle = add_vehicle(db, branch.id, plate="粤B7PD01", mobile="13800007701")
        order = work_orders.open_work_order(db, advisor, OrderForm(
            vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="换刹车盘",
            job_lines=[JobLineInput(name="换刹车盘", hours="1", rate="100")],
            part_lines=[PartLineInput(part_id=parts["E2E-PD-01"], quantity="2")]))
        line = db.exec(select(PartLine).where(PartLine.work_order_id == order.id)).one()
        db.commit()
        return {"warehouse_id": warehouse.id, "parts": parts, "order_id": order.id, "line_id": line.id}


def open_sheet(page: Page, warehouse_id: int) -> str:
    """The clerk makes a sheet for the whole warehouse and starts counting; returns the sheet's address."""
    page.goto("/parts/stocktake")
    wait_hydrated(page, "#count-create")
    page.select_option("#count-warehouse", str(warehouse_id))
    expect(page.locator("#count-scope")).to_have_value("warehouse")
    page.fill("#count-threshold", "1000")
    page.click("#count-create")
    expect(page).to_have_url(re.compile(r"/parts/stocktake/\d+$"))
    wait_hydrated(page, "#count-start")
    page.click("#count-start")
    expect(page.locator("#count-status")).to_have_text("盘点中")
    return page.url


def choose_shelf(page: Page, shelf: str) -> None:
    wait_hydrated(page, "#count-shelf")
    page.select_option("#count-shelf", shelf)
    expect(page.locator(".count-line")).to_have_count(2)
    expect(page.locator(".count-line", has_text=shelf)).to_have_count(2)


def count_typed(page: Page, name: str, quantity: str) -> None:
    card = page.locator(".count-line", has_text=name)
    card.get_by_label("实盘数量").fill(quantity)
    card.get_by_role("button", name="确定").click()
    expect(card.get_by_text(f"已盘 {quantity}")).to_be_visible()


def count_scanned(page: Page, code: str, name: str, quantity: str) -> None:
    page.fill("#count-code", code)
    page.fill("#count-quantity", quantity)
    page.get_by_role("button", name="录入").click()
    expect(page.locator(".count-line", has_text=name).get_by_text(f"已盘 {quantity}")).to_be_visible()


def pick_two(page: Page, order_id: int, line_id: int) -> None:
    sign_in(page, "pdpicker", password=PASSWORD)
    page.goto(f"/parts/orders/{order_id}")
    card = page.locator(f"#pick-line-{line_id}")
    wait_hydrated(page, f"#pick-line-{line_id} button[type=submit]")
    expect(card.get_by_label("领料数量")).to_have_value("2")
    card.get_by_role("button", name="领料").click()
    expect(card.get_by_text("已领齐")).to_be_visible()


def test_two_clerks_count_two_shelves_while_a_third_picks_and_the_manager_posts(server, new_context, scene):
    parts = scene["parts"]
    clerk = new_context("phone").new_page()
    sign_in(clerk, "parts")
    sheet_url = open_sheet(clerk, scene["warehouse_id"])
    counter = new_context("phone").new_page()
    sign_in(counter, "pdcounter", password=PASSWORD)
    counter.goto(sheet_url)
    picker = new_context("phone").new_page()

    choose_shelf(clerk, "PD-A")
    choose_shelf(counter, "PD-B")
    count_typed(clerk, "盘点测试刹车盘", "9")  # 10 on the books: one is missing
    pick_two(picker, scene["order_id"], scene["line_id"])  # after it was counted: on hand 8, no variance
    count_scanned(counter, BARCODE, "盘点测试空滤", "6")  # 5 on the books: one over
    count_typed(clerk, "盘点测试火花塞", "8")  # right
    # The counting phones never see what the books hold.
    for page in (clerk, counter):
        page.click("#count-refresh")  # the other phone's counts too
        expect(page.locator("#count-progress")).to_contain_text("已盘 3/4")
        expect(page.locator("[id^=review-line-], #review-totals")).to_have_count(0)
        expect(page.locator("#count-post")).to_have_count(0)

    manager = new_context("tablet").new_page()
    sign_in(manager, "manager")
    manager.goto(sheet_url)
    disc = manager.locator(f"#review-line-{line_of(server, parts['E2E-PD-01'])}")
    expect(disc).to_contain_text("10")  # on hand when it was counted, before the pick
    expect(disc).to_contain_text("-1")
    expect(manager.locator("#review-uncounted")).to_contain_text("盘点测试雨刮")
    expect(manager.locator("#review-uncounted")).to_contain_text("不产生库存变动")
    wait_hydrated(manager, "#count-post")
    manager.click("#count-post")
    expect(manager.locator("#count-status")).to_have_text("已过账")
    expect(manager.locator("#review-moves")).to_contain_text("盘点测试空滤")

    sheet_id = int(sheet_url.rsplit("/", 1)[1])
    with server.orm() as db:
        from sqlmodel import select

        moves = db.exec(select(StockMove).where(StockMove.document_type == "count_sheet",
                                                StockMove.document_id == sheet_id).order_by(StockMove.id)).all()
        assert [(m.part_id, m.kind, m.quantity, m.unit_cost) for m in moves] == [
            (parts["E2E-PD-01"], "stocktake", Decimal("-1.00"), Decimal("300.0000")),
            (parts["E2E-PD-03"], "stocktake", Decimal("1.00"), Decimal("40.0000"))]
        assert db.get(CountSheet, sheet_id).status == "posted"
    on_hand = {code: Decimal(str(server.scalar(
        "SELECT on_hand FROM stock_balance WHERE part_id = ? AND warehouse_id = ?", part_id, scene["warehouse_id"])))
        for code, part_id in parts.items()}
    assert on_hand == {"E2E-PD-01": Decimal("7"), "E2E-PD-02": Decimal("8"), "E2E-PD-03": Decimal("6"),
                       "E2E-PD-04": Decimal("4")}

    # The day's 进销存 on the manager's tablet: the disc came in 10, went out 2 picked + 1 short, closes at 7; the
    # filter came in 5 + 1 over; the count's moves show as 盘点盈亏.
    manager.goto("/parts/ledger")
    wait_hydrated(manager, "#ledger-submit")
    manager.click("#ledger-today")
    manager.fill("#ledger-q", "E2E-PD-0")
    manager.click("#ledger-submit")
    rows = manager.locator("#ledger-table tbody tr")
    expect(rows).to_have_count(4)
    disc_row = rows.filter(has_text="E2E-PD-01")
    expect(disc_row).to_contain_text("10 · ¥3,000.00")
    expect(disc_row).to_contain_text("3 · ¥900.00")
    expect(disc_row).to_contain_text("7 · ¥2,100.00")
    expect(rows.filter(has_text="E2E-PD-03")).to_contain_text("6 · ¥240.00")
    expect(manager.locator("#ledger-total")).to_contain_text("25 · ¥2,780.00")
    picked = manager.locator("#ledger-out-kinds > div", has_text="维修领料")
    expect(picked).to_contain_text("2 · ¥600.00")
    expect(manager.locator("#ledger-out-kinds > div", has_text="盘亏")).to_contain_text("1 · ¥300.00")
    expect(manager.locator("#ledger-in-kinds > div", has_text="盘盈")).to_contain_text("1 · ¥40.00")


def line_of(server, part_id: int) -> int:
    return server.scalar("SELECT id FROM count_line WHERE part_id = ? ORDER BY id DESC", part_id)
