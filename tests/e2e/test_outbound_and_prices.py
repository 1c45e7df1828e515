"""Internal use and price adjustment on phones, in the production build: the parts clerk issues shop consumables to
the wash bay (洗车房) by searching the part, sees the slip at average cost and opens its printable copy; the manager
raises a category's prices by 5 % after a preview and the catalogue takes exactly the previewed prices.

Other test modules share the server: the parts, their category and their stock are made here, with their own codes.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from models import Part, User, Warehouse
from tests.e2e.conftest import sign_in, wait_hydrated

pytestmark = pytest.mark.e2e

CONSUMABLE = "E2E-XC-01"
CATEGORY = "端到端调价类"


@pytest.fixture(scope="module")
def scene(server):
    """A wash-bay consumable with 10 on hand at ¥8 in the first warehouse, and two parts in a category of their
    own at ¥100.00 and ¥33.33."""
    from sqlmodel import select

    from lantong_pwa.services.parts import stock

    with server.orm() as db:
        clerk = db.exec(select(User).where(User.username == "parts")).one()
        warehouse = db.exec(select(Warehouse).where(Warehouse.branch_id == clerk.branch_id)
                            .order_by(Warehouse.id)).first()
        branch = clerk.branch_id
        soap = Part(branch_id=branch, code=CONSUMABLE, name="端到端洗车液", unit="瓶", sale_price=Decimal("20.00"),
                    cost=Decimal("8.00"))
        oil = Part(branch_id=branch, code="E2E-TJ-01", name="端到端机油", unit="桶", sale_price=Decimal("100.00"),
                   cost=Decimal("60.00"), category=CATEGORY)
        coolant = Part(branch_id=branch, code="E2E-TJ-02", name="端到端冷却液", unit="桶",
                       sale_price=Decimal("33.33"), cost=Decimal("20.00"), category=CATEGORY)
        db.add_all([soap, oil, coolant])
        db.flush()
        stock.receive_stock(db, clerk, warehouse.id, soap.id, "10", "8", request_key="e2e-outbound-soap")
        return {"soap": soap.id, "oil": oil.id, "coolant": coolant.id, "warehouse": warehouse.name}


def _price(server, part_id: int) -> Decimal:
    return Decimal(str(server.scalar("SELECT sale_price FROM part WHERE id = ?", part_id))).quantize(Decimal("0.01"))


def test_clerk_issues_consumables_to_the_wash_bay_and_prints_the_slip(server, new_context, scene):
    clerk = new_context("phone").new_page()
    sign_in(clerk, "parts")
    clerk.goto("/parts")
    clerk.locator("#issues-link").click()
    expect(clerk).to_have_url(re.compile(r"/parts/issues$"))
    wait_hydrated(clerk, 'input[name="part_query"]')
    clerk.locator('input[name="part_query"]').fill(CONSUMABLE)
    clerk.locator('input[name="part_query"]').press("Enter")
    clerk.get_by_role("button", name=re.compile(r"端到端洗车液.*库存10")).click()
    line = clerk.locator(".issue-line", has_text="端到端洗车液")
    expect(line).to_contain_text("本仓库存 10")
    line.locator(f'input[name="quantity.{scene["soap"]}"]').fill("3")
    clerk.locator('select[name="expense_category_id"]').select_option(label="洗车房")
    clerk.locator('input[name="recipient"]').fill("洗车房小王")
    clerk.locator("#issue-submit").click()

    expect(clerk).to_have_url(re.compile(r"/parts/issues/\d+$"))
    expect(clerk.locator("#sheet-category")).to_have_text("洗车房")
    expect(clerk.locator("#sheet-total")).to_have_text("¥24.00")  # 3 × ¥8 average cost
    number = clerk.locator("#sheet-number").inner_text()
    assert re.fullmatch(r"CK\d{8}-\d{4}", number)
    assert server.scalar("SELECT SUM(on_hand) FROM stock_balance WHERE part_id = ?", scene["soap"]) == 7
    assert server.scalar("SELECT kind FROM stock_move WHERE part_id = ? ORDER BY id DESC", scene["soap"]) == \
        "internal_use"

    clerk.locator("#print-link").click()
    expect(clerk).to_have_url(re.compile(r"/parts/issues/\d+/print$"))
    expect(clerk.locator("#sheet-number")).to_have_text(number)
    expect(clerk.locator("#issue-sheet")).to_contain_text("洗车房小王")
    expect(clerk.get_by_role("button", name="打印")).to_be_visible()


def test_manager_raises_a_category_by_five_percent_after_a_preview(server, new_context, scene):
    manager = new_context("phone").new_page()
    sign_in(manager, "manager")
    manager.goto("/parts/prices/adjust")
    wait_hydrated(manager, "#adjust-preview")
    manager.locator("#adjust-category").select_option(CATEGORY)
    manager.locator("#adjust-percent").fill("5")
    manager.locator('select[name="rounding"]').select_option("0.1")
    manager.locator("#adjust-preview").click()

    shown = manager.locator("#adjust-shown")
    expect(manager.locator("#adjust-count")).to_have_text("2")
    expect(manager.locator("#adjust-status")).to_have_text("待执行")
    expect(shown.locator(".price-line", has_text="端到端机油")).to_contain_text("¥105.00")
    expect(shown.locator(".price-line", has_text="端到端冷却液")).to_contain_text("¥35.00")  # 34.9965 → 35.0
    assert _price(server, scene["oil"]) == Decimal("100.00"), "a preview changes no price"

    manager.locator("#adjust-apply").click()
    expect(manager.locator("#adjust-status")).to_have_text("已执行")
    expect(manager.locator("#adjust-apply")).to_have_count(0)
    assert (_price(server, scene["oil"]), _price(server, scene["coolant"])) == (Decimal("105.00"), Decimal("35.00"))
