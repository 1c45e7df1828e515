"""One order through the whole workshop, in the production build and a real browser, each person on their own device:

advisor opens it (tablet) → dispatches it to 张师傅 → 张师傅 starts and finishes both lines (phone) → the parts clerk
picks two and returns one (phone) → the advisor completes it from the board's 确认完工 → the cashier settles it with
the brake job under warranty (chosen on the screen, no separate save) and takes the customer's share in cash and by
WeChat (tablet) → the manager's figures for today show exactly these amounts on top of what the day held before
(phone). Each step is checked on screen and in the server's SQLite file.

Other browser tests share the server and settle orders of their own, so the figures are read through the service
before the order starts, and the manager's screen must show them moved by exactly this order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from lantong_pwa.services.platform.figures import DayFigures, daily_figures
from lantong_pwa.timezone import local_day, local_day_bounds
from models import PaymentMethod, Settlement, SettlementStatus, User, Vehicle, WorkOrder
from models.common import utc_now
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.factories import add_vehicle

pytestmark = pytest.mark.e2e

ORDER_NUMBER = re.compile(r"WX\d{8}-\d{4}")
PLATE = "粤B12345"  # demo car: 大众 帕萨特
BRAKES, BRAKES_HOURS, BRAKES_RATE = "更换前刹车片", Decimal("1.5"), Decimal(120)
ALIGNMENT, ALIGNMENT_PRICE = "四轮定位", Decimal(198)
PART_QUERY = "机油"  # the first match (by code) is the demo's 机油滤清器 JL-TY-001
MANUFACTURER = "上汽大众"
CASH, CASH_TENDERED = Decimal("100.00"), Decimal("200.00")


def money(amount: Decimal) -> str:
    """As the screens show money (state.platform.views.money)."""
    return f"¥{amount:,.2f}"


def dec(value) -> Decimal:
    return Decimal(str(value))


@dataclass(frozen=True)
class Part:
    id: int
    code: str
    name: str
    price: Decimal
    on_hand: Decimal  # over all warehouses


def catalogue_part(server) -> Part:
    """The part intake offers first for PART_QUERY (the catalogue search orders by code)."""
    with server.db() as db:
        part = db.execute("SELECT id, code, name, sale_price FROM part WHERE is_active AND (code LIKE ? OR name LIKE ?)"
                          " ORDER BY code LIMIT 1", (f"%{PART_QUERY}%", f"%{PART_QUERY}%")).fetchone()
    return Part(id=part["id"], code=part["code"], name=part["name"], price=dec(part["sale_price"]),
                on_hand=on_hand(server, part["id"]))


def on_hand(server, part_id: int) -> Decimal:
    return dec(server.scalar("SELECT coalesce(sum(on_hand), 0) FROM stock_balance WHERE part_id = ?", part_id))


def todays_figures(server) -> tuple[DayFigures, bool]:
    """Today's figures for the manager's branch as the service has them now, and whether PLATE already counts
    among today's cars (an order of it opened or settled today)."""
    with server.orm() as session:
        manager = session.exec(select(User).where(User.username == "manager")).one()
        today = local_day(utc_now())
        start, end = local_day_bounds(today)
        vehicle_id = session.exec(select(Vehicle.id).where(Vehicle.plate == PLATE)).one()
        opened = select(WorkOrder.id).where(WorkOrder.vehicle_id == vehicle_id, WorkOrder.created_at >= start,
                                                  WorkOrder.created_at < end)
        settled = (select(Settlement.id).join(WorkOrder, WorkOrder.id == Settlement.work_order_id)
                   .where(WorkOrder.vehicle_id == vehicle_id, Settlement.status == SettlementStatus.ACTIVE,
                          Settlement.created_at >= start, Settlement.created_at < end))
        counted = session.exec(opened).first() is not None or session.exec(settled).first() is not None
        return daily_figures(session, manager, today).current, counted


def money_row(page: Page, container: str, label: str):
    return page.locator(f"{container} .line-row", has_text=label)


# ---------------------------------------------------------------------------------------------------------------
# the steps


def advisor_opens_the_order(page: Page, server, part: Part) -> tuple[int, str]:
    sign_in(page, "advisor")
    expect(page).to_have_url(re.compile(r"/intake$"))
    wait_hydrated(page, "#intake-query")
    page.fill("#intake-query", PLATE[-5:])
    page.press("#intake-query", "Enter")
    page.locator(".pick-vehicle", has_text=PLATE).click()
    expect(page.locator(".plate").first).to_have_text(PLATE)
    wait_hydrated(page, "#open-order")

    mileage = server.scalar("SELECT mileage FROM vehicle WHERE plate = ?", PLATE) + 1500
    page.fill("#mileage_in", str(mileage))
    page.get_by_role("radio", name="1/4").click()
    page.fill("#complaint", "刹车时有异响，方向盘跑偏")

    page.fill("#job_name", BRAKES)
    page.fill("input[name=job_hours]", str(BRAKES_HOURS))
    page.fill("input[name=job_rate]", str(BRAKES_RATE))
    page.click("#add-job")
    expect(page.locator(".line-row", has_text=BRAKES)).to_contain_text(money(BRAKES_HOURS * BRAKES_RATE))
    page.fill("#job_name", ALIGNMENT)
    page.fill("input[name=job_fixed]", str(ALIGNMENT_PRICE))
    page.click("#add-job")
    expect(page.locator(".line-row", has_text=ALIGNMENT)).to_contain_text(money(ALIGNMENT_PRICE))

    page.fill("#part-query", PART_QUERY)
    page.press("#part-query", "Enter")
    choice = page.locator(".part-choice").first
    expect(choice).to_contain_text(part.code)
    choice.click()
    part_row = page.locator(".line-row", has_text=part.code)
    expect(part_row).to_contain_text(money(part.price))
    quantity = part_row.get_by_label("数量")
    quantity.fill("2")
    quantity.blur()
    expect(part_row).to_contain_text(money(2 * part.price))
    expect(page.locator(".line-row")).to_have_count(3)

    page.click("#open-order")
    expect(page.locator("#order-number")).to_have_text(ORDER_NUMBER)
    number = page.locator("#order-number").inner_text()
    return server.scalar("SELECT id FROM work_order WHERE number = ?", number), number


def advisor_dispatches_the_whole_order(page: Page, order_id: int) -> None:
    page.goto("/orders")
    button = f"#dispatch-{order_id}"
    wait_hydrated(page, button)
    page.click(button)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("未派工")
    page.click("#dispatch-target")
    page.get_by_role("option", name="技师 · 张师傅").click()
    page.click("#assign-order")
    expect(dialog).not_to_contain_text("未派工")
    expect(dialog.get_by_text("张师傅 100%")).to_have_count(2)  # each line, whole to him
    dialog.get_by_role("button", name="完成").click()
    expect(dialog).to_have_count(0)
    board = page.locator(".board-card", has_text=BRAKES).filter(has=page.locator(button))
    expect(board.locator(".board-line", has_text=BRAKES)).to_contain_text("张师傅")


def technician_works_the_lines(page: Page, number: str, job_ids: list[int]) -> None:
    sign_in(page, "tech")
    expect(page).to_have_url(re.compile(r"/tasks$"))
    group = page.locator(".task-group", has_text=number)
    expect(group.locator(".plate")).to_have_text(PLATE)
    for job_id in job_ids:
        wait_hydrated(page, f"#start-{job_id}")
        page.click(f"#start-{job_id}")
        expect(page.locator(f"#pause-{job_id}")).to_be_visible()  # the clock runs
        page.click(f"#finish-{job_id}")
        expect(page.locator(f"#finish-{job_id}")).to_have_count(0)  # finished: no more clock buttons
    expect(group.locator(".task-line", has_text="已完工")).to_have_count(len(job_ids))


def clerk_picks_two_and_returns_one(page: Page, order_id: int, part_line_id: int) -> None:
    sign_in(page, "parts")
    expect(page).to_have_url(re.compile(r"/parts$"))
    link = page.locator(f'a[href="/parts/orders/{order_id}"]')
    expect(link).to_contain_text(PLATE)
    wait_hydrated(page, f'a[href="/parts/orders/{order_id}"]')
    link.click()
    expect(page).to_have_url(re.compile(rf"/parts/orders/{order_id}$"))

    card = page.locator(f"#pick-line-{part_line_id}")
    wait_hydrated(page, f"#pick-line-{part_line_id} button[type=submit]")
    expect(card.get_by_label("领料数量")).to_have_value("2")  # what is still to pick
    card.get_by_label("领料数量").fill("2")
    card.get_by_role("button", name="领料").click()
    expect(card.get_by_text("已领齐")).to_be_visible()

    card.get_by_role("button", name="退料").click()
    card.get_by_label("退料数量").fill("1")
    card.get_by_role("button", name="退回").click()
    expect(card.get_by_text("已领齐")).to_have_count(0)  # one is back on the shelf: one more could be picked
    expect(card.get_by_label("领料数量")).to_have_value("1")


def advisor_completes_from_the_board(page: Page, number: str) -> None:
    page.goto("/orders")
    wait_hydrated(page, f"#complete-{number}")
    page.click(f"#complete-{number}")  # every line is finished: the board offers 确认完工
    expect(page).to_have_url(re.compile(rf"/cashier/{number}$"))
    wait_hydrated(page, "#complete-order")
    expect(page.locator("#order-status")).to_have_text("维修中")
    page.click("#complete-order")
    expect(page.locator("#order-status")).to_have_text("已完工")


def cashier_settles_and_takes_two_payments(page: Page, number: str, customer: Decimal) -> None:
    sign_in(page, "cashier")
    expect(page).to_have_url(re.compile(r"/cashier$"))
    queued = page.locator(f'#ready-list a[href="/cashier/{number}"]')
    expect(queued).to_contain_text(PLATE)
    wait_hydrated(page, f'#ready-list a[href="/cashier/{number}"]')
    queued.click()
    expect(page.locator("#order-status")).to_have_text("已完工")

    # The brake job under warranty, chosen on the screen and settled with no separate save.
    brakes = page.locator(".line-row", has_text=BRAKES)
    wait_hydrated(page, "#settle")
    brakes.get_by_label("付款方").select_option("warranty")
    expect(page.locator("#customer-amount")).to_contain_text(money(customer))  # the preview follows
    brakes.get_by_label("厂家或保险公司").fill(MANUFACTURER)

    page.click("#settle")
    expect(page.locator("#settlement-number")).to_be_visible()
    expect(page.locator("#order-status")).to_have_text("已结算")
    expect(page.locator("#outstanding")).to_contain_text(money(customer))

    # Part in cash, with change …
    page.locator(".method-button", has_text="现金").click()
    expect(page.locator("#pay-amount")).to_have_value(f"{customer:.2f}")
    page.fill("#pay-amount", str(CASH))
    page.fill("#pay-tendered", str(CASH_TENDERED))
    page.click("#take-payment")
    expect(page.locator("#receipt-change")).to_contain_text(money(CASH_TENDERED - CASH))
    expect(page.locator("#outstanding")).to_contain_text(money(customer - CASH))

    # … the rest by WeChat: the amount offered is what is left.
    page.locator(".method-button", has_text="微信").click()
    expect(page.locator("#pay-tendered")).to_have_count(0)
    expect(page.locator("#pay-amount")).to_have_value(f"{customer - CASH:.2f}")
    page.click("#take-payment")
    expect(page.locator("#order-status")).to_have_text("已结清")
    expect(page.locator("#outstanding")).to_contain_text(money(Decimal(0)))


# ---------------------------------------------------------------------------------------------------------------
# the test


def test_one_order_from_intake_to_the_managers_figures(server, new_context):
    part = catalogue_part(server)
    before, car_counted = todays_figures(server)

    labor = BRAKES_HOURS * BRAKES_RATE + ALIGNMENT_PRICE  # 180 + 198, all payers
    warranty = BRAKES_HOURS * BRAKES_RATE
    parts_total = 1 * part.price  # picked 2, returned 1
    gross = labor + parts_total
    customer = gross - warranty
    wechat = customer - CASH

    advisor = new_context("tablet").new_page()
    order_id, number = advisor_opens_the_order(advisor, server, part)
    with server.db() as db:
        job_ids = [row[0] for row in db.execute(
            "SELECT id FROM job_line WHERE work_order_id = ? ORDER BY position, id", (order_id,)).fetchall()]
    part_line_id = server.scalar("SELECT id FROM part_line WHERE work_order_id = ?", order_id)
    assert len(job_ids) == 2 and part_line_id is not None

    advisor_dispatches_the_whole_order(advisor, order_id)
    technician_works_the_lines(new_context("phone").new_page(), number, job_ids)
    clerk_picks_two_and_returns_one(new_context("phone").new_page(), order_id, part_line_id)
    advisor_completes_from_the_board(advisor, number)
    cashier_settles_and_takes_two_payments(new_context("tablet").new_page(), number, customer)

    # --- the database agrees with what the screens said
    tech_id = server.scalar("SELECT id FROM user WHERE username = 'tech'")
    with server.db() as db:
        order = db.execute("SELECT * FROM work_order WHERE id = ?", (order_id,)).fetchone()
        jobs = db.execute("SELECT * FROM job_line WHERE work_order_id = ? ORDER BY position, id", (order_id,)).fetchall()
        assignments = db.execute(
            "SELECT job_line_id, technician_id, share_percent FROM job_assignment WHERE job_line_id IN (?, ?)",
            job_ids).fetchall()
        clocks = db.execute("SELECT job_line_id, technician_id, ended_at FROM time_entry WHERE job_line_id IN (?, ?)",
                            job_ids).fetchall()
        line = db.execute("SELECT * FROM part_line WHERE id = ?", (part_line_id,)).fetchone()
        moves = db.execute("SELECT kind, quantity FROM stock_move WHERE part_line_id = ? ORDER BY id",
                           (part_line_id,)).fetchall()
        settlements = db.execute("SELECT * FROM settlement WHERE work_order_id = ?", (order_id,)).fetchall()
        payments = db.execute("SELECT p.* FROM payment p JOIN settlement s ON s.id = p.settlement_id"
                              " WHERE s.work_order_id = ? ORDER BY p.id", (order_id,)).fetchall()
        warranty_lines = db.execute("SELECT description, payer, payer_party, net FROM settlement_line"
                                    " WHERE settlement_id = ? AND payer = 'warranty'", (settlements[0]["id"],)).fetchall()

    assert order["status"] == "closed" and order["completed_at"] and order["settled_at"] and order["closed_at"]
    assert [(j["name"], dec(j["amount"]), j["status"]) for j in jobs] == [
        (BRAKES, Decimal("180.00"), "finished"), (ALIGNMENT, Decimal("198.00"), "finished")]
    assert sorted((a["job_line_id"], a["technician_id"], dec(a["share_percent"])) for a in assignments) == [
        (job_id, tech_id, Decimal(100)) for job_id in sorted(job_ids)]
    assert sorted(c["job_line_id"] for c in clocks) == sorted(job_ids)
    assert all(c["technician_id"] == tech_id and c["ended_at"] for c in clocks)
    assert (line["part_id"], dec(line["quantity"]), dec(line["picked_quantity"]), dec(line["returned_quantity"])) == (
        part.id, 2, 2, 1)
    assert [(m["kind"], dec(m["quantity"])) for m in moves] == [("pick", -2), ("return", 1)]
    assert on_hand(server, part.id) == part.on_hand - 1

    assert len(settlements) == 1
    sheet = settlements[0]
    assert sheet["status"] == "active"
    assert (dec(sheet["labor_total"]), dec(sheet["parts_total"]), dec(sheet["other_total"]), dec(sheet["gross"])) == (
        labor, parts_total, 0, gross)
    assert (dec(sheet["warranty_amount"]), dec(sheet["customer_amount"])) == (warranty, customer)
    assert dec(sheet["insurance_amount"]) == dec(sheet["internal_amount"]) == dec(sheet["order_discount"]) == 0
    assert [(w["description"], w["payer_party"], dec(w["net"])) for w in warranty_lines] == [
        (BRAKES, MANUFACTURER, warranty)]
    assert [(p["method"], dec(p["amount"])) for p in payments] == [("cash", CASH), ("wechat", wechat)]
    assert (dec(payments[0]["tendered"]), dec(payments[0]["change"])) == (CASH_TENDERED, CASH_TENDERED - CASH)
    assert sum(dec(p["amount"]) for p in payments) == dec(sheet["customer_amount"])
    parts_cost, billed_hours = dec(sheet["parts_cost"]), dec(sheet["billed_hours"])
    assert billed_hours == BRAKES_HOURS  # the fixed-price line carries no hours

    # --- the manager's figures for today, on a phone: what the day held before, moved by this order
    collected = {PaymentMethod.CASH: CASH, PaymentMethod.WECHAT: wechat}
    after = replace(
        before,
        car_count=before.car_count + (0 if car_counted else 1), orders_opened=before.orders_opened + 1,
        orders_completed=before.orders_completed + 1, orders_settled=before.orders_settled + 1,
        labor_sales=before.labor_sales + labor, parts_sales=before.parts_sales + parts_total,
        customer_sales=before.customer_sales + customer, warranty_sales=before.warranty_sales + warranty,
        parts_cost=before.parts_cost + parts_cost, billed_hours=before.billed_hours + billed_hours,
        collections={m: amount + collected.get(m, 0) for m, amount in before.collections.items()},
    )
    tech_before = next((t.billed_hours for t in before.technicians if t.name == "张师傅"), Decimal(0))
    manager = new_context("phone").new_page()
    sign_in(manager, "manager")
    expect(manager).to_have_url(re.compile(r"/figures$"))
    expected_cards = {
        "labor_sales": money(after.labor_sales),
        "parts_sales": money(after.parts_sales),
        "other_sales": money(after.other_sales),
        "total_sales": money(after.total_sales),
        "customer_sales": money(after.customer_sales),
        "collections": money(after.collections_total),
        "receivables": money(after.new_receivables),
        "aro": money(after.aro),
        "settled": str(after.orders_settled),
        "completed": str(after.orders_completed),
        "opened": str(after.orders_opened),
        "car_count": str(after.car_count),
        "open_orders": str(after.open_orders),
        "billed_hours": f"{after.billed_hours:.2f}",
        "labor_rate": money(after.effective_labor_rate),
        "parts_margin": f"{after.parts_margin}%",
    }
    for key, shown in expected_cards.items():
        expect(manager.locator(f"#figure-{key} .figure-value"), key).to_have_text(shown)
    for method, amount in after.collections.items():
        expect(manager.locator(f"#collection-{method.value}"), method.value).to_contain_text(money(amount))
    for payer, amount in (("自费", after.customer_sales), ("三包", after.warranty_sales),
                          ("保险", after.insurance_sales), ("内部", after.internal_sales)):
        expect(money_row(manager, "#payer-split", payer), payer).to_contain_text(money(amount))
    tech_row = manager.locator("#technician-efficiency tr", has_text="张师傅")
    expect(tech_row).to_contain_text(f"{tech_before + billed_hours:.2f}")  # both lines are his, whole


def test_on_a_phone_a_board_row_opens_its_vehicle_card_from_a_thumb_sized_link(server, new_context):
    from lantong_pwa.services.workshop import work_orders
    from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm

    with server.orm() as session:
        advisor = session.exec(select(User).where(User.username == "advisor")).one()
        n = server.scalar("SELECT max(id) FROM vehicle") + 1
        vehicle = add_vehicle(session, advisor.branch_id, plate=f"粤T{n:05d}", mobile=f"1360000{n:04d}",
                              owner_name="看板测试", make="丰田", model="卡罗拉")
        work_orders.open_work_order(session, advisor, OrderForm(
            vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="看板测试",
            job_lines=[JobLineInput(name="检查", hours="1", rate="100")]))
    page = new_context("phone").new_page()
    sign_in(page, "advisor")
    page.goto("/orders")
    link = page.locator(".board-card-link", has_text=vehicle.plate)
    expect(link).to_be_visible()
    assert link.bounding_box()["height"] >= 44
    wait_hydrated(page, ".board-card-link")
    link.click()
    expect(page).to_have_url(re.compile(rf"/v/{re.escape(vehicle.qr_token)}/?$"))
    expect(page.locator(".plate").first).to_have_text(vehicle.plate)
