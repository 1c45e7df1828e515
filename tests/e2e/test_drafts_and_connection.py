"""Nothing typed is lost on the workshop's weak Wi-Fi, in the production build and a real browser: the intake forms
(tablet) and a job line's note (phone) come back after a reload, the connection banner shows while the server is
out of reach and the buttons that need it are disabled, and a submit whose answer is lost makes one order, shown
after the reconnect or the reload.

``context.set_offline`` makes ``navigator.onLine`` false and, in this Chromium, also drops the open websocket (its
reconnects fail with ERR_INTERNET_DISCONNECTED). ``SocketSwitch`` wraps the page's WebSocket for the other cases:
the socket lost while the browser still believes it is online, and the server's answer to a submit lost on the
way. Each test makes its own vehicle (and technician) with a unique plate and counts only its rows.
"""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from lantong_pwa.services.platform import users
from lantong_pwa.services.workshop import dispatch, work_orders
from lantong_pwa.services.platform.users import UserForm
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from models import JobLine, User
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.factories import add_vehicle
from tests.waiting import wait_until

pytestmark = pytest.mark.e2e

DOWN_BANNER = "#connection-down"
DB_DEADLINE = 20  # seconds for a submit the page never hears back about to reach the database


def unique_digits(count: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(count))


# Wraps the page's WebSocket: cut() closes the open ones and makes new ones fail as on a dead network (they aim at
# a port the browser refuses, so it reports an error and a close); deaf drops what the server sends.
SOCKET_SWITCH = """
(() => {
  const Native = window.WebSocket;
  const nativeOnMessage = Object.getOwnPropertyDescriptor(Native.prototype, "onmessage");
  const live = new Set();
  const state = { down: false, deaf: false, refused: 0 };
  class Switched extends Native {
    constructor(url, protocols) {
      super(state.down ? "ws://127.0.0.1:9/" : url, protocols);
      state.refused += state.down ? 1 : 0;
      live.add(this);
      this.addEventListener("close", () => live.delete(this));
    }
    set onmessage(handler) {
      nativeOnMessage.set.call(this, handler && ((event) => state.deaf ? undefined : handler.call(this, event)));
    }
    get onmessage() { return nativeOnMessage.get.call(this); }
  }
  window.WebSocket = Switched;
  window.__socketSwitch = {
    cut() { state.down = true; state.refused = 0; live.forEach((ws) => ws.close()); },
    refused() { return state.refused; },
    deafen() { state.deaf = true; },
    mend() { state.down = false; state.deaf = false; },
  };
})();
"""


class SocketSwitch:
    """The page's websocket (Reflex's ``/_event``) as the workshop's Wi-Fi treats it: ``cut`` drops it and makes
    reconnecting fail (a dead access point), ``deafen`` loses what the server sends (the answer to a submit)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        page.context.add_init_script(SOCKET_SWITCH)

    def cut(self) -> None:
        self.page.evaluate("window.__socketSwitch.cut()")

    def deafen(self) -> None:
        self.page.evaluate("window.__socketSwitch.deafen()")

    def mend(self) -> None:
        self.page.evaluate("window.__socketSwitch.mend()")

    def wait_refused(self, attempts: int) -> None:
        """Until Reflex has tried to reconnect ``attempts`` times since the cut (and failed)."""
        self.page.wait_for_function(f"window.__socketSwitch.refused() >= {attempts}")


def wait_for_count(server, sql: str, *params, expected: int) -> None:
    """The database reaches ``expected`` (a submit the page never heard back about still lands)."""
    wait_until(lambda: server.scalar(sql, *params) == expected, f"{sql} {params} reaches {expected}", DB_DEADLINE)


def expect_connection_lost(page: Page, button: str) -> None:
    expect(page.locator(DOWN_BANNER)).to_have_text(re.compile("网络已断开"))
    expect(page.locator(button)).to_be_disabled()


def expect_connection_back(page: Page, button: str) -> None:
    expect(page.locator(DOWN_BANNER)).to_have_count(0)
    expect(page.locator(button)).to_be_enabled()


def draft_hint(page: Page):
    return page.locator(".draft-hint")


ORDERS_OF_PLATE = ("SELECT count(*) FROM work_order JOIN vehicle ON vehicle.id = work_order.vehicle_id "
                   "WHERE vehicle.plate = ?")


def wait_drafts_gone(page: Page) -> None:
    """Wait until the browser keeps no form draft (the page drops one just after the server has the record)."""
    page.wait_for_function("!Object.keys(localStorage).some((key) => key.startsWith('lantong-draft:'))")


def orders_of(server, plate: str) -> int:
    return server.scalar(ORDERS_OF_PLATE, plate)


def test_intake_drafts_survive_a_reload_and_a_submit_whose_answer_is_lost_opens_one_order(server, new_context):
    plate, mobile = f"粤D{unique_digits(5)}", f"139{unique_digits(8)}"
    page = new_context("tablet").new_page()
    switch = SocketSwitch(page)
    sign_in(page, "advisor")
    wait_hydrated(page, "#start-registration")

    # Registration: typed, the page reloads, the draft is back (a select and a checkbox too) and registers.
    page.click("#start-registration")
    wait_hydrated(page, "#register-submit")
    page.fill("#reg-customer_name", "草稿测试")
    page.fill("#reg-mobile", mobile)
    page.get_by_role("combobox").click()
    page.get_by_role("option", name="单位").click()
    page.get_by_role("checkbox", name="同意接收短信提醒").click()
    page.fill("#reg-plate", plate)
    page.fill("#reg-make", "比亚迪")
    page.reload()  # back on the registration form, its draft in the fields
    expect(draft_hint(page)).to_contain_text("已恢复")
    expect(page.locator("#reg-customer_name")).to_have_value("草稿测试")
    expect(page.locator("#reg-plate")).to_have_value(plate)
    expect(page.get_by_role("combobox")).to_have_text("单位")
    expect(page.get_by_role("checkbox", name="同意接收短信提醒")).to_be_checked()
    wait_hydrated(page, "#register-submit")
    page.click("#register-submit")
    expect(page.locator(".plate").first).to_have_text(plate)
    assert server.scalar("SELECT kind FROM customer WHERE mobile = ?", mobile) == "company"
    expect(page).to_have_url(re.compile(r"/intake\?vehicle="))

    # The order form with a job line: typed, reloaded, all back, in the fields and in what the submit sends.
    page.fill("#mileage_in", "1200")
    page.get_by_role("radio", name="1/2").click()
    page.fill("#complaint", "草稿：刹车异响")
    page.fill("#job_name", "检查刹车")
    page.fill("input[name=job_fixed]", "88")
    page.click("#add-job")
    expect(page.locator(".line-row", has_text="检查刹车")).to_contain_text("¥88.00")
    page.fill("#part-query", "机油")
    page.press("#part-query", "Enter")
    part = page.locator(".part-choice").first.inner_text().split()[0]
    page.locator(".part-choice").first.click()
    expect(page.locator(".line-row")).to_have_count(2)
    page.reload()
    expect(draft_hint(page)).to_contain_text("已恢复")
    expect(page.locator("#mileage_in")).to_have_value("1200")
    expect(page.locator("#complaint")).to_have_value("草稿：刹车异响")
    expect(page.get_by_role("radio", name="1/2")).to_be_checked()
    expect(page.locator(".line-row", has_text="检查刹车")).to_contain_text("¥88.00")
    expect(page.locator(".line-row").nth(1)).to_contain_text(part)

    # Offline: the banner, and 开单 cannot be pressed; the typing goes on.
    page.context.set_offline(True)
    expect_connection_lost(page, "#open-order")
    page.fill("#complaint", "草稿：刹车异响，离线时补充")
    page.context.set_offline(False)
    expect_connection_back(page, "#open-order")
    # The websocket itself dropped (the browser still thinks it is online): the same, until it reconnects.
    switch.cut()
    expect_connection_lost(page, "#open-order")
    page.locator("#open-order").click(force=True)  # a tap on the disabled button does nothing
    switch.wait_refused(3)  # Reflex's own toast would show from the second failed attempt on
    expect(page.get_by_text("Cannot connect to server")).to_have_count(0)
    expect(page.locator(DOWN_BANNER)).to_be_visible()
    switch.mend()
    expect_connection_back(page, "#open-order")
    assert orders_of(server, plate) == 0

    # 开单 reaches the server but its answer is lost, then the websocket drops and comes back: the page shows the
    # order the submit opened (the draft's request key finds it), and there is no second one.
    address = page.url
    first = lost_answer_submit(page, switch, server, plate, expected=1)
    switch.cut()
    expect_connection_lost(page, "#open-order")
    switch.mend()
    expect(page.locator("#order-number")).to_have_text(first)
    assert orders_of(server, plate) == 1
    assert server.scalar("SELECT complaint FROM work_order WHERE number = ?", first) == "草稿：刹车异响，离线时补充"
    for lines in ("job_line", "part_line"):
        assert server.scalar(f"SELECT count(*) FROM {lines} JOIN work_order ON work_order.id = {lines}.work_order_id "
                             "WHERE work_order.number = ?", first) == 1

    # Submitted: the draft is gone (the page drops it just after showing the order), so the vehicle's next order
    # starts empty. Its answer is lost too, and this time the page reloads: again the order it opened, once.
    wait_drafts_gone(page)
    page.goto(address)
    expect(page.locator("#mileage_in")).to_be_visible()
    wait_hydrated(page, "#open-order")
    expect(page.locator("#complaint")).to_have_value("")
    expect(draft_hint(page)).to_have_count(0)
    page.fill("#mileage_in", "1300")
    page.get_by_role("radio", name="3/4").click()
    page.fill("#complaint", "第二单：更换雨刮")
    second = lost_answer_submit(page, switch, server, plate, expected=2)
    page.reload()
    expect(page.locator("#order-number")).to_have_text(second)
    assert orders_of(server, plate) == 2 and second != first


def lost_answer_submit(page: Page, switch: SocketSwitch, server, plate: str, *, expected: int) -> str:
    """Tap 开单 while the server's answers are lost; wait until the order is in the database; its number."""
    switch.deafen()
    page.click("#open-order")
    wait_for_count(server, ORDERS_OF_PLATE, plate, expected=expected)
    expect(page.locator("#order-number")).to_have_count(0)  # the page never heard back
    return server.scalar("SELECT number FROM work_order JOIN vehicle ON vehicle.id = work_order.vehicle_id "
                         "WHERE vehicle.plate = ? ORDER BY work_order.id DESC", plate)


TECHNICIAN_PASSWORD = "draft-notes-on-the-lift"  # a new account keeps the password rules (the demo's do not)


def add_technician_line(server) -> tuple[str, int]:
    """A technician of the demo branch with one job line on a new vehicle's order; their username and the line."""
    username = f"draft{unique_digits(6)}"
    with server.orm() as session:
        advisor = session.exec(select(User).where(User.username == "advisor")).one()
        technician = users.create_user_from_command_line(
            session, UserForm(username=username, display_name="草稿师傅", role="technician",
                              branch_id=advisor.branch_id), TECHNICIAN_PASSWORD)
        vehicle = add_vehicle(session, advisor.branch_id, plate=f"粤E{unique_digits(5)}",
                              mobile=f"137{unique_digits(8)}", owner_name="备注测试")
        order = work_orders.open_work_order(session, advisor, OrderForm(
            vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="异响",
            job_lines=[JobLineInput(name="底盘检查", hours="1", rate="100")]))
        dispatch.assign_order(session, advisor, order.id, technician_id=technician.id)
        line_id = session.exec(select(JobLine.id).where(JobLine.work_order_id == order.id)).one()
        return username, line_id


def open_job_note(page: Page, line_id: int):
    """On the technician's 我的任务, open a job line's sheet; its note box."""
    wait_hydrated(page, f"#more-{line_id}")
    page.click(f"#more-{line_id}")
    return page.get_by_label("项目备注")


def test_a_job_note_draft_survives_a_reload_on_a_phone(server, new_context):
    username, line_id = add_technician_line(server)
    page = new_context("phone").new_page()
    sign_in(page, username, password=TECHNICIAN_PASSWORD)
    note = open_job_note(page, line_id)
    note.fill("左前减震漏油，建议更换")
    page.reload()

    expect(draft_hint(page)).to_contain_text("已恢复")  # the sheet is open again, the note back in it
    expect(note).to_have_value("左前减震漏油，建议更换")
    save = page.get_by_role("button", name="保存备注")

    page.context.set_offline(True)
    expect(page.locator(DOWN_BANNER)).to_be_visible()
    expect(save).to_be_disabled()
    page.context.set_offline(False)
    expect(page.locator(DOWN_BANNER)).to_have_count(0)
    expect(save).to_be_enabled()

    save.click()
    wait_for_count(server, "SELECT count(*) FROM job_line WHERE id = ? AND note = ?", line_id, "左前减震漏油，建议更换",
                   expected=1)
    expect(draft_hint(page)).to_have_count(0)
    page.reload()
    expect(note).to_have_value("左前减震漏油，建议更换")  # the saved note, not a draft
    expect(draft_hint(page)).to_have_count(0)

    # A draft the technician does not want: 放弃草稿 puts the saved note back, and the draft stays gone.
    note.fill("写错了")
    page.reload()
    expect(note).to_have_value("写错了")
    page.get_by_role("button", name="放弃草稿").click()
    expect(draft_hint(page)).to_have_count(0)
    expect(note).to_have_value("左前减震漏油，建议更换")
    wait_drafts_gone(page)


def test_signing_out_clears_that_persons_drafts_from_a_shared_phone(server, new_context):
    username, line_id = add_technician_line(server)
    page = new_context("phone").new_page()
    sign_in(page, username, password=TECHNICIAN_PASSWORD)
    open_job_note(page, line_id).fill("客户电话 13800000000，下午取车")
    mine = "Object.keys(localStorage).filter((key) => key.startsWith('lantong-draft:'))"
    page.wait_for_function(f"{mine}.length === 1")
    page.evaluate("localStorage.setItem('lantong-draft:999999:line:1', '{}')")  # somebody else's, left alone
    page.keyboard.press("Escape")

    page.click("#tab-more")
    page.get_by_role("menuitem", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/login"))
    assert page.evaluate(mine) == ["lantong-draft:999999:line:1"]

    sign_in(page, username, password=TECHNICIAN_PASSWORD)
    expect(open_job_note(page, line_id)).to_have_value("")
    expect(draft_hint(page)).to_have_count(0)
