"""开单 on a tablet never drops a job line typed but not added with 添加项目: a line that cannot be added stops 开单
with the reason beside it and keeps what was typed; one that can is added and opened with the order."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from models import User
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.e2e.test_intake_and_vehicle_card import fill_order_form
from tests.factories import add_vehicle

pytestmark = pytest.mark.e2e


def test_a_job_line_typed_but_not_added_is_never_dropped(server, new_context):
    with server.orm() as session:
        advisor = session.exec(select(User).where(User.username == "advisor")).one()
        n = server.scalar("SELECT max(id) FROM vehicle") + 1
        vehicle = add_vehicle(session, advisor.branch_id, plate=f"粤K{n:05d}", mobile=f"1340000{n:04d}",
                              owner_name="未添加项目", make="日产", model="轩逸")
    page = new_context("tablet").new_page()
    sign_in(page, "advisor")
    page.goto(f"/intake?vehicle={vehicle.qr_token}")
    wait_hydrated(page, "#open-order")
    fill_order_form(page, mileage="52000", complaint="刹车偏软")

    page.fill("#job_name", "检查刹车")  # no hours, rate or price, and 添加项目 never tapped
    page.fill("#job_hours", "1")
    page.click("#open-order")
    expect(page.locator("#job-error")).to_contain_text("这一行维修项目还没有添加")
    for field, typed in (("#job_name", "检查刹车"), ("#job_hours", "1")):
        expect(page.locator(field)).to_have_value(typed)  # nothing typed is wiped
    assert server.scalar("SELECT count(*) FROM work_order WHERE vehicle_id = ?", vehicle.id) == 0

    page.fill("#job_hours", "")
    page.fill("#job_fixed", "88")
    page.click("#open-order")
    expect(page.locator("#order-number")).to_have_text(re.compile(r"WX\d{8}-\d{4}"))
    with server.db() as db:
        lines = db.execute("SELECT j.name, j.amount FROM job_line j JOIN work_order o ON o.id = j.work_order_id"
                           " WHERE o.vehicle_id = ?", (vehicle.id,)).fetchall()
    assert [(name, float(amount)) for name, amount in lines] == [("检查刹车", 88.0)]
