"""调价: a selection, a rule and a rounding give a preview; applying it changes exactly the previewed prices, once,
dated now, with each part's history; settlements already made keep their prices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import func, select

from lantong_pwa.errors import FormErrors, PermissionDenied
from lantong_pwa.services.cashier import settlement
from lantong_pwa.services.parts import price_adjustments, stock
from lantong_pwa.services.parts.price_adjustments import PriceForm
from models import (
    AuditEvent,
    Part,
    PriceAdjustmentStatus,
    PriceChange,
    Role,
    SettlementLine,
    Supplier,
    SupplierPart,
    User,
)
from models.common import utc_now
from tests.conftest import refusal
from tests.factories import add_part
from tests.races import race
from tests.services.cashier.test_settlement import completed_order

D = Decimal


class Scene:
    def __init__(self, session, shop):
        self.session = session
        self.shop = shop
        self.manager = shop.manager
        branch = shop.branch.id
        self.oil = add_part(session, branch, code="JY-01", name="机油", price="100.00", category="油品")
        self.coolant = add_part(session, branch, code="JY-02", name="冷却液", price="33.33", category="油品")
        self.pads = add_part(session, branch, code="SC-01", name="刹车片", price="420.00", category="制动")
        self.supplier = Supplier(branch_id=branch, code="S1", name="华南配件")
        session.add(self.supplier)
        session.flush()
        session.add_all([SupplierPart(branch_id=branch, supplier_id=self.supplier.id, part_id=p.id, price=D("10"))
                         for p in (self.coolant, self.pads)])
        session.commit()

    def prepare(self, key="k1", **fields):
        return price_adjustments.prepare(self.session, self.manager, PriceForm(request_key=key, **fields))

    def price(self, part) -> Decimal:
        self.session.expire_all()
        return self.session.get(Part, part.id).sale_price

    def preview(self, adjustment) -> list[tuple[str, Decimal, Decimal]]:
        return [(p.code, c.old_price, c.new_price) for c, p in price_adjustments.changes_of(self.session,
                                                                                             adjustment.id)]


@pytest.fixture
def scene(session, shop) -> Scene:
    return Scene(session, shop)


def test_a_category_raised_by_percent_is_previewed_then_applied_exactly(session, scene):
    adjustment = scene.prepare(category="油品", rule="percent", percent="5", rounding="0.1")
    assert adjustment.status == PriceAdjustmentStatus.DRAFT and adjustment.number.startswith("TJ")
    preview = scene.preview(adjustment)
    assert preview == [("JY-01", D("100.00"), D("105.00")), ("JY-02", D("33.33"), D("35.00"))]  # 34.9965 → 35.0
    assert scene.price(scene.oil) == D("100.00"), "a preview changes no price"
    assert price_adjustments.allowed_actions(scene.manager, adjustment) == ["apply", "cancel"]

    before = utc_now()
    applied = price_adjustments.apply(session, scene.manager, adjustment.id)
    session.commit()
    assert applied.status == PriceAdjustmentStatus.APPLIED and applied.applied_at >= before
    assert applied.applied_by_id == scene.manager.id
    assert [(code, scene.price(part)) for code, part in (("JY-01", scene.oil), ("JY-02", scene.coolant))] == [
        (code, new) for code, _, new in preview]
    assert scene.price(scene.pads) == D("420.00")
    assert price_adjustments.allowed_actions(scene.manager, applied) == []
    history = price_adjustments.price_history(session, scene.shop.advisor, scene.coolant.id)
    assert [(h.number, h.old_price, h.new_price, h.applied_by_id) for h in history] == [
        (adjustment.number, D("33.33"), D("35.00"), scene.manager.id)]
    assert session.exec(select(AuditEvent.action).where(AuditEvent.action.like("price_adjustment.%"))
                        .order_by(AuditEvent.id)).all() == ["price_adjustment.prepare", "price_adjustment.apply"]


def test_rules_and_rounding(session, scene):
    assert price_adjustments.part_categories(session, scene.manager) == ["制动", "油品"]
    assert price_adjustments.round_price(D("34.9965"), D("0.10")) == D("35.00")
    assert price_adjustments.round_price(D("34.45"), D("1.00")) == D("34.00")
    assert price_adjustments.round_price(D("34.50"), D("1.00")) == D("35.00")
    assert price_adjustments.round_price(D("34.05"), D("0.10")) == D("34.10")
    down = scene.prepare(key="down", category="油品", rule="percent", percent="-10", rounding="1")
    assert scene.preview(down) == [("JY-01", D("100.00"), D("90.00")), ("JY-02", D("33.33"), D("30.00"))]


def test_a_margin_over_cost_uses_average_cost_on_hand_else_the_catalogue_cost(session, scene):
    clerk = scene.shop.parts_clerk
    main = stock.create_warehouse(session, clerk, "MAIN", "主仓库")
    oil = stock.create_warehouse(session, clerk, "OIL", "油品库")
    stock.receive_stock(session, clerk, main.id, scene.pads.id, "1", "200")
    stock.receive_stock(session, clerk, oil.id, scene.pads.id, "3", "240")  # on-hand weighted: 230
    free = add_part(session, scene.shop.branch.id, code="ZS-01", name="赠品贴", price="1.00")
    free.cost = D("0.00")
    session.add(free)
    session.commit()
    adjustment = scene.prepare(supplier_id=str(scene.supplier.id), part_ids=[free.id, scene.pads.id,
                                                                             scene.coolant.id],
                               rule="margin", percent="35", rounding="1")
    # pads: 230 × 1.35 = 310.5 → 311; coolant has no stock: catalogue cost 20 × 1.35 = 27; free is no supplier part
    assert scene.preview(adjustment) == [("JY-02", D("33.33"), D("27.00")), ("SC-01", D("420.00"), D("311.00"))]
    costs = {c.part_id: c.cost for c, _ in price_adjustments.changes_of(session, adjustment.id)}
    assert costs == {scene.pads.id: D("230.0000"), scene.coolant.id: D("20.0000")}
    with refusal(session, match="所选配件的售价都不变"):
        scene.prepare(key="free", part_ids=[free.id], rule="margin", percent="50", rounding="1")


def test_bad_input_is_told_next_to_its_field_and_saves_nothing(session, scene):
    with refusal(session, FormErrors) as caught:
        scene.prepare(rule="percent", percent="abc", rounding="0.5")
    assert caught.value.errors == {"percent": "百分比应为数字", "rounding": "请选择取整到角或元",
                                   "selection": "请选择类别、供应商或配件"}
    with refusal(session, FormErrors) as caught:
        scene.prepare(category="油品", rule="percent", percent="-95", rounding="1")
    assert caught.value.errors == {"percent": "百分比应在-90%到300%之间"}
    with refusal(session, FormErrors) as caught:
        scene.prepare(category="没有", supplier_id="99999", rule="markup", percent="5", rounding="1")
    assert caught.value.errors == {"rule": "请选择调价方式", "supplier_id": "请选择本店的供应商"}
    with refusal(session, FormErrors) as caught:
        scene.prepare(category="没有", rule="percent", percent="5", rounding="1")
    assert caught.value.errors == {"selection": "没有符合条件的在用配件"}
    assert session.exec(select(func.count()).select_from(PriceChange)).one() == 0


def test_an_adjustment_is_applied_once_and_a_resend_prepares_once(session, scene):
    first = scene.prepare(key="same", category="制动", rule="percent", percent="10", rounding="1")
    session.commit()
    assert scene.prepare(key="same", category="制动", rule="percent", percent="10", rounding="1").id == first.id
    price_adjustments.apply(session, scene.manager, first.id)
    with refusal(session, match="调价单已执行或已作废"):
        price_adjustments.apply(session, scene.manager, first.id)
    with refusal(session, match="调价单已执行或已作废"):
        price_adjustments.cancel(session, scene.manager, first.id)
    assert scene.price(scene.pads) == D("462.00"), "raised by 10 % once, not twice"


def test_two_managers_applying_at_once_change_the_prices_once(app_engine, session, scene):
    adjustment = scene.prepare(category="油品", rule="percent", percent="20", rounding="1")
    session.commit()
    manager_id = scene.manager.id

    results = race([lambda own: price_adjustments.apply(own, own.get(User, manager_id), adjustment.id)] * 2)

    assert sum(1 for r in results if isinstance(r, Exception)) == 1
    assert scene.price(scene.oil) == D("120.00")


def test_a_price_changed_after_the_preview_stops_the_whole_adjustment(session, scene):
    adjustment = scene.prepare(category="油品", rule="percent", percent="5", rounding="1")
    scene.coolant.sale_price = D("40.00")  # edited in the catalogue meanwhile
    session.add(scene.coolant)
    with refusal(session, match="冷却液（JY-02）的售价在预览后已被修改"):
        price_adjustments.apply(session, scene.manager, adjustment.id)
    assert scene.price(scene.oil) == D("100.00")
    session.expire_all()
    assert price_adjustments.get_adjustment(session, scene.manager, adjustment.id).status == "draft"
    cancelled = price_adjustments.cancel(session, scene.manager, adjustment.id)
    assert cancelled.status == PriceAdjustmentStatus.CANCELLED
    assert price_adjustments.price_history(session, scene.manager, scene.oil.id) == []


def test_settlements_already_made_keep_their_prices(session, shop):
    order = completed_order(session, shop)  # 2 × the first part at 58.00
    settled = settlement.settle(session, shop.cashier, order.id)
    session.commit()
    part = session.exec(select(Part).where(Part.branch_id == shop.branch.id)).first()
    adjustment = price_adjustments.prepare(session, shop.manager, PriceForm(
        part_ids=[part.id], rule="percent", percent="50", rounding="1", request_key="s"))
    price_adjustments.apply(session, shop.manager, adjustment.id)
    session.commit()
    session.expire_all()
    assert session.get(Part, part.id).sale_price == D("87.00")
    line = session.exec(select(SettlementLine).where(SettlementLine.settlement_id == settled.id,
                                                     SettlementLine.kind == "part")).one()
    assert (line.unit_price, line.amount) == (D("58.00"), D("116.00"))


def test_only_managers_adjust_prices(session, scene):
    for role in (Role.ADVISOR, Role.PARTS_CLERK, Role.CASHIER, Role.TECHNICIAN):
        with refusal(session, PermissionDenied):
            price_adjustments.prepare(session, scene.shop.users[role.value], PriceForm(
                category="油品", rule="percent", percent="5", rounding="1", request_key="x"))
    adjustment = scene.prepare(category="油品", rule="percent", percent="5", rounding="1")
    assert price_adjustments.allowed_actions(scene.shop.parts_clerk, adjustment) == []
    for stranger in (scene.shop.parts_clerk, None):
        with refusal(session, PermissionDenied):
            price_adjustments.apply(session, stranger, adjustment.id)
    assert scene.price(scene.oil) == D("100.00")
    with pytest.raises(PermissionDenied):
        price_adjustments.price_history(session, scene.shop.technician, scene.oil.id)
