"""Buying parts on phones, in the production build: the parts clerk builds the purchase plan and turns it into an
order; it is above the branch's approval amount, so the manager approves it on their phone; the clerk places it,
receives part of it by scanning the barcode (the code box the scanner fills, as a Bluetooth scanner types), the rest
later, and returns one unit from the second receipt at its cost; the cashier pays the supplier what is owed, and
the supplier's statement shows exactly those amounts. Every step waits for what the screen shows.

Other test modules share the server: the part, supplier and offer used here are made here, with their own codes.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from models import Branch, Part, PartBarcode, StockLimit, Supplier, SupplierPart, User, Warehouse
from tests.e2e.conftest import sign_in, wait_hydrated

pytestmark = pytest.mark.e2e

PART_CODE = "E2E-CG-01"
PART_NAME = "采购测试刹车盘"
BARCODE = "6909876543210"
SUPPLIER = "端到端汽配"


@pytest.fixture(scope="module")
def scene(server):
    """A part with a barcode below its minimum (0 of at least 5, up to 10), offered at ¥600: the suggested order
    (¥6,000) is above the branch's approval amount (¥5,000)."""
    from sqlmodel import select

    with server.orm() as db:
        clerk = db.exec(select(User).where(User.username == "parts")).one()
        branch = db.get(Branch, clerk.branch_id)
        branch.purchase_approval_amount = Decimal("5000.00")
        db.add(branch)
        warehouse = db.exec(select(Warehouse).where(Warehouse.branch_id == branch.id).order_by(Warehouse.id)).first()
        part = Part(branch_id=branch.id, code=PART_CODE, name=PART_NAME, unit="个", sale_price=Decimal("900.00"),
                    cost=Decimal("600.00"), default_warehouse_id=warehouse.id)
        supplier = Supplier(branch_id=branch.id, code="E2E-GYS", name=SUPPLIER)
        db.add_all([part, supplier])
        db.flush()
        db.add_all([PartBarcode(branch_id=branch.id, part_id=part.id, barcode=BARCODE),
                    SupplierPart(branch_id=branch.id, supplier_id=supplier.id, part_id=part.id,
                                 price=Decimal("600.00"), min_quantity=Decimal("0"), lead_days=2),
                    StockLimit(branch_id=branch.id, part_id=part.id, warehouse_id=warehouse.id,
                               minimum=Decimal("5"), maximum=Decimal("10"))])
        db.flush()
        return {"part_id": part.id, "supplier_id": supplier.id, "warehouse_id": warehouse.id}


def on_hand(server, part_id: int) -> Decimal:
    return Decimal(str(server.scalar("SELECT COALESCE(SUM(on_hand), 0) FROM stock_balance WHERE part_id = ?",
                                     part_id)))


def open_order_as(page: Page, order_url: str) -> None:
    page.goto(order_url)
    expect(page.get_by_text(SUPPLIER, exact=True)).to_be_visible()


def test_plan_approve_receive_in_two_goes_return_one_and_pay(server, new_context, scene):
    clerk = new_context("phone").new_page()
    sign_in(clerk, "parts")
    clerk.goto("/purchasing")
    row = clerk.locator(".plan-row", has_text=PART_NAME)
    expect(row).to_be_visible()
    part_id = scene["part_id"]
    expect(row.locator(f'input[name="quantity.{part_id}"]')).to_have_value("10")
    expect(row.locator(f'select[name="supplier_id.{part_id}"]')).to_have_value(str(scene["supplier_id"]))
    wait_hydrated(clerk, "#plan-submit")
    # Only this part is ordered here: the others (the demo's) are left at 0.
    for quantity in clerk.locator('.plan-row input[name^="quantity."]').all():
        if quantity.get_attribute("name") != f"quantity.{part_id}":
            quantity.fill("0")
    clerk.locator("#plan-submit").click()
    card = clerk.locator(".tap-card", has_text=SUPPLIER).first
    expect(card).to_be_visible()
    expect(card).to_contain_text("草稿")
    expect(card).to_contain_text("¥6,000.00")
    card.click()
    expect(clerk).to_have_url(re.compile(r"/purchasing/orders/\d+$"))
    order_url = re.sub(r"^https?://[^/]+", "", clerk.url)
    expect(clerk.locator("#po-approval")).to_contain_text("需店长审核")
    expect(clerk.locator("#po-approve")).to_have_count(0)

    manager = new_context("phone").new_page()
    sign_in(manager, "manager")
    open_order_as(manager, order_url)
    wait_hydrated(manager, "#po-approve")
    manager.locator("#po-approve").click()
    expect(manager.get_by_text("已审核", exact=True)).to_be_visible()

    open_order_as(clerk, order_url)
    wait_hydrated(clerk, "#po-place")
    clerk.locator("#po-place").click()
    expect(clerk.get_by_text("已下单", exact=True)).to_be_visible()
    expect(clerk.locator("#po-share")).to_have_value(re.compile(r"/po/[\w-]{32}$"))
    clerk.locator("#po-receive").click()
    expect(clerk).to_have_url(re.compile(r"/receive$"))

    # Three scans of the barcode: three to receive now, with ¥12 freight.
    wait_hydrated(clerk, "#receive-code")
    for count in ("1", "2", "3"):
        clerk.locator("#receive-code").fill(BARCODE)
        clerk.locator("#receive-code").press("Enter")
        expect(clerk.locator('input[name^="quantity."][id^="receive-qty-"]')).to_have_value(count)
    clerk.locator("#freight").fill("12")
    clerk.locator("#receive-submit").click()
    expect(clerk.locator("#receive-done")).to_contain_text("¥1,812.00")
    expect(clerk.get_by_text("部分到货")).to_be_visible()
    assert on_hand(server, part_id) == Decimal("3")

    # The rest later, typed.
    clerk.goto(order_url + "/receive")
    wait_hydrated(clerk, "#receive-submit")
    clerk.locator('input[id^="receive-qty-"]').fill("7")
    clerk.locator("#receive-submit").click()
    expect(clerk.locator("#receive-done")).to_contain_text("¥4,200.00")
    expect(clerk.locator("#receive-closed")).to_contain_text("已到货，不能收货")
    assert on_hand(server, part_id) == Decimal("10")

    # One unit back from the second receipt, at its cost (¥600, no freight on it).
    open_order_as(clerk, order_url)
    clerk.get_by_role("link", name=re.compile(r"¥4,200\.00")).click()
    expect(clerk).to_have_url(re.compile(r"/purchasing/receipts/\d+$"))
    wait_hydrated(clerk, "#return-submit")
    clerk.locator('input[id^="return-qty-"]').fill("1")
    clerk.locator("#return-submit").click()
    expect(clerk.locator("#return-row")).to_contain_text("¥600.00")
    assert on_hand(server, part_id) == Decimal("9")
    owed = server.scalar("SELECT SUM(amount) FROM open_item WHERE party_kind = 'supplier' AND party_id = ?",
                         scene["supplier_id"])
    assert Decimal(str(owed)) == Decimal("5412.00")  # 1,812 + 4,200 − 600

    # The cashier pays the supplier what is owed, and the statement shows exactly these documents.
    with server.db() as connection:
        receipts = [row[0] for row in connection.execute(
            "SELECT number FROM goods_receipt WHERE supplier_id = ? ORDER BY id", (scene["supplier_id"],))]
    returned = server.scalar("SELECT number FROM purchase_return WHERE supplier_id = ?", scene["supplier_id"])
    cashier = new_context("phone").new_page()
    sign_in(cashier, "cashier")
    cashier.goto(f"/payables/{scene['supplier_id']}")
    expect(cashier.locator("#balance")).to_have_text("¥5,412.00")
    wait_hydrated(cashier, "#pay-submit")
    cashier.select_option("#pay-method", "bank_transfer")
    cashier.fill("#pay-amount", "5412")
    cashier.fill("#pay-reference", "E2E-CG-PAY")
    cashier.click("#pay-submit")
    expect(cashier.get_by_text("已付款 ¥5,412.00")).to_be_visible()
    expect(cashier.locator("#balance")).to_have_text("¥0.00")
    cashier.click("#statement-submit")
    rows = cashier.locator("#statement tbody tr")
    expect(rows).to_have_count(7)  # opening, two receipts, the return, the payment, the period's totals, closing
    expect(rows.nth(0)).to_contain_text("¥0.00")
    for number, amount in ((receipts[0], "¥1,812.00"), (receipts[1], "¥4,200.00"), (returned, "¥600.00")):
        expect(rows.filter(has_text=number)).to_contain_text(amount)
    expect(rows.filter(has_text="E2E-CG-PAY")).to_contain_text("¥5,412.00")
    expect(rows.nth(6)).to_contain_text("期末余额")
    expect(rows.nth(6)).to_contain_text("¥0.00")
    assert server.scalar("SELECT sum(open_amount) FROM open_item WHERE party_kind = 'supplier' AND party_id = ?",
                         scene["supplier_id"]) == 0
