"""Made for hands, on a phone: on the workshop's screens every control a thumb presses is at least 44 × 44 px, the
plate is large on every screen about one vehicle, and axe-core finds nothing against WCAG 2 A and AA (contrast
included: readable in bright light). Each screen is shown with what a working day puts on it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlmodel import func, select

from lantong_pwa.services.parts import stock
from lantong_pwa.services.workshop import completion, dispatch, job_clock, work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from models import JobLine, User, Vehicle, Warehouse
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.factories import add_part, add_vehicle

pytestmark = pytest.mark.e2e
TOUCH_TARGET = 44  # px, each way
LARGE_PLATE = 28  # px, the plate's text on a screen about one vehicle
WCAG_A_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

# Every control a finger can press that is smaller than a thumb, as "what it is (width × height)". A control in a
# <label> counts as its label (pressing the words ticks the box), a visually hidden input (the photo control's
# file inputs) is pressed through its label too, and a text field is its whole box (a tap on its padding focuses it).
SMALL_CONTROLS = """(min) => {
  const controls = 'button, a[href], input:not([type=hidden]), select, textarea, [role=button], [role=checkbox],'
    + ' [role=radio], [role=combobox], [role=switch], [role=tab], [role=menuitem]';
  const counted = new Set();
  const small = [];
  for (const control of document.querySelectorAll(controls)) {
    const box = control.getBoundingClientRect();
    const label = control.closest('label') ?? control.labels?.[0];
    const hidden = box.width <= 2 || box.height <= 2;
    if ((box.width === 0 && box.height === 0 && !label) || control.closest('[aria-hidden=true]')) continue;
    const field = control.closest('.rt-TextFieldRoot, .rt-TextAreaRoot');  // a tap on its padding focuses it
    const pressed = field ?? (label && (hidden || box.width < min || box.height < min) ? label : control);
    if (counted.has(pressed)) continue;
    counted.add(pressed);
    const { width, height } = pressed.getBoundingClientRect();
    if (width === 0 && height === 0) continue;  // not on the screen (a closed menu, the other screen size's nav)
    if (width < min || height < min) {
      const name = (pressed.getAttribute('aria-label') || pressed.innerText || pressed.id || pressed.tagName).trim();
      small.push(`${name.slice(0, 30)} (${Math.round(width)} × ${Math.round(height)})`);
    }
  }
  return small;
}"""
PLATE_SIZES = "() => [...document.querySelectorAll('.plate')].map((p) => parseFloat(getComputedStyle(p).fontSize))"


@dataclass(frozen=True)
class Day:
    token: str  # the vehicle in the workshop: its card
    pick_order_id: int  # its order, with a part to pick
    settle_number: str  # another car's order, repaired and completed: at the cashier


def _user(session, username: str) -> User:
    return session.exec(select(User).where(User.username == username)).one()


def _vehicle(session, branch_id: int, tag: str) -> Vehicle:
    n = (session.exec(select(func.max(Vehicle.id))).one() or 0) + 1
    return add_vehicle(session, branch_id, plate=f"粤H{n:05d}", mobile=f"1360000{n:04d}", owner_name=f"手感{tag}",
                       make="丰田", model="卡罗拉")


@pytest.fixture
def day(server) -> Day:
    """Two new cars: one in the workshop (a job line on 张师傅's list, a part to pick), one repaired and completed."""
    with server.orm() as session:
        advisor, tech, clerk = _user(session, "advisor"), _user(session, "tech"), _user(session, "parts")
        warehouse = session.exec(select(Warehouse.id).where(Warehouse.branch_id == clerk.branch_id)
                                 .order_by(Warehouse.id)).first()
        n = session.exec(select(func.max(Vehicle.id))).one() or 0
        part = add_part(session, clerk.branch_id, code=f"SG-{n:05d}", name="手感测试刹车片", price="120.00")
        stock.receive_stock(session, clerk, warehouse, part.id, "4", "60.00")

        def order_for(vehicle: Vehicle, parts: list[PartLineInput]):
            order = work_orders.open_work_order(session, advisor, OrderForm(
                vehicle_id=vehicle.id, mileage_in=str(vehicle.mileage + 1000), fuel_level=2, complaint="刹车异响",
                job_lines=[JobLineInput(name="更换前刹车片", hours="1.5", rate="120")], part_lines=parts))
            dispatch.assign_order(session, advisor, order.id, technician_id=tech.id)
            return order, session.exec(select(JobLine.id).where(JobLine.work_order_id == order.id)).one()

        in_workshop = _vehicle(session, advisor.branch_id, "在修")
        open_order, _ = order_for(in_workshop, [PartLineInput(part_id=part.id, quantity="1")])
        done, line_id = order_for(_vehicle(session, advisor.branch_id, "交车"), [])
        job_clock.start(session, tech, line_id)
        job_clock.finish(session, tech, line_id)
        completion.complete_order(session, advisor, done.id)
        return Day(token=in_workshop.qr_token, pick_order_id=open_order.id, settle_number=done.number)


# Each screen: who opens it, its address, what shows once its data is in, and whether it is about one vehicle.
SCREENS = {
    "我的任务": ("tech", "/tasks", ".task-group", True),
    "车辆卡": ("advisor", "/v/{token}", ".plate", True),
    "接车开单": ("advisor", "/intake", "#start-registration", False),
    "开单": ("advisor", "/intake?vehicle={token}", "#open-order", True),
    "在修车辆": ("advisor", "/orders", ".board-card-link", False),
    # The clerk's 配件 opens on 待领料 once loaded (before that, a spinner: never the 库存 tab first).
    "配件": ("parts", "/parts", "text=待领料的工单", False),
    "领料": ("parts", "/parts/orders/{pick_order_id}", ".plate", True),
    "配件档案": ("parts", "/parts/catalogue", ".catalogue-row", False),
    "供应商": ("parts", "/suppliers", "#new-supplier", False),
    "导入": ("parts", "/parts/import", "#import-template", False),
    "收银": ("cashier", "/cashier", "main a[href^='/cashier/']", False),
    "结算收款": ("cashier", "/cashier/{settle_number}", ".plate", True),
    "经营数据": ("manager", "/figures", "text=进厂台次", False),
}


def open_screen(page: Page, day: Day, address: str, ready: str) -> None:
    page.goto(address.format(token=day.token, pick_order_id=day.pick_order_id, settle_number=day.settle_number))
    expect(page.locator(ready).first).to_be_visible()
    wait_hydrated(page, "#tab-more")
    page.wait_for_load_state("networkidle")


# The office's screens, also used on phones: the same targets and checks, no plate rule.
OFFICE_SCREENS = {
    "用户管理": ("admin", "/admin/users", "text=张师傅"),
    "门店设置": ("manager", "/settings", "text=机修一组"),
    "查询统计": ("manager", "/reports", "#technician-performance"),
    "客户投诉": ("advisor", "/complaints", "[role=combobox]"),
    "应付账款": ("cashier", "/payables", "text=供应商欠款与账龄"),
    "供应商比价": ("parts", "/parts/prices?code=JL-TY-001", "#price-part"),
}


def expect_made_for_hands(page: Page) -> None:
    assert page.evaluate(SMALL_CONTROLS, TOUCH_TARGET) == []
    violations = Axe().run(page, options=WCAG_A_AA).response["violations"]
    assert [(v["id"], [node["target"] for node in v["nodes"]][:3]) for v in violations] == []


@pytest.mark.parametrize("screen", SCREENS)
def test_on_a_phone_the_screen_is_made_for_hands(server, new_context, day, screen):
    username, address, ready, about_one_vehicle = SCREENS[screen]
    page = new_context("phone").new_page()
    sign_in(page, username)
    open_screen(page, day, address, ready)

    expect_made_for_hands(page)
    if about_one_vehicle:
        plates = page.evaluate(PLATE_SIZES)
        assert plates and min(plates) >= LARGE_PLATE, plates


@pytest.mark.parametrize("screen", OFFICE_SCREENS)
def test_on_a_phone_an_office_screen_is_made_for_hands_too(server, new_context, day, screen):
    username, address, ready = OFFICE_SCREENS[screen]
    page = new_context("phone").new_page()
    sign_in(page, username)
    open_screen(page, day, address, ready)
    expect_made_for_hands(page)


@pytest.mark.parametrize("screen", ["我的任务", "领料", "配件档案"])
def test_on_a_phone_the_scan_button_is_under_the_thumb_above_the_tab_bar(server, new_context, day, screen):
    username, address, ready, _ = SCREENS[screen]
    page = new_context("phone").new_page()
    sign_in(page, username)
    open_screen(page, day, address, ready)
    page.mouse.wheel(0, 2000)  # scrolled to the end of the page too: the button stays where the thumb is

    scan, tabs = page.locator("#scan-button").bounding_box(), page.locator(".tab-bar").bounding_box()
    height = page.viewport_size["height"]
    assert scan["y"] > height * 0.6 and scan["x"] + scan["width"] / 2 > page.viewport_size["width"] / 2, scan
    assert scan["y"] + scan["height"] <= tabs["y"], (scan, tabs)
    page.locator("#scan-button").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def test_on_a_phone_a_manager_makes_a_team_by_tapping_the_technicians_names(server, new_context):
    n = server.scalar("SELECT count(*) FROM team") + 1
    page = new_context("phone").new_page()
    sign_in(page, "manager")
    page.goto("/settings")
    wait_hydrated(page, "#team-name")
    page.get_by_label("班组名称").fill(f"手感{n}组")
    for name in ("张师傅", "李师傅"):  # the words, not the box: the whole row ticks it
        page.locator("label", has=page.get_by_role("checkbox", name=name)).get_by_text(name).click()
    expect(page.get_by_role("checkbox", name="张师傅")).to_be_checked()
    page.get_by_role("combobox", name="组长").click()
    page.get_by_role("option", name="李师傅").click()
    page.get_by_role("button", name="新建班组").click()
    expect(page.get_by_text("班组已创建")).to_be_visible()
    assert server.scalar("SELECT count(*) FROM team_member JOIN team ON team.id = team_member.team_id "
                         "WHERE team.name = ?", f"手感{n}组") == 2
    assert server.scalar("SELECT u.display_name FROM team JOIN user u ON u.id = team.leader_id WHERE team.name = ?",
                         f"手感{n}组") == "李师傅"


# The controls of the last line on the page, each as whether what lies at its centre is the control itself (or its
# own icon and text): ``[[name, uncovered], …]``.
LAST_LINE_CONTROLS_UNCOVERED = """(line) => {
  const lines = document.querySelectorAll(line);
  const last = lines[lines.length - 1];
  return [...last.querySelectorAll('button, input:not([type=hidden])')].map((control) => {
    const box = control.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    const name = (control.innerText || control.getAttribute('aria-label') || control.tagName).trim();
    return [name, !!hit && (hit === control || control.contains(hit))];
  });
}"""
# Every control of the page whose centre is on the screen above the scan button's bar, and what covers it.
COVERED_CONTROLS = """() => {
  const bar = document.querySelector('.thumb-bar').getBoundingClientRect();
  const covered = [];
  for (const control of document.querySelectorAll('main button, main a[href], main input:not([type=hidden])')) {
    if (control.closest('.thumb-bar')) continue;
    const box = control.getBoundingClientRect();
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    if (box.width === 0 || y < 0 || y >= bar.top - 1) continue;  // (a centre on the bar's edge rounds onto it)
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(hit === control || control.contains(hit))) {
      const name = (control.innerText || control.id || control.tagName).trim();
      covered.push(`${name} at ${Math.round(x)},${Math.round(y)} under ${hit?.className} (bar from ${bar.top})`);
    }
  }
  return covered;
}"""
SCROLL_TO_END = "() => window.scrollTo(0, document.scrollingElement.scrollHeight)"


@pytest.fixture
def long_lists(server, day) -> Day:
    """``day``, with three more cars on 张师傅's list and a pick list of five parts: screens longer than a phone."""
    with server.orm() as session:
        advisor, tech, clerk = _user(session, "advisor"), _user(session, "tech"), _user(session, "parts")
        n = session.exec(select(func.max(Vehicle.id))).one() or 0
        parts = [add_part(session, clerk.branch_id, code=f"CD-{n:05d}-{i}", name=f"长单配件{i}", price="30.00")
                 for i in range(5)]
        for k in range(3):
            vehicle = _vehicle(session, advisor.branch_id, f"长单{k}")
            order = work_orders.open_work_order(session, advisor, OrderForm(
                vehicle_id=vehicle.id, mileage_in=str(vehicle.mileage + 1000), fuel_level=2, complaint="保养",
                job_lines=[JobLineInput(name=f"保养项目{j}", hours="0.5", rate="100") for j in range(2)],
                part_lines=[PartLineInput(part_id=part.id, quantity="1") for part in parts] if k == 0 else []))
            dispatch.assign_order(session, advisor, order.id, technician_id=tech.id)
            if k == 0:
                pick_order_id = order.id
        return Day(token=day.token, pick_order_id=pick_order_id, settle_number=day.settle_number)


@pytest.mark.parametrize(("screen", "line"), [("我的任务", ".task-line"), ("领料", ".pick-line")])
def test_on_a_phone_the_scan_button_covers_no_control(server, new_context, long_lists, screen, line):
    username, address, ready, _ = SCREENS[screen]
    page = new_context("phone").new_page()
    sign_in(page, username)
    open_screen(page, long_lists, address, ready)
    assert page.evaluate("document.scrollingElement.scrollHeight") > 1.5 * page.viewport_size["height"]
    # Wherever the page is scrolled, a control on the screen is free to press (the next car's 完工 included) ...
    for y in range(0, page.evaluate("document.scrollingElement.scrollHeight"), 40):  # steps under a button's height
        page.evaluate("(y) => window.scrollTo(0, y)", y)
        assert page.evaluate(COVERED_CONTROLS) == [], y
    # ... and scrolled to the end, the last line stands clear of the scan button.
    page.evaluate(SCROLL_TO_END)
    page.wait_for_function("() => window.scrollY + innerHeight >= document.scrollingElement.scrollHeight - 1")
    controls = page.evaluate(LAST_LINE_CONTROLS_UNCOVERED, line)
    assert controls and all(uncovered for _name, uncovered in controls), controls
    scan, tabs = page.locator("#scan-button").bounding_box(), page.locator(".tab-bar").bounding_box()
    assert scan["y"] + scan["height"] <= tabs["y"], "the scan button itself stays clear of the tab bar"


def _overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


SHOWN_TOASTS = """() => [...document.querySelectorAll('[data-sonner-toast]:not([data-removed=true])')]
  .filter((toast) => toast.dataset.visible === 'true').map((toast) => toast.getBoundingClientRect().toJSON())"""


def _codes_on_no_line(page: Page) -> None:
    """领料: four codes that are on no line, four error messages in a row (each two lines long on a phone)."""
    code = page.locator("#scan-code")
    for n in range(1, 5):
        code.fill(f"NO-SUCH-{n}")
        code.press("Enter")
        expect(page.locator("[data-sonner-toast]", has_text=f"NO-SUCH-{n}")).to_be_attached()


def _clock_taps(page: Page) -> None:
    """车辆卡: the technician's 开工, 暂停, 继续, 暂停 on their line, a message each."""
    lines = page.locator("#my-lines")
    for button, then in (("开工", "暂停"), ("暂停", "继续"), ("继续", "暂停"), ("暂停", "继续")):
        lines.get_by_role("button", name=button).click()
        expect(lines.get_by_role("button", name=then)).to_be_visible()


@pytest.mark.parametrize(("username", "address", "messages"), [("parts", "/parts/orders/{pick_order_id}",
                                                                _codes_on_no_line),
                                                               ("tech", "/v/{token}", _clock_taps)],
                         ids=["领料", "车辆卡"])
def test_on_a_phone_messages_never_cover_the_plate(server, new_context, day, username, address, messages):
    page = new_context("phone").new_page()
    sign_in(page, username)
    open_screen(page, day, address, ".plate")
    plate = page.locator(".plate").first.bounding_box()

    messages(page)
    # Where the messages have come to rest, while all four are still within their time on the screen.
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running')")
    shown = page.evaluate(SHOWN_TOASTS)
    assert len(shown) == 1, shown  # one at a time: a new message replaces the last instead of stacking
    assert not any(_overlap(plate, box) for box in shown), (plate, shown)
