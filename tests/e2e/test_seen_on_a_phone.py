"""What a phone shows after a tap: a refused form's first error is scrolled into view, the job-name field has room
for its placeholder, and the vehicle card and its label show each person what is theirs to see."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import func, select

from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from models import User, Vehicle
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.factories import add_vehicle

pytestmark = pytest.mark.e2e

IN_VIEW = """(el) => { const box = el.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= innerHeight && box.height > 0; }"""


def _advisor_at_intake(page: Page) -> None:
    sign_in(page, "advisor")
    expect(page).to_have_url(re.compile(r"/intake$"))
    wait_hydrated(page, "#start-registration")


def _order_form_of_a_returning_car(page: Page) -> None:
    """开单 for 粤A8K2M6 (demo data, recorded at 52,300 km), found by its plate's end."""
    _advisor_at_intake(page)
    page.fill("#intake-query", "8K2M6")
    page.press("#intake-query", "Enter")
    page.locator(".pick-vehicle", has_text="粤A8K2M6").click()
    expect(page.locator("#job_name")).to_be_visible()


def test_on_a_phone_a_refused_registration_scrolls_to_its_first_error(server, new_context):
    page = new_context("phone").new_page()
    _advisor_at_intake(page)
    page.click("#start-registration")
    wait_hydrated(page, "#register-submit")
    page.fill("#reg-mobile", "12345")  # no name, a bad mobile: both refused
    page.locator("#register-submit").scroll_into_view_if_needed()
    first = page.locator("#reg-customer_name")
    assert not first.evaluate(IN_VIEW), "the name field is off the screen when 登记并开单 is tapped"
    page.click("#register-submit")

    error = page.locator(".field-error").filter(has_text="客户姓名")
    expect(error).to_be_visible()
    page.wait_for_function(IN_VIEW, arg=error.element_handle())


def test_on_a_phone_a_refused_order_scrolls_to_its_first_error(server, new_context):
    page = new_context("phone").new_page()
    _order_form_of_a_returning_car(page)
    wait_hydrated(page, "#open-order")
    page.fill("#mileage_in", "1")  # below the recorded mileage
    page.fill("#complaint", "刹车异响")
    page.locator("#open-order").scroll_into_view_if_needed()
    assert not page.locator("#mileage_in").evaluate(IN_VIEW)
    page.click("#open-order")

    error = page.locator(".field-error").filter(has_text="进厂里程")
    expect(error).to_be_visible()
    page.wait_for_function(IN_VIEW, arg=error.element_handle())


@pytest.mark.parametrize("size", ["phone", "tablet"])
def test_the_job_name_field_has_room_for_its_placeholder(server, new_context, size):
    page = new_context(size).new_page()
    _order_form_of_a_returning_car(page)
    name = page.locator("#job_name")
    assert name.input_value() == "" and name.get_attribute("placeholder") == "项目名称，如 更换前刹车片"
    fits = name.evaluate("""(input) => {
      const style = getComputedStyle(input);
      const text = document.createElement('canvas').getContext('2d');
      text.font = `${style.fontSize} ${style.fontFamily}`;
      const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return [input.scrollWidth, input.clientWidth, text.measureText(input.placeholder).width, room];
    }""")
    scroll_width, client_width, placeholder_width, room = fits
    assert scroll_width <= client_width, fits
    assert placeholder_width <= room, fits


def test_a_technician_sees_no_setup_warning_no_mobile_and_no_price_on_the_card_and_label(server, new_context):
    with server.orm() as session:
        advisor = session.exec(select(User).where(User.username == "advisor")).one()
        n = (session.exec(select(func.max(Vehicle.id))).one() or 0) + 1
        vehicle = add_vehicle(session, advisor.branch_id, plate=f"粤J{n:05d}", mobile=f"1370000{n:04d}",
                              owner_name="看卡客户", make="本田", model="雅阁")
        work_orders.open_work_order(session, advisor, OrderForm(
            vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="保养",
            job_lines=[JobLineInput(name="更换机油", hours="0.5", rate="120")]))
        session.commit()
        token, plate, mobile = vehicle.qr_token, vehicle.plate, f"1370000{n:04d}"
    tech = new_context("phone").new_page()
    sign_in(tech, "tech")
    manager = new_context("phone").new_page()
    sign_in(manager, "manager")
    for address in (f"/v/{token}", f"/v/{token}/label"):
        manager.goto(address)
        expect(manager.locator("#local-link-warning")).to_contain_text("LANTONG_PUBLIC_URL")
        expect(manager.locator("#local-link-warning")).to_contain_text("手机能访问的地址")
        tech.goto(address)
        expect(tech.locator(".plate, .label-plate").first).to_have_text(plate)
        expect(tech.locator("#local-link-warning")).to_have_count(0)

    manager.goto(f"/v/{token}")
    expect(manager.locator("main")).to_contain_text("更换机油")
    expect(manager.locator("main")).to_contain_text(mobile)
    expect(manager.locator("main")).to_contain_text("¥60.00")
    tech.goto(f"/v/{token}")
    expect(tech.locator("main")).to_contain_text("更换机油")
    expect(tech.locator("main")).to_contain_text("0.5 工时")
    expect(tech.locator("main")).not_to_contain_text(mobile)
    expect(tech.locator("main")).not_to_contain_text("¥")
