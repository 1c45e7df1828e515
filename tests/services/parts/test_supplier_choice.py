"""Supplier choice (供应商比价): last prices, lead time seen, return rate, and the suggested supplier with its reason."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import NotFound, PermissionDenied
from lantong_pwa.services.parts import supplier_choice
from lantong_pwa.timezone import local_day
from models import GoodsReceiptLine, SupplierPart
from models.common import utc_now
from tests.conftest import refusal
from tests.factories import add_part
from tests.services.finance.payables_rows import add_receipt, add_supplier

D = Decimal
DAY = local_day(utc_now()) - timedelta(days=60)  # within the year the suggestion looks back on


def receive(session, shop, supplier, part, day, quantity, price, *, ordered_days_before=None, returned="0"):
    receipt, _ = add_receipt(session, shop.parts_clerk, supplier, day, [(part.id, quantity, price)],
                             ordered_days_before=ordered_days_before)
    if returned != "0":
        line = session.exec(select(GoodsReceiptLine).where(GoodsReceiptLine.goods_receipt_id == receipt.id)).one()
        line.returned_quantity = D(returned)
        session.commit()
    return receipt


@pytest.fixture
def part(session, shop):
    return add_part(session, shop.branch.id)


def test_price_history_per_supplier(session, shop, part):
    huanan, dongfang = add_supplier(session, shop.branch.id, "华南汽配"), add_supplier(session, shop.branch.id, "东方汽配")
    for n, price in enumerate(("20", "21", "22", "23")):
        receive(session, shop, huanan, part, DAY + timedelta(days=10 * n), "10", price, ordered_days_before=2 + 2 * n)
    receive(session, shop, dongfang, part, DAY, "5", "19", returned="1")
    receive(session, shop, dongfang, part, DAY + timedelta(days=40), "5", "22.50", ordered_days_before=1)
    history = supplier_choice.price_history(session, shop.parts_clerk, part.id)
    by_name = {r.name: r for r in history.suppliers}
    assert [(p.day, p.unit_price) for p in by_name["华南汽配"].last_prices] == [
        (DAY + timedelta(days=30), D("23.00")), (DAY + timedelta(days=20), D("22.00")),
        (DAY + timedelta(days=10), D("21.00"))]
    assert by_name["华南汽配"].lead_days == 5.0  # 2, 4, 6 and 8 days
    assert by_name["华南汽配"].return_rate == D("0")
    assert by_name["东方汽配"].return_rate == D("0.1")  # 1 of 10
    assert by_name["东方汽配"].lead_days == 1.0  # only the receipt against an order counts
    assert (history.suggested_id, history.reason) == (dongfang.id, "最近价格最低（¥22.50）")
    assert history.suppliers[0].supplier_id == dongfang.id


def test_a_high_return_rate_is_passed_over(session, shop, part):
    cheap, sound = add_supplier(session, shop.branch.id, "便宜汽配"), add_supplier(session, shop.branch.id, "可靠汽配")
    receive(session, shop, cheap, part, DAY, "10", "15", returned="2")
    receive(session, shop, sound, part, DAY, "10", "18", returned="1")
    assert supplier_choice.suggest_supplier(session, shop.branch.id, part.id) == (
        sound.id, "退货率低（10%），价格¥18.00；更便宜的供应商退货率超过10%")


def test_on_a_tie_the_faster_supplier(session, shop, part):
    slow, fast = add_supplier(session, shop.branch.id, "慢"), add_supplier(session, shop.branch.id, "快")
    receive(session, shop, slow, part, DAY, "10", "18", ordered_days_before=7)
    receive(session, shop, fast, part, DAY, "10", "18", ordered_days_before=2)
    assert supplier_choice.suggest_supplier(session, shop.branch.id, part.id) == (
        fast.id, "价格同为最低（¥18.00），到货最快（平均2天）")


def test_offers_count_and_inactive_suppliers_do_not(session, shop, part):
    assert supplier_choice.suggest_supplier(session, shop.branch.id, part.id) is None
    quoted = add_supplier(session, shop.branch.id, "报价汽配")
    gone = add_supplier(session, shop.branch.id, "停用汽配", is_active=False)
    session.add(SupplierPart(branch_id=shop.branch.id, supplier_id=quoted.id, part_id=part.id, price=D("30")))
    session.commit()
    receive(session, shop, gone, part, DAY, "1", "5")
    assert supplier_choice.suggest_supplier(session, shop.branch.id, part.id) == (quoted.id, "唯一有价格的供应商")
    other = add_supplier(session, shop.branch.id, "另一家")
    receive(session, shop, other, part, DAY, "1", "31")
    assert supplier_choice.suggest_supplier(session, shop.branch.id, part.id) == (quoted.id, "报价最低（¥30.00）")
    history = supplier_choice.price_history(session, shop.manager, part.id)
    assert [r.name for r in history.suppliers] == ["报价汽配", "另一家", "停用汽配"]


def test_receipts_older_than_a_year_no_longer_count(session, shop, part):
    """Two years ago the supplier was cheapest; that price is history, and its offer is what counts now."""
    old_friend, current = add_supplier(session, shop.branch.id, "老供应商"), add_supplier(session, shop.branch.id, "现供应商")
    receive(session, shop, old_friend, part, DAY - timedelta(days=730), "10", "12", ordered_days_before=1)
    session.add(SupplierPart(branch_id=shop.branch.id, supplier_id=old_friend.id, part_id=part.id, price=D("25")))
    session.commit()
    receive(session, shop, current, part, DAY, "10", "20")
    assert supplier_choice.suggest_supplier(session, shop.branch.id, part.id) == (current.id, "最近价格最低（¥20.00）")
    old = {r.name: r for r in supplier_choice.price_history(session, shop.manager, part.id).suppliers}["老供应商"]
    assert (old.last_prices, old.receipts, old.lead_days, old.price) == ([], 0, None, D("25"))


def test_suggestions_for_many_parts_at_once(session, shop):
    supplier = add_supplier(session, shop.branch.id)
    parts = [add_part(session, shop.branch.id, code=f"P{n}") for n in range(3)]
    for part in parts[:2]:
        receive(session, shop, supplier, part, DAY, "1", "10")
    found = supplier_choice.suggest_suppliers(session, shop.branch.id, [p.id for p in parts])
    assert set(found) == {parts[0].id, parts[1].id}


def test_who_may_compare(session, shop, part):
    for role in ("cashier", "technician", "advisor", "admin"):
        with refusal(session, PermissionDenied):
            supplier_choice.price_history(session, shop.users[role], part.id)
    theirs = add_part(session, shop.other_branch.id, code="X-1")
    with refusal(session, NotFound):
        supplier_choice.price_history(session, shop.parts_clerk, theirs.id)
