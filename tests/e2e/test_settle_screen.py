"""The screen can't lose a decision, in the production build and a real browser:

- a second tab left open on the settle page can neither move a settled order back (确认完工) nor settle it again;
- 确认完工 is reached from the progress board on a phone, without typing an address;
- a payer, insurer and order discount chosen on a phone, with no separate save, are what gets settled;
- 确认完工 with a planned part never picked asks for a decision, and 仍然完工 keeps the reason on the order.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from lantong_pwa.services.workshop import completion, work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from models import JobLine, JobLineStatus, Part, User, WorkOrderStatus
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.factories import add_vehicle

pytestmark = pytest.mark.e2e

FILTER, FILTER_PRICE = "更换空调滤芯", "120"
CHASSIS = "检查底盘"  # 1 hour × 100


def finished_order(server, owner: str, *, complete: bool = False, part: bool = False) -> tuple[int, str]:
    """An order of a new car whose two job lines are finished (in progress, or completed when ``complete``); with
    ``part``, a planned part too, never picked."""
    with server.orm() as session:
        advisor = session.exec(select(User).where(User.username == "advisor")).one()
        n = server.scalar("SELECT max(id) FROM vehicle") + 1
        vehicle = add_vehicle(session, advisor.branch_id, plate=f"粤J{n:05d}", mobile=f"1350000{n:04d}",
                              owner_name=owner, make="本田", model="雅阁")
        order = work_orders.open_work_order(session, advisor, OrderForm(
            vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint=owner,
            job_lines=[JobLineInput(name=FILTER, fixed_price=FILTER_PRICE),
                       JobLineInput(name=CHASSIS, hours="1", rate="100")],
            part_lines=[PartLineInput(part_id=session.exec(select(Part.id).where(
                Part.branch_id == advisor.branch_id, Part.is_active).order_by(Part.code)).first(), quantity="1")]
            if part else []))
        order.status = WorkOrderStatus.IN_PROGRESS
        session.add(order)
        for line in session.exec(select(JobLine).where(JobLine.work_order_id == order.id)).all():
            line.status = JobLineStatus.FINISHED
            session.add(line)
        session.commit()
        if complete:
            completion.complete_order(session, advisor, order.id)
            session.commit()
        return order.id, order.number


def open_settle_page(page: Page, number: str, ready: str) -> None:
    page.goto(f"/cashier/{number}")
    wait_hydrated(page, ready)


def order_status(server, order_id: int) -> str:
    return server.scalar("SELECT status FROM work_order WHERE id = ?", order_id)


def test_a_second_tab_cannot_undo_or_repeat_a_settlement(server, new_context):
    order_id, number = finished_order(server, "两个标签")
    context = new_context("tablet")
    first, stale = context.new_page(), context.new_page()
    sign_in(first, "advisor")
    for page in (first, stale):
        open_settle_page(page, number, "#complete-order")
        expect(page.locator("#order-status")).to_have_text("维修中")

    first.click("#complete-order")
    expect(first.locator("#order-status")).to_have_text("已完工")
    late = context.new_page()  # opened once the order was complete: it offers 结算
    open_settle_page(late, number, "#settle")
    first.click("#settle")
    expect(first.locator("#settlement-number")).to_be_visible()
    expect(first.locator("#order-status")).to_have_text("已结算")

    stale.click("#complete-order")  # still on screen from before: the service refuses it
    expect(stale.get_by_role("alert").filter(has_text="已结算")).to_be_visible()
    late.click("#settle")
    expect(late.get_by_role("alert").filter(has_text="已结算")).to_be_visible()
    assert order_status(server, order_id) == "settled"
    assert server.scalar("SELECT count(*) FROM settlement WHERE work_order_id = ? AND status = 'active'",
                         order_id) == 1

    stale.reload()  # read afresh, the page offers neither any more
    expect(stale.locator("#settlement-number")).to_be_visible()
    expect(stale.locator("#complete-order")).to_have_count(0)
    expect(stale.locator("#settle")).to_have_count(0)


def test_on_a_phone_complete_is_reached_from_the_board(server, new_context):
    order_id, number = finished_order(server, "看板完工")
    page = new_context("phone").new_page()
    sign_in(page, "advisor")
    page.goto("/orders")
    link = page.locator(f"#complete-{number}")
    expect(link).to_have_text("确认完工")
    wait_hydrated(page, f"#complete-{number}")
    link.click()
    expect(page).to_have_url(re.compile(rf"/cashier/{number}$"))
    wait_hydrated(page, "#complete-order")
    page.click("#complete-order")
    expect(page.locator("#order-status")).to_have_text("已完工")
    assert order_status(server, order_id) == "completed"
    page.goto("/orders")  # complete: the board no longer offers it
    expect(page.locator(".board-card", has_text=number)).to_contain_text("已完工")
    expect(page.locator(f"#complete-{number}")).to_have_count(0)


def test_on_a_phone_a_payer_chosen_without_saving_settles_as_chosen(server, new_context):
    order_id, number = finished_order(server, "不用保存", complete=True)
    page = new_context("phone").new_page()
    sign_in(page, "cashier")
    open_settle_page(page, number, "#settle")
    expect(page.locator("#customer-amount")).to_contain_text("¥220.00")

    chassis = page.locator(".line-row", has_text=CHASSIS)
    chassis.get_by_label("付款方").select_option("insurance")
    expect(page.locator("#customer-amount")).to_contain_text("¥120.00")  # the preview follows the choice
    chassis.get_by_label("厂家或保险公司").fill("人保财险")
    page.fill("#order-discount", "20")
    page.click("#settle")  # no 保存 anywhere: 结算 takes what is on the screen

    expect(page.locator("#settlement-number")).to_be_visible()
    expect(page.locator("#customer-amount")).to_contain_text("¥100.00")
    with server.db() as db:
        sheet = db.execute("SELECT * FROM settlement WHERE work_order_id = ? AND status = 'active'",
                           (order_id,)).fetchone()
        insured = db.execute("SELECT description, payer, payer_party FROM settlement_line WHERE settlement_id = ?"
                             " AND payer != 'customer'", (sheet["id"],)).fetchall()
    assert [tuple(row) for row in insured] == [(CHASSIS, "insurance", "人保财险")]
    assert (float(sheet["insurance_amount"]), float(sheet["order_discount"]), float(sheet["customer_amount"])) == (
        100.0, 20.0, 100.0)


def test_on_a_phone_complete_asks_about_a_part_never_picked(server, new_context):
    order_id, number = finished_order(server, "未领配件", part=True)
    page = new_context("phone").new_page()
    sign_in(page, "advisor")
    open_settle_page(page, number, "#complete-order")
    expect(page.locator("#unpicked-parts")).to_contain_text("已领用0")  # listed, and not billed
    page.click("#complete-order")
    decision = page.locator("#parts-decision")
    expect(decision).to_contain_text("以下配件还没有领料")
    expect(decision.get_by_role("button", name="删除该配件")).to_be_visible()
    wait_hydrated(page, "#complete-anyway")
    page.click("#complete-anyway")  # no reason: asked for one
    expect(page.get_by_role("alert").filter(has_text="请填写仍然完工的原因")).to_be_visible()
    page.fill("#parts-reason", "客户自带配件")
    page.click("#complete-anyway")
    expect(page.locator("#order-status")).to_have_text("已完工")
    expect(page.locator("#unpicked-parts")).to_contain_text("完工原因：客户自带配件")
    assert server.scalar("SELECT unpicked_parts_reason FROM work_order WHERE id = ?", order_id) == "客户自带配件"
