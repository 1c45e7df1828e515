"""调拨 between two shops on phones, in the production build: the parts clerk of shop A ships 5 brake pads to shop B
(在途); the clerk of shop B receives 2, then the other 3; the goods enter B's warehouse at the cost they left A at,
and B's catalogue gains the part it did not have."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from lantong_pwa.services.parts import stock
from lantong_pwa.services.platform import branches, users
from lantong_pwa.services.platform.branches import BranchForm
from lantong_pwa.services.platform.users import UserForm
from models import Part, StockBalance, User, Warehouse
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.factories import add_part

pytestmark = pytest.mark.e2e

PASSWORD = "ship-it-to-the-other-shop"


def two_shops(server) -> dict:
    """Shop B (a branch of its own, a warehouse, a clerk), and a part that only shop A has: 10 at ¥50."""
    n = (server.scalar("SELECT max(id) FROM branch") or 0) + 1
    with server.orm() as session:
        clerk_a = session.exec(select(User).where(User.username == "parts")).one()
        shop_b = branches.create_branch_from_command_line(session, BranchForm(code=f"DBT{n}",
                                                                              name=f"调拨测试店{n}"))
        warehouse_b = Warehouse(branch_id=shop_b.id, code="MAIN", name=f"调拨测试仓{n}")
        session.add(warehouse_b)
        clerk_b = users.create_user_from_command_line(session, UserForm(
            username=f"transferclerk{n}", display_name="乙店库管", role="parts_clerk", branch_id=shop_b.id), PASSWORD)
        source = session.exec(select(Warehouse).where(Warehouse.branch_id == clerk_a.branch_id)
                              .order_by(Warehouse.id)).first()
        part = add_part(session, clerk_a.branch_id, code=f"DB-{n:04d}", name="调拨测试刹车片", price="120.00")
        stock.receive_stock(session, clerk_a, source.id, part.id, "10", "50")
        session.flush()
        return {"branch_b": shop_b.id, "warehouse_b": warehouse_b.id, "clerk_b": clerk_b.username,
                "source": source.id, "code": part.code, "source_name": source.name}


def test_shop_a_ships_and_shop_b_receives_part_then_the_rest(server, new_context):
    shops = two_shops(server)
    sender = new_context("phone").new_page()
    sign_in(sender, "parts")
    sender.goto("/parts/transfers?tab=new")
    wait_hydrated(sender, "#transfer-part-query")
    sender.fill("#transfer-part-query", shops["code"])
    sender.get_by_role("button", name="查找").click()
    sender.get_by_role("button", name=re.compile(shops["code"])).click()
    quantity = sender.locator("input[id^='transfer-qty-']")
    expect(quantity).to_have_value("1")
    quantity.fill("5")
    sender.select_option("#from_warehouse_id", str(shops["source"]))
    sender.select_option("#to_warehouse_id", str(shops["warehouse_b"]))
    sender.click("#transfer-submit")
    expect(sender).to_have_url(re.compile(r"/parts/transfers/\d+$"))
    expect(sender.locator("#transfer-status")).to_have_text("在途")
    number = sender.locator("#transfer-number").inner_text()
    transfer_id = int(sender.url.rsplit("/", 1)[1])

    receiver = new_context("phone").new_page()
    sign_in(receiver, shops["clerk_b"], password=PASSWORD)
    receiver.goto("/parts/transfers")
    row = receiver.locator(".transfer-row", has_text=number)
    expect(row).to_be_visible()
    wait_hydrated(receiver, ".transfer-row")
    row.click()
    expect(receiver).to_have_url(re.compile(rf"/parts/transfers/{transfer_id}$"))
    wait_hydrated(receiver, "#transfer-receive")
    receiver.locator("input[id^='receive-qty-']").fill("2")
    receiver.click("#transfer-receive")
    expect(receiver.locator("#transfer-status")).to_have_text("部分收货")
    expect(receiver.locator(".transfer-line")).to_contain_text("3")  # still in transit
    receiver.locator("input[id^='receive-qty-']").fill("3")
    receiver.click("#transfer-receive")
    expect(receiver.locator("#transfer-status")).to_have_text("已完成")
    expect(receiver.locator("#transfer-receive")).to_have_count(0)
    expect(receiver.locator("[data-step]")).to_have_count(3)  # 调出, 收货, 收货

    with server.orm() as session:
        arrived = session.exec(select(Part).where(Part.branch_id == shops["branch_b"],
                                                  Part.code == shops["code"])).one()
        balance = session.exec(select(StockBalance).where(StockBalance.part_id == arrived.id,
                                                          StockBalance.warehouse_id == shops["warehouse_b"])).one()
        assert (balance.on_hand, balance.average_cost) == (Decimal("5"), Decimal("50.0000"))
        left = session.exec(select(StockBalance).join(Part, Part.id == StockBalance.part_id).where(
            Part.code == shops["code"], StockBalance.warehouse_id == shops["source"])).one()
        assert left.on_hand == Decimal("5")

    sender.reload()
    expect(sender.locator("#transfer-status")).to_have_text("已完成")
    sender.goto(f"/parts/transfers/{transfer_id}/print")
    expect(sender.locator("#sheet-number")).to_have_text(number)
    expect(sender.locator("#transfer-sheet")).to_contain_text("¥250.00")
    assert sender.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), "the page scrolls sideways"
