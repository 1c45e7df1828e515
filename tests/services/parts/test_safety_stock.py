"""Safety stock (P13): minimum and maximum suggested from a known history (picks, warranty, internal use, net of
returns; a seasonal period), applied as limits in one audited transaction, edited by hand, the parts below their
minimum with other branches' surplus, the manager's count, and the purchase plan ordering up to the maximum."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import FormErrors, PermissionDenied
from lantong_pwa.services.parts import catalogue, purchase_plan, safety_stock, stock
from lantong_pwa.services.parts.safety_stock import Settings
from lantong_pwa.services.platform import figures
from models import (
    AuditEvent,
    Part,
    StockBalance,
    StockLimit,
    StockMove,
    StockMoveKind,
    Supplier,
    SupplierPart,
    Warehouse,
)
from tests.conftest import refusal
from tests.factories import add_part
from tests.races import race

D = Decimal
K = StockMoveKind
TODAY = date(2026, 12, 4)
SEPTEMBER = Settings(start=date(2026, 9, 1), end=date(2026, 9, 30), safety_days=3, cover_days=14)


class History:
    def __init__(self, session, shop):
        self.session = session
        self.shop = shop
        self.clerk = shop.parts_clerk
        self.main = stock.create_warehouse(session, self.clerk, "ZK", "主仓库")
        self.oil = stock.create_warehouse(session, self.clerk, "YP", "油品库")
        self.pads = add_part(session, shop.branch.id, code="BP-01", name="刹车片")
        self.filter = add_part(session, shop.branch.id, code="JL-01", name="机油滤清器")

    def move(self, part, kind, quantity, at: datetime, warehouse=None) -> None:
        """A ledger row of the past, as the services wrote it then (balances are not the point here)."""
        self.session.add(StockMove(branch_id=self.shop.branch.id, part_id=part.id,
                                   warehouse_id=(warehouse or self.main).id, kind=kind, quantity=D(quantity),
                                   unit_cost=D("10"), user_id=self.clerk.id, created_at=at))
        self.session.commit()

    def on_hand(self, part, quantity, warehouse=None) -> None:
        self.session.add(StockBalance(branch_id=self.shop.branch.id, part_id=part.id,
                                      warehouse_id=(warehouse or self.main).id, on_hand=D(quantity),
                                      average_cost=D("10")))
        self.session.commit()

    def offer(self, part, name, price, lead_days, active=True) -> None:
        supplier = Supplier(branch_id=self.shop.branch.id, code=name, name=name, is_active=active)
        self.session.add(supplier)
        self.session.flush()
        self.session.add(SupplierPart(branch_id=self.shop.branch.id, supplier_id=supplier.id, part_id=part.id,
                                      price=D(price), min_quantity=D(0), lead_days=lead_days))
        self.session.commit()

    def limits(self) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
        self.session.expire_all()
        return {(self.session.get(Part, lim.part_id).code, "main" if lim.warehouse_id == self.main.id else "oil"):
                (lim.minimum, lim.maximum) for lim in self.session.exec(select(StockLimit)).all()}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def history(session, shop) -> History:
    h = History(session, shop)
    # September 2026 (30 days) in the main store: 10 + 8 picked, 3 returned, 2 warranty, 1 internal use = 18 used.
    h.move(h.pads, K.PICK, "-10", utc(2026, 8, 31, 16, 30))  # 1 September 00:30 in the shop: inside
    h.move(h.pads, K.PICK, "-8", utc(2026, 9, 12, 3))
    h.move(h.pads, K.RETURN, "3", utc(2026, 9, 13, 3))
    h.move(h.pads, K.WARRANTY, "-2", utc(2026, 9, 20, 3))
    h.move(h.pads, K.INTERNAL_USE, "-1", utc(2026, 9, 21, 3))
    h.move(h.pads, K.RECEIPT, "50", utc(2026, 9, 2, 3))  # not use
    h.move(h.pads, K.GIFT, "-5", utc(2026, 9, 3, 3))  # a gift is not use
    h.move(h.pads, K.PICK, "-100", utc(2026, 8, 31, 15, 30))  # 31 August 23:30 in the shop: outside
    h.move(h.pads, K.PICK, "-100", utc(2026, 9, 30, 16, 30))  # 1 October 00:30 in the shop: outside
    h.move(h.pads, K.PICK, "-3", utc(2026, 9, 15, 3), warehouse=h.oil)
    h.move(h.filter, K.PICK, "-30", utc(2026, 9, 15, 3))
    h.move(h.filter, K.PICK, "-62", utc(2025, 12, 10, 3))  # last winter
    # The pads' cheapest active offer quotes 4 days; an inactive cheaper supplier does not count.
    h.offer(h.pads, "A", "100", 5)
    h.offer(h.pads, "B", "90", 4)
    h.offer(h.pads, "C", "50", 1, active=False)
    h.on_hand(h.pads, "2")
    return h


def test_suggestions_from_use_net_of_returns_over_the_lead_and_safety_days(session, history):
    rows = {(r.code, r.warehouse): r for r in safety_stock.suggestions(session, history.clerk, SEPTEMBER)}
    assert set(rows) == {("BP-01", "主仓库"), ("BP-01", "油品库"), ("JL-01", "主仓库")}
    pads = rows[("BP-01", "主仓库")]
    # 18 over 30 days = 0.6 a day; lead 4 + safety 3 → 4.2 → 5; cover 14 days → 8.4 → 9; 5 + 9 = 14.
    assert (pads.used, pads.daily, pads.lead_days, pads.lead_is_default) == (D("18.00"), D("0.6"), 4, False)
    assert (pads.suggested_minimum, pads.suggested_maximum, pads.on_hand) == (D("5"), D("14"), D("2"))
    assert (pads.minimum, pads.maximum, pads.changes) == (None, None, True)
    oil = rows[("BP-01", "油品库")]  # 3 over 30 days = 0.1 a day: 0.7 → 1, 1.4 → 2
    assert (oil.suggested_minimum, oil.suggested_maximum, oil.on_hand) == (D("1"), D("3"), D("0"))
    filters = rows[("JL-01", "主仓库")]  # no offer: the default lead time; 1 a day × (3 + 3) = 6, + 14 = 20
    assert (filters.lead_days, filters.lead_is_default) == (safety_stock.DEFAULT_LEAD_DAYS, True)
    assert (filters.suggested_minimum, filters.suggested_maximum) == (D("6"), D("20"))


def test_a_seasonal_period_uses_its_own_history(session, history):
    winter = Settings(start=date(2025, 12, 1), end=date(2025, 12, 31), safety_days=0, cover_days=31)
    rows = safety_stock.suggestions(session, history.clerk, winter)
    assert [(r.code, r.used, r.suggested_minimum, r.suggested_maximum) for r in rows] == [
        ("JL-01", D("62.00"), D("6"), D("68"))], "2 a day: 2 × 3 lead days = 6; + 2 × 31 = 68"


def test_the_arithmetic_rounds_up_to_whole_units_and_never_below_zero():
    assert safety_stock.suggest_limits(D("1"), 90, 3, 3, 14) == (D("1"), D("2"))
    assert safety_stock.suggest_limits(D("-4"), 30, 3, 3, 14) == (D("0"), D("0")), "more returned than used"
    assert safety_stock.suggest_limits(D("90"), 90, 0, 0, 0) == (D("0"), D("0"))
    assert safety_stock.suggest_limits(D("3.00"), 30, 5, 5, 10) == (D("1"), D("2")), "exactly 1: not rounded up"
    assert safety_stock.suggest_limits(D("0.01"), 1000, 1, 0, 1) == (D("1"), D("2")), "a trace still rounds up"


def test_the_settings_are_checked_with_messages_beside_their_fields():
    settings = safety_stock.parse_settings("2026-09-01", "2026-09-30", "3", "14", on=TODAY)
    assert settings == SEPTEMBER and settings.days == 30
    assert safety_stock.default_settings(TODAY) == Settings(start=date(2026, 9, 6), end=TODAY, safety_days=3,
                                                            cover_days=14)
    with pytest.raises(FormErrors) as caught:
        safety_stock.parse_settings("2026-10-01", "2026-12-05", "-1", "1.5", on=TODAY)
    assert caught.value.errors == {"end": "结束日期不能晚于今天", "safety_days": "安全天数应为不小于0的整数",
                                   "cover_days": "备货天数应为不小于0的整数"}
    with pytest.raises(FormErrors) as caught:
        safety_stock.parse_settings("2026-10-02", "2026-10-01", "400", "", on=TODAY)
    assert caught.value.errors == {"start": "开始日期不能晚于结束日期", "safety_days": "安全天数不能超过366天",
                                   "cover_days": "备货天数应为不小于0的整数"}
    with pytest.raises(FormErrors) as caught:
        safety_stock.parse_settings("", "2026/10/01", "1", "1", on=TODAY)
    assert caught.value.errors == {"start": "请选择开始日期", "end": "结束日期格式应为年-月-日"}


def test_applying_writes_the_limits_in_one_audited_step(session, history):
    session.add(StockLimit(branch_id=history.shop.branch.id, part_id=history.filter.id,
                           warehouse_id=history.main.id, minimum=D("1"), maximum=D("2")))
    session.commit()
    chosen = [(history.pads.id, history.oil.id), (history.filter.id, history.main.id)]
    assert safety_stock.apply(session, history.clerk, SEPTEMBER, chosen) == 2
    session.commit()
    assert history.limits() == {("BP-01", "oil"): (D("1"), D("3")), ("JL-01", "main"): (D("6"), D("20"))}
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "stock_limit.apply")).one()
    assert json.loads(event.detail)["changed"] == [["BP-01", history.oil.id, None, None, "1", "3"],
                                                   ["JL-01", history.main.id, "1.00", "2.00", "6", "20"]]
    assert safety_stock.apply(session, history.clerk, SEPTEMBER) == 1, "all: only the pads' main store is left"
    session.commit()
    assert history.limits()[("BP-01", "main")] == (D("5"), D("14"))
    assert safety_stock.apply(session, history.clerk, SEPTEMBER) == 0, "nothing to change: no audit row"
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "stock_limit.apply")).all()) == 2


def test_a_limit_edited_by_hand_is_checked(session, history):
    with refusal(session) as caught:
        catalogue.set_stock_limit(session, history.clerk, history.pads.id, history.main.id, "5", "3")
    assert caught.value.errors == {"maximum": "最高库存不能低于最低库存"}
    with refusal(session) as caught:
        catalogue.set_stock_limit(session, history.clerk, history.pads.id, history.main.id, "-1", "3")
    assert caught.value.errors == {"minimum": "最低库存不能为负数"}
    assert history.limits() == {}
    catalogue.set_stock_limit(session, history.clerk, history.pads.id, history.main.id, "3", "8")
    session.commit()
    assert history.limits() == {("BP-01", "main"): (D("3"), D("8"))}


def test_only_those_who_keep_the_catalogue_see_and_apply_suggestions(session, history):
    for person in (history.shop.advisor, history.shop.technician, history.shop.cashier):
        with pytest.raises(PermissionDenied):
            safety_stock.suggestions(session, person, SEPTEMBER)
        with pytest.raises(PermissionDenied):
            safety_stock.apply(session, person, SEPTEMBER)
    with pytest.raises(PermissionDenied):
        safety_stock.low_stock(session, history.shop.advisor)
    assert history.limits() == {}
    assert safety_stock.suggestions(session, history.shop.manager, SEPTEMBER)


def test_parts_below_their_minimum_with_other_branches_surplus(session, shop, history):
    h = history
    session.add_all([StockLimit(branch_id=shop.branch.id, part_id=h.pads.id, warehouse_id=h.main.id,
                                minimum=D("5"), maximum=D("14")),  # 2 on hand: low
                     StockLimit(branch_id=shop.branch.id, part_id=h.pads.id, warehouse_id=h.oil.id,
                                minimum=D("1"), maximum=D("3")),  # no balance row at all: 0, low
                     StockLimit(branch_id=shop.branch.id, part_id=h.filter.id, warehouse_id=h.main.id,
                                minimum=D("0"), maximum=D("5"))])  # no minimum: never low
    # Another branch of the chain holds 20 of the same code against a maximum of 12 (and a 4th warehouse row at
    # its maximum adds nothing).
    elsewhere = add_part(session, shop.other_branch.id, code="BP-01", name="刹车片")
    store = Warehouse(branch_id=shop.other_branch.id, code="ZK", name="主仓库")
    spare = Warehouse(branch_id=shop.other_branch.id, code="BJ", name="备件库")
    session.add_all([store, spare])
    session.flush()
    session.add_all([StockBalance(branch_id=shop.other_branch.id, part_id=elsewhere.id, warehouse_id=w.id,
                                  on_hand=D(q), average_cost=D("10")) for w, q in ((store, "20"), (spare, "4"))])
    session.add_all([StockLimit(branch_id=shop.other_branch.id, part_id=elsewhere.id, warehouse_id=w.id,
                                minimum=D("2"), maximum=D(m)) for w, m in ((store, "12"), (spare, "4"))])
    session.commit()

    low = safety_stock.low_stock(session, h.clerk)
    surplus = [safety_stock.Surplus(branch_id=shop.other_branch.id, branch=shop.other_branch.name,
                                    quantity=D("8.00"))]
    assert [(r.code, r.warehouse, r.on_hand, r.minimum, r.maximum, r.surplus) for r in low] == [
        ("BP-01", "主仓库", D("2"), D("5"), D("14"), surplus), ("BP-01", "油品库", D("0"), D("1"), D("3"), surplus)]
    assert safety_stock.low_stock_count(session, [shop.branch.id]) == 2
    assert safety_stock.low_stock_count(session, [shop.other_branch.id]) == 0
    assert figures.daily_figures(session, shop.manager, TODAY).low_stock == 2, "the manager's figures count them"
    h.pads.is_active = False
    session.add(h.pads)
    session.commit()
    assert safety_stock.low_stock(session, h.clerk) == [], "a retired part is not reordered"


def test_applied_minimums_make_the_purchase_plan_order_up_to_the_maximum(session, history):
    safety_stock.apply(session, history.clerk, SEPTEMBER, [(history.pads.id, history.main.id)])
    session.commit()
    plan = {s.part.code: s for s in purchase_plan.build(session, history.clerk)}
    pads = plan["BP-01"]  # 2 on hand, minimum 5: order up to the maximum 14
    assert (pads.minimum, pads.maximum, pads.quantity) == (D("5"), D("14"), D("12.00"))
    assert "JL-01" not in plan


def test_two_managers_applying_at_once_leave_one_limit_per_part_and_warehouse(app_engine, session, history):
    results = race([lambda db: safety_stock.apply(db, history.clerk, SEPTEMBER) for _ in range(2)]
                   + [lambda db: safety_stock.apply(db, history.shop.manager, SEPTEMBER)])
    assert all(isinstance(r, int) for r in results), results
    assert history.limits() == {("BP-01", "main"): (D("5"), D("14")), ("BP-01", "oil"): (D("1"), D("3")),
                                ("JL-01", "main"): (D("6"), D("20"))}
