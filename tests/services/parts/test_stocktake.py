"""Stocktaking (P10): scopes, one open sheet per part, blind counts at a ledger position, recounts, posting the
variances at average cost, once, by a manager."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.parts import stock, stock_report, stocktake
from lantong_pwa.services.parts.stocktake import Action
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from models import (
    AuditEvent,
    CountEntry,
    CountLine,
    CountSheet,
    CountSheetStatus,
    PartLine,
    RecountState,
    Role,
    StockBalance,
    StockMove,
    StockMoveKind,
    User,
)
from models.common import utc_now
from tests.conftest import password_hash, refusal
from tests.factories import add_part, add_vehicle
from tests.races import race

D = Decimal
S = CountSheetStatus


class Scene:
    """A main warehouse with brake pads (shelf A-01, 10 at 30), filters (A-01, 20 at 5) and oil (B-02, 40 at 50)."""

    def __init__(self, session, shop):
        self.session = session
        self.shop = shop
        self.clerk = shop.parts_clerk
        self.manager = shop.manager
        self.clerk2 = User(username="clerk2", display_name="李库管", password_hash=password_hash(),
                           role=Role.PARTS_CLERK, branch_id=shop.branch.id)
        session.add(self.clerk2)
        self.main = stock.create_warehouse(session, self.clerk, "MAIN", "主仓库")
        session.commit()
        home = {"default_warehouse_id": self.main.id}
        self.pads = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片", shelf="A-01",
                             category="制动", **home)
        self.filter = add_part(session, shop.branch.id, code="JL-001", name="机油滤清器", shelf="A-01",
                               category="滤清器", **home)
        self.oil = add_part(session, shop.branch.id, code="OIL-5W30", name="机油", shelf="B-02", category="油品",
                            **home)
        for part, qty, cost in ((self.pads, 10, 30), (self.filter, 20, 5), (self.oil, 40, 50)):
            stock.receive_stock(session, self.clerk, self.main.id, part.id, str(qty), str(cost))
        session.commit()
        self.vehicle = add_vehicle(session, shop.branch.id)

    def sheet(self, scope="warehouse", values=(), threshold="1000", **kwargs) -> CountSheet:
        sheet = stocktake.create_sheet(self.session, self.clerk, self.main.id, scope, values, threshold, **kwargs)
        self.session.commit()
        return sheet

    def counting(self, **kwargs) -> CountSheet:
        sheet = stocktake.start(self.session, self.clerk, self.sheet(**kwargs).id)
        self.session.commit()
        return sheet

    def line(self, sheet, part) -> CountLine:
        self.session.expire_all()
        return self.session.exec(select(CountLine).where(CountLine.sheet_id == sheet.id,
                                                         CountLine.part_id == part.id)).one()

    def count(self, sheet, part, quantity, who=None, **kwargs) -> CountEntry:
        entry = stocktake.count(self.session, who or self.clerk, sheet.id, quantity, code=part.code, **kwargs)
        self.session.commit()
        return entry

    def pick(self, part, quantity):
        order = work_orders.open_work_order(self.session, self.shop.advisor, OrderForm(
            vehicle_id=self.vehicle.id, mileage_in="1000", fuel_level=2, complaint="保养",
            job_lines=[JobLineInput(name="保养", hours="1", rate="100")],
            part_lines=[PartLineInput(part_id=part.id, quantity=quantity)]))
        line = self.session.exec(select(PartLine).where(PartLine.work_order_id == order.id)).one()
        move = stock.pick(self.session, self.clerk, line.id, self.main.id, quantity)
        self.session.commit()
        return move

    def balance(self, part) -> StockBalance:
        self.session.expire_all()
        return self.session.exec(select(StockBalance).where(StockBalance.part_id == part.id,
                                                            StockBalance.warehouse_id == self.main.id)).one()

    def stocktake_moves(self, sheet) -> list[StockMove]:
        self.session.expire_all()
        return list(self.session.exec(select(StockMove).where(StockMove.kind == StockMoveKind.STOCKTAKE,
                                                              StockMove.document_id == sheet.id)
                                      .order_by(StockMove.id)).all())


@pytest.fixture
def scene(session, shop) -> Scene:
    return Scene(session, shop)


def codes(session, sheet) -> list[str]:
    return [part.code for _line, part in stocktake.sheet_lines(session, sheet.id)]


# --- sheets and their scope -------------------------------------------------------------------------------------


def test_a_sheet_covers_a_warehouse_its_shelves_or_its_categories(session, scene):
    whole = scene.sheet()
    assert whole.number.startswith("PD") and whole.status == S.DRAFT
    assert whole.recount_threshold == D("1000.00")
    assert codes(session, whole) == ["JL-001", "SCP-01", "OIL-5W30"]  # by shelf, then code
    stocktake.cancel(session, scene.clerk, whole.id)
    session.commit()
    shelves = scene.sheet("shelves", ["B-02"])
    assert codes(session, shelves) == ["OIL-5W30"]
    categories = scene.sheet("categories", "制动、滤清器")
    assert codes(session, categories) == ["JL-001", "SCP-01"]
    assert stocktake.scope_choices(session, scene.clerk, scene.main.id) == (["A-01", "B-02"],
                                                                             ["制动", "油品", "滤清器"])


def test_the_default_recount_threshold_is_the_constant_shown_on_screen(session, scene):
    assert scene.sheet(threshold="").recount_threshold == stocktake.DEFAULT_RECOUNT_THRESHOLD


def test_abc_classes_by_the_value_picked_over_90_days(session, scene):
    scene.pick(scene.oil, "10")  # 500
    scene.pick(scene.pads, "2")  # 60
    scene.pick(scene.filter, "1")  # 5
    ids = [scene.pads.id, scene.filter.id, scene.oil.id]
    assert stocktake.abc_classes(session, scene.main.id, ids) == {scene.oil.id: "A", scene.pads.id: "B",
                                                                  scene.filter.id: "C"}
    later = utc_now() + timedelta(days=91)  # the picks are older than 90 days then
    assert set(stocktake.abc_classes(session, scene.main.id, ids, later).values()) == {"C"}
    sheet = scene.sheet("abc", ["A", "b"])
    assert codes(session, sheet) == ["SCP-01", "OIL-5W30"]


def test_a_bad_new_sheet_is_told_beside_its_fields(session, scene):
    with refusal(session, FormErrors) as caught:
        stocktake.create_sheet(session, scene.clerk, "x", "shelves", [], "-5")
    assert caught.value.errors == {"warehouse_id": "请选择本店的仓库", "scope_values": "请选择要盘点的库位",
                                   "recount_threshold": "复盘金额不能为负数"}
    with refusal(session, FormErrors) as caught:
        stocktake.create_sheet(session, scene.clerk, scene.main.id, "shelves", ["Z-99"])
    assert caught.value.errors == {"scope_values": "所选范围内没有配件"}
    with refusal(session, FormErrors) as caught:
        stocktake.create_sheet(session, scene.clerk, scene.main.id, "abc", ["D"])
    assert caught.value.errors == {"scope_values": "请选择A、B、C类中的一类或几类"}
    assert session.exec(select(CountSheet)).all() == []


def test_a_part_cant_be_on_two_open_sheets_of_a_warehouse(session, scene):
    first = scene.sheet("shelves", ["A-01"])
    with refusal(session, FormErrors) as caught:
        scene.sheet("categories", ["制动"])
    assert caught.value.errors["scope"] == (f"前刹车片（SCP-01）已在未过账的盘点单{first.number}中，同一仓库的配件不能"
                                            f"同时在两张盘点单上；请先过账或作废{first.number}")
    assert len(session.exec(select(CountSheet)).all()) == 1
    # The database refuses it too, whatever a bug might try.
    session.add(CountLine(branch_id=first.branch_id, sheet_id=first.id + 0, warehouse_id=scene.main.id,
                          part_id=scene.pads.id))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    stocktake.cancel(session, scene.clerk, first.id)
    session.commit()
    assert codes(session, scene.sheet("categories", ["制动"])) == ["SCP-01"]


def test_a_resent_new_sheet_makes_one(session, scene):
    first = scene.sheet(request_key="k-1")
    again = scene.sheet(request_key="k-1")
    assert first.id == again.id and len(session.exec(select(CountSheet)).all()) == 1


# --- counting ---------------------------------------------------------------------------------------------------


def test_the_counting_view_is_blind(session, scene):
    sheet = scene.counting()
    scene.count(sheet, scene.pads, "9")
    view = stocktake.counting_view(session, scene.clerk2, sheet.id, shelf="A-01")
    fields = {f.name for f in dataclasses.fields(stocktake.CountingLine)}
    assert not fields & {"on_hand", "expected", "variance", "average_cost"}
    assert [(line.code, line.counted, line.counted_by) for line in view.lines] == [
        ("JL-001", None, ""), ("SCP-01", D("9.00"), scene.clerk.display_name)]
    assert view.shelves == ["A-01", "B-02"]
    assert Action.REVIEW not in view.actions and Action.COUNT in view.actions
    with refusal(session, PermissionDenied):
        stocktake.review(session, scene.clerk, sheet.id)


def test_counts_need_the_sheet_to_be_counting(session, scene):
    sheet = scene.sheet()
    with refusal(session, DomainError, match="草稿，不能录入盘点数"):
        scene.count(sheet, scene.pads, "9")


@pytest.mark.parametrize(("typed", "message"), [
    ("-1", "盘点数量不能为负数"), ("abc", "盘点数量应为数字"), ("100000", "盘点数量过大"),
    ("1.234", "盘点数量最多两位小数"), ("", "请输入盘点数量")])
def test_bad_counts_are_refused_beside_the_field_and_change_nothing(session, scene, typed, message):
    sheet = scene.counting()
    with refusal(session, FormErrors) as caught:
        scene.count(sheet, scene.pads, typed)
    assert caught.value.errors == {"quantity": message}
    assert session.exec(select(CountEntry)).all() == [] and scene.line(sheet, scene.pads).counted_quantity is None


def test_a_scanned_barcode_or_unknown_code(session, scene):
    from models import PartBarcode
    session.add(PartBarcode(branch_id=scene.shop.branch.id, part_id=scene.oil.id, barcode="6901234567892"))
    session.commit()
    sheet = scene.counting(scope="shelves", values=["B-02"])
    stocktake.count(session, scene.clerk, sheet.id, "38", code="6901234567892")
    session.commit()
    assert scene.line(sheet, scene.oil).counted_quantity == D("38.00")
    with refusal(session, FormErrors) as caught:
        scene.count(sheet, scene.pads, "1")  # not on this sheet
    assert caught.value.errors == {"code": "本盘点单没有编码或条码为SCP-01的配件"}


def test_a_resent_count_counts_once_and_a_new_one_replaces_it(session, scene):
    sheet = scene.counting()
    first = scene.count(sheet, scene.pads, "9", request_key="c-1")
    again = scene.count(sheet, scene.pads, "9", request_key="c-1")
    assert first.id == again.id
    scene.count(sheet, scene.pads, "8", who=scene.clerk2, request_key="c-2")
    line = scene.line(sheet, scene.pads)
    assert (line.counted_quantity, line.counted_by_id, line.entry_count) == (D("8.00"), scene.clerk2.id, 2)
    history = session.exec(select(CountEntry.quantity).where(CountEntry.line_id == line.id)
                           .order_by(CountEntry.id)).all()
    assert history == [D("9.00"), D("8.00")]


# --- variances, recounts and posting ----------------------------------------------------------------------------


def test_a_pick_during_the_count_is_no_variance(session, scene):
    sheet = scene.counting()
    scene.count(sheet, scene.pads, "8")  # 10 on the books, 8 on the shelf: 2 missing
    position = scene.line(sheet, scene.pads).ledger_position
    assert position == session.exec(select(StockMove.id).order_by(StockMove.id.desc())).first()
    scene.pick(scene.pads, "3")  # after the count: on hand 7
    scene.count(sheet, scene.filter, "20")
    review = stocktake.review(session, scene.manager, sheet.id)
    pads = next(v for v in review.lines if v.part.id == scene.pads.id)
    assert (pads.expected, pads.on_hand, pads.variance) == (D("10.00"), D("7.00"), D("-2.00"))
    assert [v.part.code for v in review.uncounted] == ["OIL-5W30"]
    posted = stocktake.post(session, scene.manager, sheet.id)
    session.commit()
    assert posted.uncounted == 1
    assert [(m.part_id, m.quantity, m.unit_cost, m.document_type, m.user_id) for m in scene.stocktake_moves(sheet)
            ] == [(scene.pads.id, D("-2.00"), D("30.0000"), "count_sheet", scene.manager.id)]
    assert scene.balance(scene.pads).on_hand == D("5.00")
    assert scene.balance(scene.oil).on_hand == D("40.00")  # not counted: untouched


def test_gains_come_in_at_the_average_cost_and_losses_leave_at_it(session, scene):
    stock.receive_stock(session, scene.clerk, scene.main.id, scene.filter.id, "20", "7")  # average 6
    session.commit()
    sheet = scene.counting()
    scene.count(sheet, scene.filter, "43")  # 40 on the books: +3
    scene.count(sheet, scene.oil, "39")  # 40: −1
    scene.count(sheet, scene.pads, "10")  # no variance: no move
    before = utc_now()
    stocktake.post(session, scene.manager, sheet.id)
    session.commit()
    moves = scene.stocktake_moves(sheet)
    assert [(m.part_id, m.quantity, m.unit_cost) for m in moves] == [
        (scene.filter.id, D("3.00"), D("6.0000")), (scene.oil.id, D("-1.00"), D("50.0000"))]
    assert all(m.created_at >= before and m.document_id == sheet.id for m in moves)
    assert (scene.balance(scene.filter).on_hand, scene.balance(scene.filter).average_cost) == (D("43.00"),
                                                                                               D("6.0000"))
    session.expire_all()
    posted = session.get(CountSheet, sheet.id)
    assert (posted.status, posted.posted_by_id) == (S.POSTED, scene.manager.id)
    assert not any(line.is_open for line in session.exec(select(CountLine)).all())
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "count_sheet.post")).one()
    assert '"gain": "18.00"' in event.detail and '"loss": "50.00"' in event.detail
    assert stock.rebuild_balances(session, scene.shop.branch.id) == []  # the ledger and balances agree
    ref = stock_report.documents(session, {("count_sheet", sheet.id)})[("count_sheet", sheet.id)]
    assert (ref.label, ref.number, ref.url) == ("盘点单", sheet.number, f"/parts/stocktake/{sheet.id}")


def test_a_costly_variance_asks_for_a_recount_before_posting(session, scene):
    sheet = scene.counting(threshold="100")
    scene.count(sheet, scene.oil, "37")  # −3 × 50 = 150 > 100
    scene.count(sheet, scene.pads, "7")  # −3 × 30 = 90: under the threshold
    assert scene.line(sheet, scene.oil).recount == RecountState.NEEDED
    assert scene.line(sheet, scene.pads).recount == RecountState.NONE
    sheet_now = session.get(CountSheet, sheet.id)
    actions = stocktake.allowed_actions(session, scene.manager, sheet_now)
    assert Action.POST not in actions and Action.CONFIRM in actions
    with refusal(session, DomainError, match="还有1个配件需复盘"):
        stocktake.post(session, scene.manager, sheet.id)
    scene.count(sheet, scene.oil, "38", who=scene.clerk2)  # the recount stands
    line = scene.line(sheet, scene.oil)
    assert (line.recount, line.counted_quantity) == (RecountState.RECOUNTED, D("38.00"))
    assert session.exec(select(CountEntry.is_recount).where(CountEntry.line_id == line.id)
                        .order_by(CountEntry.id)).all() == [False, True]
    stocktake.post(session, scene.manager, sheet.id)
    session.commit()
    assert [m.quantity for m in scene.stocktake_moves(sheet)] == [D("-3.00"), D("-2.00")]


def test_a_manager_may_confirm_a_flagged_variance(session, scene):
    sheet = scene.counting(threshold="0")
    scene.count(sheet, scene.pads, "11")
    with refusal(session, PermissionDenied):
        stocktake.confirm(session, scene.clerk, sheet.id, scene.line(sheet, scene.pads).id)
    stocktake.confirm(session, scene.manager, sheet.id, scene.line(sheet, scene.pads).id)
    session.commit()
    assert scene.line(sheet, scene.pads).recount == RecountState.CONFIRMED
    stocktake.post(session, scene.manager, sheet.id)
    session.commit()
    assert [m.quantity for m in scene.stocktake_moves(sheet)] == [D("1.00")]


def test_a_sheet_is_posted_once(session, scene):
    sheet = scene.counting()
    scene.count(sheet, scene.pads, "9")
    stocktake.post(session, scene.manager, sheet.id)
    session.commit()
    with refusal(session, DomainError, match="已过账，不能重复过账"):
        stocktake.post(session, scene.manager, sheet.id)
    with refusal(session, DomainError, match="已过账，不能录入盘点数"):
        scene.count(sheet, scene.pads, "5")
    assert len(scene.stocktake_moves(sheet)) == 1


def test_nothing_counted_is_not_posted(session, scene):
    sheet = scene.counting()
    assert Action.POST not in stocktake.allowed_actions(session, scene.manager, sheet)
    with refusal(session, DomainError, match="还没有盘点任何配件"):
        stocktake.post(session, scene.manager, sheet.id)


def test_who_may_do_what(session, scene):
    sheet = scene.sheet()
    assert stocktake.allowed_actions(session, scene.clerk, sheet) == [Action.PRINT, Action.START, Action.CANCEL]
    assert stocktake.allowed_actions(session, scene.shop.advisor, sheet) == []
    assert stocktake.allowed_actions(session, scene.shop.other_branch_advisor, sheet) == []
    sheet = stocktake.start(session, scene.clerk, sheet.id)
    session.commit()
    scene.count(sheet, scene.pads, "10")
    sheet = session.get(CountSheet, sheet.id)
    assert stocktake.allowed_actions(session, scene.clerk, sheet) == [Action.PRINT, Action.COUNT]
    assert stocktake.allowed_actions(session, scene.manager, sheet) == [
        Action.PRINT, Action.COUNT, Action.REVIEW, Action.POST, Action.CANCEL]
    for who in (scene.clerk, scene.shop.advisor, scene.shop.cashier):
        with refusal(session, PermissionDenied):
            stocktake.post(session, who, sheet.id)
    with refusal(session, PermissionDenied):
        stocktake.count(session, scene.shop.advisor, sheet.id, "1", code="SCP-01")
    with refusal(session, PermissionDenied):
        stocktake.cancel(session, scene.clerk, sheet.id)  # counts would be lost: a manager's call
    stranger = User(username="otherclerk", display_name="外店库管", password_hash=password_hash(),
                    role=Role.PARTS_CLERK, branch_id=scene.shop.other_branch.id)
    session.add(stranger)
    with refusal(session, NotFound):
        stocktake.counting_view(session, stranger, sheet.id)


# --- racing managers --------------------------------------------------------------------------------------------


def test_two_managers_posting_at_once_post_once(app_engine, session, scene):
    manager2 = User(username="manager2", display_name="二号店长", password_hash=password_hash(),
                    role=Role.MANAGER, branch_id=scene.shop.branch.id)
    session.add(manager2)
    sheet = scene.counting()
    scene.count(sheet, scene.pads, "7")
    scene.count(sheet, scene.oil, "41")
    results = race([lambda db: stocktake.post(db, scene.manager, sheet.id),
                    lambda db: stocktake.post(db, manager2, sheet.id)])
    won = [r for r in results if isinstance(r, stocktake.Posted)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 1
    assert "已过账" in lost[0].message or "刷新" in lost[0].message
    assert [m.quantity for m in scene.stocktake_moves(sheet)] == [D("-3.00"), D("1.00")]
    assert (scene.balance(scene.pads).on_hand, scene.balance(scene.oil).on_hand) == (D("7.00"), D("41.00"))
    session.expire_all()
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "count_sheet.post")).all()) == 1
