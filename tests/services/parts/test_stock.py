"""The stock ledger (R7): receipts, picks and returns, never below zero, no double moves, and racing clerks."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlmodel import Session, func, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.parts import pick_requests, stock
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from models import (
    AuditEvent,
    JobAssignment,
    JobLine,
    PartLine,
    PickRequest,
    PickRequestStatus,
    Role,
    StockBalance,
    StockMove,
    StockMoveKind,
    User,
    Warehouse,
    WorkOrder,
    WorkOrderStatus,
)
from tests.conftest import password_hash, refusal
from tests.factories import add_part, add_vehicle

D = Decimal


class Scene:
    def __init__(self, session, shop):
        self.session = session
        self.shop = shop
        self.clerk = shop.parts_clerk
        self.main = stock.create_warehouse(session, self.clerk, "main", "主仓库")
        self.oil = stock.create_warehouse(session, self.clerk, "OIL", "油品库")
        self.vehicle = add_vehicle(session, shop.branch.id)
        self.pads = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片", price="420.00")
        self.filter = add_part(session, shop.branch.id, code="JL-001", name="机油滤清器", price="58.00")

    def order(self, *parts: tuple, status: WorkOrderStatus | None = None) -> WorkOrder:
        order = work_orders.open_work_order(self.session, self.shop.advisor, OrderForm(
            vehicle_id=self.vehicle.id, mileage_in="1000", fuel_level=2, complaint="保养",
            job_lines=[JobLineInput(name="保养", hours="1", rate="100")],
            part_lines=[PartLineInput(part_id=part.id, quantity=qty) for part, qty in parts]))
        if status is not None:
            order.status = status
            self.session.add(order)
            self.session.commit()
        return order

    def lines(self, order) -> list[PartLine]:
        self.session.expire_all()
        return list(self.session.exec(select(PartLine).where(PartLine.work_order_id == order.id)
                                      .order_by(PartLine.position)).all())

    def receive(self, part, quantity, cost, warehouse=None, **kwargs):
        return stock.receive_stock(self.session, self.clerk, (warehouse or self.main).id, part.id, quantity, cost,
                                   **kwargs)

    def balance(self, part, warehouse=None) -> StockBalance | None:
        self.session.expire_all()
        return self.session.exec(select(StockBalance).where(StockBalance.part_id == part.id,
                                                            StockBalance.warehouse_id == (warehouse or self.main).id)
                                 ).first()

    def moves(self) -> list[StockMove]:
        self.session.expire_all()
        return list(self.session.exec(select(StockMove).order_by(StockMove.id)).all())


@pytest.fixture
def scene(session, shop) -> Scene:
    return Scene(session, shop)


def snapshot(session):
    session.expire_all()
    return ([(m.id, m.quantity) for m in session.exec(select(StockMove)).all()],
            [(b.id, b.on_hand, b.average_cost) for b in session.exec(select(StockBalance)).all()],
            [(p.id, p.picked_quantity, p.returned_quantity) for p in session.exec(select(PartLine)).all()])


# --- warehouses -------------------------------------------------------------------------------------------------


def test_warehouses_are_per_branch_with_unique_codes(session, shop, scene):
    assert [(w.code, w.name) for w in stock.list_warehouses(session, shop.advisor)] == [("MAIN", "主仓库"),
                                                                                        ("OIL", "油品库")]
    with pytest.raises(FormErrors) as caught:
        stock.create_warehouse(session, scene.clerk, " Main ", "另一个")
    assert caught.value.errors == {"code": "仓库编码MAIN已存在"}
    with pytest.raises(FormErrors) as caught:
        stock.create_warehouse(session, scene.clerk, "", "")
    assert set(caught.value.errors) == {"code", "name"}
    for role in (r for r in Role if r != Role.PARTS_CLERK):
        with pytest.raises(PermissionDenied):
            stock.create_warehouse(session, shop.users[role.value], "X1", "某仓")
    assert stock.list_warehouses(session, shop.other_branch_advisor) == []
    assert session.exec(select(func.count()).select_from(Warehouse)).one() == 2
    assert session.exec(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "warehouse.create")).one() == 2


# --- receipts ---------------------------------------------------------------------------------------------------


def test_receipts_move_the_weighted_average_cost(session, scene):
    scene.receive(scene.pads, "10", "20", kind=StockMoveKind.OPENING, note="期初盘点")
    scene.receive(scene.pads, "5", "35.5")
    balance = scene.balance(scene.pads)
    assert balance.on_hand == D("15.00")
    assert balance.average_cost == D("25.1667")  # (10×20 + 5×35.5) / 15 = 25.16666…
    moves = scene.moves()
    assert [(m.kind, m.quantity, m.unit_cost, m.note) for m in moves] == [
        (StockMoveKind.OPENING, D("10.00"), D("20.0000"), "期初盘点"),
        (StockMoveKind.RECEIPT, D("5.00"), D("35.5000"), "")]
    assert {m.user_id for m in moves} == {scene.clerk.id}
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity == "stock_move")).all()
    assert sorted(actions) == ["stock.opening", "stock.receipt"]


def test_bad_receipts_change_nothing(session, shop, scene):
    stranger_part = add_part(session, shop.other_branch.id, code="X-1", name="外店配件")
    other_warehouse = Warehouse(branch_id=shop.other_branch.id, code="W", name="外店仓")
    session.add(other_warehouse)
    session.commit()
    before = snapshot(session)
    cases = [
        (dict(quantity="0"), "quantity", "数量应大于0"),
        (dict(quantity="-2"), "quantity", "数量不能为负数"),
        (dict(quantity="abc"), "quantity", "数量应为数字"),
        (dict(quantity="0.001"), "quantity", "数量应大于0"),
        (dict(unit_cost="x"), "unit_cost", "单位成本应为数字"),
        (dict(unit_cost=""), "unit_cost", "请输入单位成本"),
        (dict(warehouse_id=""), "warehouse_id", "请选择仓库"),
        (dict(warehouse_id=other_warehouse.id), "warehouse_id", "请选择本店的仓库"),
        (dict(part_id=stranger_part.id), "part_id", "请选择配件目录中的配件"),
        (dict(part_id="abc"), "part_id", "请选择配件目录中的配件"),
        (dict(kind="pick"), "kind", "请选择入库类型"),
        (dict(note="长" * 201), "note", "备注不能超过200字"),
    ]
    for change, field, message in cases:
        args = dict(warehouse_id=scene.main.id, part_id=scene.pads.id, quantity="3", unit_cost="10",
                    kind="receipt", note="")
        args.update(change)
        with pytest.raises(FormErrors) as caught:
            stock.receive_stock(session, scene.clerk, **args)
        assert caught.value.errors.get(field) == message, (change, caught.value.errors)
    assert snapshot(session) == before


def test_a_resent_receipt_moves_stock_once(session, scene):
    first = scene.receive(scene.pads, "4", "20", request_key="key-1")
    again = scene.receive(scene.pads, "4", "20", request_key="key-1")
    assert again.id == first.id
    assert scene.balance(scene.pads).on_hand == D("4.00") and len(scene.moves()) == 1


# --- picks ------------------------------------------------------------------------------------------------------


def test_partial_picks_leave_at_the_average_cost(session, scene):
    scene.receive(scene.pads, "10", "20")
    scene.receive(scene.pads, "10", "30")
    order = scene.order((scene.pads, "4"))
    line = scene.lines(order)[0]
    stock.pick(session, scene.clerk, line.id, scene.main.id, "1")
    stock.pick(session, scene.clerk, line.id, scene.main.id, "3")
    line = scene.lines(order)[0]
    assert (line.picked_quantity, line.returned_quantity) == (D("4.00"), D("0.00"))
    picks = [m for m in scene.moves() if m.kind == StockMoveKind.PICK]
    assert [(m.quantity, m.unit_cost, m.work_order_id, m.part_line_id) for m in picks] == [
        (D("-1.00"), D("25.0000"), order.id, line.id), (D("-3.00"), D("25.0000"), order.id, line.id)]
    balance = scene.balance(scene.pads)
    assert (balance.on_hand, balance.average_cost) == (D("16.00"), D("25.0000")), "a pick leaves the average alone"
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "stock.pick")).all()) == 2

    with pytest.raises(DomainError) as caught:
        stock.pick(session, scene.clerk, line.id, scene.main.id, "1")
    assert "本次最多还能领0套" in caught.value.message or "本次最多还能领0个" in caught.value.message
    assert "服务顾问" in caught.value.message
    assert scene.balance(scene.pads).on_hand == D("16.00") and len(scene.moves()) == 4


def test_stock_never_goes_negative(session, scene):
    scene.receive(scene.pads, "2", "20")
    order = scene.order((scene.pads, "5"), (scene.filter, "1"))
    pads_line, filter_line = scene.lines(order)
    before = snapshot(session)
    with refusal(session) as caught:
        stock.pick(session, scene.clerk, pads_line.id, scene.main.id, "3")
    assert caught.value.message == "前刹车片（SCP-01）库存不足：主仓库现有2个，本次要领3个；其他仓库也没有"
    with refusal(session) as caught:
        stock.pick(session, scene.clerk, filter_line.id, scene.oil.id, "1")
    assert caught.value.message == "机油滤清器（JL-001）库存不足：油品库现有0个，本次要领1个；其他仓库也没有"
    assert snapshot(session) == before, "a refused pick changes neither stock, ledger nor the line"
    stock.pick(session, scene.clerk, pads_line.id, scene.main.id, "2")
    assert scene.balance(scene.pads).on_hand == D("0.00")


def test_fractional_quantities_add_up_exactly(session, scene):
    """Litres of oil picked a tenth at a time: exact on SQLite too, where numbers are stored as floats."""
    scene.receive(scene.filter, "1", "30")
    order = scene.order((scene.filter, "2"))
    line = scene.lines(order)[0]
    for _ in range(10):
        stock.pick(session, scene.clerk, line.id, scene.main.id, "0.1")
    assert scene.balance(scene.filter).on_hand == D("0.00")
    assert scene.lines(order)[0].picked_quantity == D("1.00")
    with pytest.raises(DomainError, match="现有0个"):
        stock.pick(session, scene.clerk, line.id, scene.main.id, "0.1")
    stock.return_part(session, scene.clerk, line.id, scene.main.id, "0.3")
    assert scene.balance(scene.filter).on_hand == D("0.30")
    stock.pick(session, scene.clerk, line.id, scene.main.id, "0.3")
    assert scene.balance(scene.filter).on_hand == D("0.00")


def test_a_resent_pick_moves_stock_once(session, scene):
    scene.receive(scene.pads, "5", "20")
    order = scene.order((scene.pads, "2"))
    line = scene.lines(order)[0]
    first = stock.pick(session, scene.clerk, line.id, scene.main.id, "1", request_key="tap-1")
    again = stock.pick(session, scene.clerk, line.id, scene.main.id, "1", request_key="tap-1")
    assert again.id == first.id
    assert scene.lines(order)[0].picked_quantity == D("1.00") and scene.balance(scene.pads).on_hand == D("4.00")
    back = stock.return_part(session, scene.clerk, line.id, scene.main.id, "1", request_key="tap-2")
    assert stock.return_part(session, scene.clerk, line.id, scene.main.id, "1", request_key="tap-2").id == back.id
    assert scene.lines(order)[0].returned_quantity == D("1.00") and scene.balance(scene.pads).on_hand == D("5.00")


def test_no_picking_or_returns_on_a_settled_order(session, scene):
    scene.receive(scene.pads, "5", "20")
    order = scene.order((scene.pads, "2"))
    line = scene.lines(order)[0]
    stock.pick(session, scene.clerk, line.id, scene.main.id, "1")
    order = session.get(WorkOrder, order.id)
    order.status = WorkOrderStatus.SETTLED
    session.add(order)
    session.commit()
    before = snapshot(session)
    with pytest.raises(DomainError) as caught:
        stock.pick(session, scene.clerk, line.id, scene.main.id, "1")
    assert caught.value.message == f"工单{order.number}已结算，不能领料"
    with pytest.raises(DomainError) as caught:
        stock.return_part(session, scene.clerk, line.id, scene.main.id, "1")
    assert caught.value.message == f"工单{order.number}已结算，不能退料"
    assert snapshot(session) == before


def test_only_parts_clerks_move_stock(session, shop, scene):
    scene.receive(scene.pads, "5", "20")
    order = scene.order((scene.pads, "2"))
    line = scene.lines(order)[0]
    before = snapshot(session)
    for role in (r for r in Role if r != Role.PARTS_CLERK):
        user = shop.users[role.value]
        with pytest.raises(PermissionDenied):
            stock.receive_stock(session, user, scene.main.id, scene.pads.id, "1", "1")
        with pytest.raises(PermissionDenied):
            stock.pick(session, user, line.id, scene.main.id, "1")
        with pytest.raises(PermissionDenied):
            stock.return_part(session, user, line.id, scene.main.id, "1")
        with pytest.raises(PermissionDenied):
            stock.pending_work(session, user)
    for call in (lambda: stock.pick(session, None, line.id, scene.main.id, "1"),
                 lambda: stock.receive_stock(session, None, scene.main.id, scene.pads.id, "1", "1")):
        with pytest.raises(PermissionDenied, match="请先登录"):
            call()
    other_clerk = User(username="otherclerk", display_name="外店库管", password_hash=password_hash(),
                       role=Role.PARTS_CLERK, branch_id=shop.other_branch.id)
    session.add(other_clerk)
    session.commit()
    with pytest.raises(NotFound):
        stock.pick(session, other_clerk, line.id, scene.main.id, "1")
    with pytest.raises(FormErrors):
        stock.receive_stock(session, other_clerk, scene.main.id, scene.pads.id, "1", "1")
    disabled = session.get(User, scene.clerk.id)
    disabled.is_active = False
    session.add(disabled)
    session.commit()
    with pytest.raises(PermissionDenied):
        stock.pick(session, disabled, line.id, scene.main.id, "1")
    assert snapshot(session) == before


# --- returns ----------------------------------------------------------------------------------------------------


def test_returns_come_back_at_the_cost_they_left_at(session, scene):
    scene.receive(scene.pads, "10", "20")
    order = scene.order((scene.pads, "4"))
    line = scene.lines(order)[0]
    stock.pick(session, scene.clerk, line.id, scene.main.id, "2")
    scene.receive(scene.pads, "10", "40")  # average now (8×20 + 10×40) / 18 = 31.1111
    assert scene.balance(scene.pads).average_cost == D("31.1111")
    move = stock.return_part(session, scene.clerk, line.id, scene.main.id, "1")
    assert (move.kind, move.quantity, move.unit_cost) == (StockMoveKind.RETURN, D("1.00"), D("20.0000"))
    balance = scene.balance(scene.pads)
    assert balance.on_hand == D("19.00")
    assert balance.average_cost == stock.moving_average(D("18"), D("31.1111"), D("1"), D("20")) == D("30.5263")
    line = scene.lines(order)[0]
    assert (line.picked_quantity, line.returned_quantity) == (D("2.00"), D("1.00"))

    with pytest.raises(DomainError) as caught:
        stock.return_part(session, scene.clerk, line.id, scene.main.id, "2")
    assert caught.value.message == "前刹车片已领2、已退1，最多还能退1个"
    # A return into another warehouse starts its balance there.
    stock.return_part(session, scene.clerk, line.id, scene.oil.id, "1")
    assert (scene.balance(scene.pads, scene.oil).on_hand, scene.balance(scene.pads, scene.oil).average_cost) == (
        D("1.00"), D("20.0000"))


def test_a_line_may_be_picked_again_up_to_its_quantity_net_of_returns(session, scene):
    scene.receive(scene.pads, "10", "20")
    order = scene.order((scene.pads, "2"))
    line = scene.lines(order)[0]
    stock.pick(session, scene.clerk, line.id, scene.main.id, "2")
    stock.return_part(session, scene.clerk, line.id, scene.main.id, "1")
    stock.pick(session, scene.clerk, line.id, scene.main.id, "1")
    with pytest.raises(DomainError, match="本次最多还能领0"):
        stock.pick(session, scene.clerk, line.id, scene.main.id, "1")
    line = scene.lines(order)[0]
    assert (line.picked_quantity, line.returned_quantity) == (D("3.00"), D("1.00"))
    assert scene.balance(scene.pads).on_hand == D("8.00")


# --- requests, the clerk's list, codes ----------------------------------------------------------------------------


def test_picking_a_requested_part_closes_the_request_once_fully_picked(session, shop, scene):
    scene.receive(scene.pads, "10", "20")
    order = scene.order()
    job = session.exec(select(JobLine).where(JobLine.work_order_id == order.id)).one()
    session.add(JobAssignment(branch_id=shop.branch.id, job_line_id=job.id, technician_id=shop.technician.id,
                              share_percent=D("100"), assigned_by_id=shop.advisor.id))
    session.commit()
    request = pick_requests.request_part(session, shop.technician, job.id, scene.pads.id, "2", "左前片磨损")
    pending = stock.pending_work(session, scene.clerk)
    assert [(p.order.id, [r.id for r in p.requests], [line.id for line in p.lines]) for p in pending] == [
        (order.id, [request.id], [request.part_line_id])]
    stock.pick(session, scene.clerk, request.part_line_id, scene.main.id, "1")
    assert session.get(PickRequest, request.id).status == PickRequestStatus.OPEN
    stock.pick(session, scene.clerk, request.part_line_id, scene.main.id, "1")
    session.expire_all()
    assert session.get(PickRequest, request.id).status == PickRequestStatus.DONE
    assert pick_requests.open_requests(session, scene.clerk) == []
    assert stock.pending_work(session, scene.clerk) == []
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "pick_request.done")).one().entity_id == \
        request.id


def test_pending_work_lists_workable_orders_with_lines_still_to_pick(session, scene):
    scene.receive(scene.filter, "10", "20")
    waiting = scene.order((scene.pads, "2"), (scene.filter, "1"))
    done = scene.order((scene.filter, "1"))
    scene.order((scene.pads, "1"), status=WorkOrderStatus.SETTLED)
    scene.order((scene.pads, "1"), status=WorkOrderStatus.CANCELLED)
    stock.pick(session, scene.clerk, scene.lines(done)[0].id, scene.main.id, "1")
    stock.pick(session, scene.clerk, scene.lines(waiting)[1].id, scene.main.id, "1")
    pending = stock.pending_work(session, scene.clerk)
    assert [(p.order.id, [line.part_code for line in p.lines]) for p in pending] == [(waiting.id, ["SCP-01"])]
    assert pending[0].vehicle.plate == scene.vehicle.plate


def test_each_line_picks_from_its_own_warehouse(session, scene):
    """The part's home warehouse when it holds what the line still needs, else the one holding the most."""
    scene.pads.default_warehouse_id = scene.oil.id  # home is the oil store, which has no brake pads
    scene.filter.default_warehouse_id = scene.oil.id
    session.add_all([scene.pads, scene.filter])
    session.commit()
    scene.receive(scene.pads, "6", "20")
    scene.receive(scene.filter, "1", "10", warehouse=scene.oil)
    scene.receive(scene.filter, "5", "10")
    order = scene.order((scene.pads, "2"), (scene.filter, "1"))
    pads, oil_filter = scene.lines(order)
    listing = stock.pick_list(session, scene.clerk, order.id)
    assert [w.name for w in listing.warehouses] == ["主仓库", "油品库"]
    assert listing.default_warehouse == {pads.id: scene.main.id, oil_filter.id: scene.oil.id}, \
        "pads from where they are, the filter from its home (enough there though the main store has more)"
    second = scene.order((scene.filter, "2"))
    assert stock.pick_list(session, scene.clerk, second.id).default_warehouse == {
        scene.lines(second)[0].id: scene.main.id}, "home short of the 2 needed: the warehouse with the most"

    assert stock.default_pick_warehouse(None, D(1), {}, [5, 7]) == 5, "nothing anywhere: the first warehouse"
    assert stock.default_pick_warehouse(7, D(1), {}, [5, 7]) == 7, "nothing anywhere: the home warehouse"
    assert stock.default_pick_warehouse(9, D(1), {5: D(1), 7: D(1)}, [5, 7]) == 5, "home not in the branch: first"
    assert stock.default_pick_warehouse(7, D(3), {5: D(2), 7: D(2)}, [5, 7]) == 7, "a tie keeps the home"
    assert stock.default_pick_warehouse(None, D(1), {}, []) is None


def test_a_shortage_names_where_else_the_part_is(session, scene):
    extra = stock.create_warehouse(session, scene.clerk, "BJ", "备件库")
    scene.receive(scene.pads, "6", "20")
    scene.receive(scene.pads, "2", "20", warehouse=extra)
    order = scene.order((scene.pads, "2"))
    line = scene.lines(order)[0]
    with refusal(session) as caught:
        stock.pick(session, scene.clerk, line.id, scene.oil.id, "2")
    assert caught.value.message == "前刹车片（SCP-01）库存不足：油品库现有0个，本次要领2个；主仓库有6个、备件库有2个"
    stock.pick(session, scene.clerk, line.id, scene.main.id, "2")
    assert scene.balance(scene.pads).on_hand == D("4.00") and scene.balance(scene.pads, scene.oil) is None


def test_a_typed_or_scanned_code_finds_the_orders_line(session, scene):
    scene.receive(scene.filter, "10", "20")
    order = scene.order((scene.pads, "1"), (scene.filter, "1"), (scene.filter, "1"))
    pads, first_filter, second_filter = scene.lines(order)
    assert stock.find_pick_line(session, scene.clerk, order.id, " scp-01 ").id == pads.id
    assert stock.find_pick_line(session, scene.clerk, order.id, "JL-001").id == first_filter.id
    stock.pick(session, scene.clerk, first_filter.id, scene.main.id, "1")
    assert stock.find_pick_line(session, scene.clerk, order.id, "JL-001").id == second_filter.id, \
        "the line still to pick wins"
    with pytest.raises(DomainError) as caught:
        stock.find_pick_line(session, scene.clerk, order.id, "HHS-9")
    assert caught.value.message == f"工单{order.number}没有编码为HHS-9的配件"
    with pytest.raises(DomainError, match="请输入或扫描配件编码"):
        stock.find_pick_line(session, scene.clerk, order.id, "  ")
    with pytest.raises(PermissionDenied):
        stock.find_pick_line(session, scene.shop.advisor, order.id, "JL-001")


def test_on_hand_per_part_and_warehouse(session, shop, scene):
    scene.receive(scene.pads, "3", "20")
    scene.receive(scene.pads, "1", "20", warehouse=scene.oil)
    scene.receive(scene.filter, "7", "10", warehouse=scene.oil)
    rows = stock.on_hand(session, shop.advisor)
    assert [(r.part.code, r.warehouse.code, r.on_hand) for r in rows] == [
        ("JL-001", "OIL", D("7.00")), ("SCP-01", "MAIN", D("3.00")), ("SCP-01", "OIL", D("1.00"))]
    assert [r.warehouse.code for r in stock.on_hand(session, shop.advisor, part_id=scene.pads.id)] == ["MAIN", "OIL"]
    assert [r.part.code for r in stock.on_hand(session, shop.advisor, warehouse_id=scene.oil.id)] == ["JL-001",
                                                                                                       "SCP-01"]
    assert stock.on_hand(session, shop.other_branch_advisor) == []
    with pytest.raises(PermissionDenied):
        stock.on_hand(session, shop.technician)


def test_the_ledger_rebuilds_the_balances(session, shop, scene):
    scene.receive(scene.pads, "10", "20", kind="opening")
    scene.receive(scene.pads, "3", "27.35", warehouse=scene.oil)
    order = scene.order((scene.pads, "6"), (scene.filter, "2"))
    pads, filters = scene.lines(order)
    stock.pick(session, scene.clerk, pads.id, scene.main.id, "4")
    scene.receive(scene.pads, "7", "31.17")
    stock.pick(session, scene.clerk, pads.id, scene.oil.id, "2")
    stock.return_part(session, scene.clerk, pads.id, scene.main.id, "1.5")
    scene.receive(scene.filter, "5", "12.5")
    stock.pick(session, scene.clerk, filters.id, scene.main.id, "2")
    kept = {(b.part_id, b.warehouse_id): (b.on_hand, b.average_cost)
            for b in session.exec(select(StockBalance)).all()}
    assert stock.ledger_balances(session, shop.branch.id) == kept
    assert stock.rebuild_balances(session, shop.branch.id) == [], "balances kept in step need no repair"

    broken = scene.balance(scene.pads)
    broken.on_hand = D("99.00")
    session.add(broken)
    session.commit()
    assert stock.rebuild_balances(session, shop.branch.id) == [(scene.pads.id, scene.main.id, D("99.00"),
                                                                kept[(scene.pads.id, scene.main.id)][0])]
    session.expire_all()
    assert {(b.part_id, b.warehouse_id): (b.on_hand, b.average_cost)
            for b in session.exec(select(StockBalance)).all()} == kept
    ledger_sum = session.exec(select(func.sum(StockMove.quantity)).where(StockMove.part_id == scene.pads.id)).one()
    assert D(str(ledger_sum)).quantize(D("0.01")) == D("15.50")  # 10 + 3 + 7 − 4 − 2 + 1.5


# --- racing clerks ------------------------------------------------------------------------------------------------


def _race(scene: Scene, engine, attempts: list[tuple[int, int, str]]) -> tuple[list[str], list[str]]:
    """Each attempt (part line, warehouse, quantity) on its own thread and session (one unit of work each), all
    released at once, after the scene is committed for them to see."""
    scene.session.commit()
    clerk_id = scene.clerk.id
    barrier = threading.Barrier(len(attempts))
    ok, refused, lock = [], [], threading.Lock()

    def run(index, line_id, warehouse_id, quantity):
        with Session(engine, expire_on_commit=False) as own:
            actor = own.get(User, clerk_id)
            barrier.wait()
            try:
                stock.pick(own, actor, line_id, warehouse_id, quantity, request_key=f"race-{index}")
                own.commit()
                outcome, text = ok, str(index)
            except DomainError as error:
                outcome, text = refused, error.message
        with lock:
            outcome.append(text)

    threads = [threading.Thread(target=run, args=(i, *attempt)) for i, attempt in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return ok, refused


RACERS = 12


def test_racing_clerks_cannot_take_more_than_the_last_units(engine, session, scene):
    scene.receive(scene.pads, "5", "20")
    orders = [scene.order((scene.pads, "1")) for _ in range(RACERS)]
    attempts = [(scene.lines(order)[0].id, scene.main.id, "1") for order in orders]

    ok, refused = _race(scene, engine, attempts)

    assert len(ok) == 5 and len(refused) == RACERS - 5
    assert all("库存不足" in message for message in refused), refused
    balance = scene.balance(scene.pads)
    assert balance.on_hand == D("0.00")
    moves = scene.moves()
    assert sum(m.quantity for m in moves) == balance.on_hand
    assert len([m for m in moves if m.kind == StockMoveKind.PICK]) == 5
    assert sum(line.picked_quantity for order in orders for line in scene.lines(order)) == D("5.00")
    assert stock.rebuild_balances(session, scene.shop.branch.id) == []


def test_racing_clerks_cannot_pick_one_line_beyond_its_quantity(engine, session, scene):
    scene.receive(scene.pads, "50", "20")
    order = scene.order((scene.pads, "3"))
    line = scene.lines(order)[0]

    ok, refused = _race(scene, engine, [(line.id, scene.main.id, "1")] * RACERS)

    assert len(ok) == 3 and len(refused) == RACERS - 3
    assert scene.lines(order)[0].picked_quantity == D("3.00")
    assert scene.balance(scene.pads).on_hand == D("47.00")
    assert sum(m.quantity for m in scene.moves()) == D("47.00")


def test_demo_stock_agrees_with_its_ledger(session):
    from lantong_pwa.services.platform.demo import seed_demo
    from models import Branch

    assert seed_demo(session)
    branch = session.exec(select(Branch)).one()
    assert sorted(w.name for w in session.exec(select(Warehouse)).all()) == ["主仓库", "油品库"]
    balances = {(b.part_id, b.warehouse_id): (b.on_hand, b.average_cost)
                for b in session.exec(select(StockBalance)).all()}
    assert len(balances) == 10 and all(on_hand > 0 for on_hand, _ in balances.values())
    assert stock.ledger_balances(session, branch.id) == balances


def _ledger_state(session, warehouse_id):
    session.expire_all()
    balances = {b.part_id: (b.on_hand, b.average_cost) for b in session.exec(
        select(StockBalance).where(StockBalance.warehouse_id == warehouse_id))}
    moves = [(m.part_id, m.quantity, m.unit_cost, m.value_change) for m in session.exec(
        select(StockMove).where(StockMove.warehouse_id == warehouse_id, StockMove.document_type == "test")
        .order_by(StockMove.id))]
    return balances, moves


def test_a_batched_post_moves_exactly_what_one_post_per_line_would(session, scene):
    """post_batch (a count sheet's variances) against post_in/post_out line by line, on twin warehouses: the same
    balances, averages, move costs and value changes to the fen, including a part the warehouse never held."""
    oil_pads = add_part(session, scene.shop.branch.id, code="NEW-01", name="新配件", price="9.00")
    for warehouse in (scene.main, scene.oil):
        for part, qty, cost in ((scene.pads, "7", "101.37"), (scene.filter, "3", "12.3333")):
            stock.receive_stock(session, scene.clerk, warehouse.id, part.id, qty, cost)
    lines = [stock.BatchLine(scene.pads.id, D("-2"), D("0"), "前刹车片"),
             stock.BatchLine(scene.filter.id, D("4"), D("13.0001"), "机油滤清器"),
             stock.BatchLine(oil_pads.id, D("5"), D("8.1234"), "新配件")]
    common = dict(branch_id=scene.shop.branch.id, kind=StockMoveKind.STOCKTAKE, document=("test", 1))
    for line in lines:
        if line.quantity > 0:
            stock.post_in(session, scene.clerk, warehouse_id=scene.main.id, part_id=line.part_id,
                          quantity=line.quantity, unit_cost=line.unit_cost, **common)
        else:
            stock.post_out(session, scene.clerk, warehouse_id=scene.main.id, part_id=line.part_id,
                           quantity=-line.quantity, what=line.what, **common)
    posted = stock.post_batch(session, scene.clerk, warehouse_id=scene.oil.id, lines=lines, doing="盘亏", **common)
    session.commit()
    assert [m.id is not None for m in posted] == [True] * 3
    assert _ledger_state(session, scene.main.id) == _ledger_state(session, scene.oil.id)
    balances, moves = _ledger_state(session, scene.oil.id)
    assert balances[scene.pads.id] == (D("5.00"), D("101.3700"))
    assert moves[0][1:] == (D("-2.00"), D("101.3700"), D("-202.74"))


def test_a_batch_with_one_part_short_moves_nothing(session, scene):
    stock.receive_stock(session, scene.clerk, scene.main.id, scene.pads.id, "2", "100")
    session.commit()
    before = _ledger_state(session, scene.main.id)
    with pytest.raises(DomainError) as refused:
        stock.post_batch(session, scene.clerk, branch_id=scene.shop.branch.id, warehouse_id=scene.main.id,
                         kind=StockMoveKind.STOCKTAKE, document=("test", 1), doing="盘亏",
                         lines=[stock.BatchLine(scene.filter.id, D("1"), D("5"), "机油滤清器"),
                                stock.BatchLine(scene.pads.id, D("-3"), D("0"), "前刹车片")])
    session.rollback()
    assert refused.value.message == "前刹车片库存不足：主仓库现有2，本次要盘亏3"
    assert _ledger_state(session, scene.main.id) == before
