"""进销存 on a phone, in the production build: the parts clerk opens today's summary for a part of her own, taps it
for its moves, follows a move to its goods receipt, and downloads the summary as Excel with the same figures."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlmodel import select

from lantong_pwa.services.parts import receiving, stock
from lantong_pwa.services.parts.receiving import ReceiptForm, ReceiptLineInput
from lantong_pwa.timezone import local_day
from models import Part, StockMoveKind, Supplier, User
from models.common import utc_now
from tests.e2e.conftest import sign_in, wait_hydrated

pytestmark = pytest.mark.e2e


def part_with_moves(server) -> tuple[int, str, str, int]:
    """A warehouse and a part of this test's own: 5 received at ¥12.34 on a goods receipt, 1 to internal use."""
    n = uuid.uuid4().hex[:6].upper()
    with server.orm() as session:
        clerk = session.exec(select(User).where(User.username == "parts")).one()
        warehouse = stock.create_warehouse(session, clerk, f"L{n}", f"进销存库{n}")
        part = Part(branch_id=clerk.branch_id, code=f"LEDGER-{n}", name="进销存测试件", sale_price=Decimal("30"),
                    cost=Decimal("12"))
        supplier = Supplier(branch_id=clerk.branch_id, code=f"LS{n}", name=f"进销存供应商{n}")
        session.add_all([part, supplier])
        session.flush()
        received = receiving.receive(session, clerk, ReceiptForm(
            lines=[ReceiptLineInput(part_id=part.id, quantity="5", unit_price="12.34")], supplier_id=supplier.id,
            warehouse_id=warehouse.id, request_key=str(uuid.uuid4())))
        stock.post_out(session, clerk, branch_id=clerk.branch_id, warehouse_id=warehouse.id, part_id=part.id,
                       quantity=Decimal("1"), kind=StockMoveKind.INTERNAL_USE, document=("stock_issue", 1),
                       what=part.name)
        return part.id, part.code, received.receipt.number, received.receipt.id


def test_summary_detail_document_and_excel_on_a_phone(server, new_context):
    part_id, code, receipt_number, receipt_id = part_with_moves(server)
    page = new_context("phone").new_page()
    sign_in(page, "parts")
    page.goto("/parts/ledger")
    wait_hydrated(page, "#ledger-submit")
    page.click("#ledger-today")
    expect(page.locator("#ledger-from")).to_have_value(local_day(utc_now()).isoformat())
    page.fill("#ledger-q", code)
    page.click("#ledger-submit")
    cards = page.locator(".ledger-part")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(code)
    expect(cards.first).to_contain_text("5 · ¥61.70")  # in
    expect(cards.first).to_contain_text("1 · ¥12.34")  # out
    expect(cards.first).to_contain_text("4 · ¥49.36")  # closing
    expect(page.locator("#ledger-total")).to_contain_text("4 · ¥49.36")

    with page.expect_download() as download:
        page.click("#ledger-export")
    sheet = load_workbook(BytesIO(open(download.value.path(), "rb").read())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    headers = rows[0]
    [mine] = [row for row in rows if row[0] == code]
    assert (mine[headers.index("入库数量")], mine[headers.index("入库金额")]) == (5, 61.7)
    assert (mine[headers.index("内部领料数量")], mine[headers.index("内部领料金额")]) == (1, 12.34)
    assert (mine[headers.index("期末数量")], mine[headers.index("期末金额")]) == (4, 49.36)
    assert rows[-1][0] == "合计"

    cards.first.click()
    expect(page).to_have_url(re.compile(rf"/parts/ledger/{part_id}\?from=.*&q="))
    expect(page.locator("#ledger-detail-title")).to_contain_text(code)
    moves = page.locator(".ledger-move")
    expect(moves).to_have_count(2)
    expect(moves.nth(0)).to_contain_text("入库")
    expect(moves.nth(0)).to_contain_text("5 · ¥61.70")
    expect(moves.nth(0)).to_contain_text(f"入库单 {receipt_number}")
    expect(moves.nth(1)).to_contain_text("内部领料")
    expect(moves.nth(1)).to_contain_text("stock_issue#1")
    expect(page.locator("#ledger-detail-figures")).to_contain_text("4 · ¥49.36")
    wait_hydrated(page, ".ledger-document")
    page.locator(".ledger-document").click()
    expect(page).to_have_url(re.compile(rf"/purchasing/receipts/{receipt_id}$"))
    expect(page.get_by_text(receipt_number).first).to_be_visible()
