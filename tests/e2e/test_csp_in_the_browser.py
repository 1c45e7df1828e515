"""The production build works under its Content-Security-Policy, on a phone: the login page, signing in, the board
and the vehicle label, whose 打印 prints in its own tab; the browser reports no violation. No other site can frame
a page: the cashier's and the label both refuse."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from models import User
from tests.e2e.conftest import sign_in
from tests.factories import add_vehicle
from tests.waiting import wait_until

pytestmark = pytest.mark.e2e

# Every violation the browser reports, and window.print() counted instead of opening the print dialog.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""
FOREIGN_SITE = "http://attacker.example/"


def _order_of_a_new_vehicle(server) -> tuple[str, str]:
    """(plate, QR token) of a vehicle with an open order of the manager's branch."""
    with server.orm() as session:
        advisor = session.exec(select(User).where(User.username == "advisor")).one()
        plate = f"粤C{secrets.randbelow(10**5):05d}"
        vehicle = add_vehicle(session, advisor.branch_id, plate=plate, mobile=f"135{secrets.randbelow(10**8):08d}")
        work_orders.open_work_order(session, advisor, OrderForm(
            vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="异响",
            job_lines=[JobLineInput(name="检查底盘", hours="1", rate="100")]))
        session.commit()
        return plate, vehicle.qr_token


def test_on_a_phone_the_app_works_under_its_policy_with_no_violation(server, new_context):
    plate, token = _order_of_a_new_vehicle(server)
    context = new_context("phone")
    context.add_init_script(WATCH)
    page = context.new_page()
    refusals = []
    page.on("console", lambda message: refusals.append(message.text)
            if "Content Security Policy" in message.text else None)

    sign_in(page, "manager")
    page.goto("/orders")
    expect(page.locator(".board-card", has_text=plate)).to_contain_text("检查底盘")

    page.goto(f"/v/{token}/label")
    expect(page.locator(".label-plate")).to_have_text(plate)
    page.wait_for_function("() => document.querySelector('.label-qr')?.naturalWidth > 0")  # img-src
    printing = page.get_by_role("button", name="打印")
    page.wait_for_function("el => Object.keys(el).some(k => k.startsWith('__reactProps'))",
                           arg=printing.element_handle())  # hydrated
    printing.click()  # rx.call_script: the server's script runs (eval)
    page.wait_for_function("() => window.__printed === 1")  # in this tab, not a frame

    assert page.evaluate("window.__violations") == []
    assert refusals == []


@pytest.mark.parametrize("path", ["/cashier", "/v/x1/label", "/login"])
def test_no_other_site_can_frame_a_page(server, new_context, path):
    page = new_context("phone").new_page()
    page.route(FOREIGN_SITE, lambda route: route.fulfill(
        content_type="text/html", body=f'<html><body><iframe src="{server.url}{path}"></iframe></body></html>'))
    page.goto(FOREIGN_SITE)

    # Chromium puts its error page in the frame instead of ours (frame-ancestors 'none', X-Frame-Options DENY).
    frame = wait_until(lambda: next((f for f in page.frames[1:] if f.url.startswith("chrome-error:")), None),
                       f"{path} refused in a frame", timeout=15)
    assert frame.locator("#username, main").count() == 0
