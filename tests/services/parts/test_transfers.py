"""Transfers (调拨, P11): one step within a branch, two steps between branches with partial receipts, the cost
travelling with the goods, never receiving more than was shipped (raced), write-offs in transit, the invariant
shipped = received + in transit + written off, requests shipped against, and who sees and does what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.parts import catalogue, stock, stock_report, transfers
from lantong_pwa.services.parts.transfers import Action, LineInput
from models import (
    AuditEvent,
    Part,
    PartBarcode,
    Role,
    StockBalance,
    StockMove,
    StockMoveKind,
    Transfer,
    TransferLine,
    TransferStatus,
    User,
)
from tests.conftest import password_hash, refusal
from tests.factories import add_part
from tests.races import race

D = Decimal
S = TransferStatus


class Chain:
    """Branch A (the test shop) with 主仓库 and 油品库, branch B with its own warehouse, clerks and a manager each."""

    def __init__(self, session, shop):
        self.session = session
        self.shop = shop
        self.a, self.b = shop.branch, shop.other_branch
        self.clerk_a = shop.parts_clerk
        self.manager_a = shop.manager
        self.clerk_b = self._user("clerkb", Role.PARTS_CLERK, self.b.id)
        self.manager_b = self._user("managerb", Role.MANAGER, self.b.id)
        self.admin = shop.admin
        self.main_a = stock.create_warehouse(session, self.clerk_a, "MAIN", "主仓库")
        self.oil_a = stock.create_warehouse(session, self.clerk_a, "OIL", "油品库")
        self.main_b = stock.create_warehouse(session, self.clerk_b, "MAIN", "B店主仓")
        self.pads_a = add_part(session, self.a.id, code="SCP-01", name="前刹车片", price="420.00", brand="博世",
                               spec="前轮", category="制动")
        self.pads_b = add_part(session, self.b.id, code="SCP-01", name="前刹车片", price="430.00")
        self.oil = add_part(session, self.a.id, code="OIL-5W30", name="机油5W-30", price="68.00")
        stock.receive_stock(session, self.clerk_a, self.main_a.id, self.pads_a.id, "6", "100")
        stock.receive_stock(session, self.clerk_a, self.main_a.id, self.pads_a.id, "4", "150")  # average 120
        stock.receive_stock(session, self.clerk_a, self.main_a.id, self.oil.id, "10", "40")
        session.commit()
        self.keys = 0

    def _user(self, username, role, branch_id) -> User:
        user = User(username=username, display_name=username, password_hash=password_hash(), role=role,
                    branch_id=branch_id)
        self.session.add(user)
        self.session.commit()
        return user

    def key(self) -> str:
        self.keys += 1
        return f"key-{self.keys}"

    def send(self, *lines, to=None, source=None, key=None) -> Transfer:
        transfer = transfers.create_transfer(
            self.session, self.clerk_a, (source or self.main_a).id, (to or self.main_b).id,
            [LineInput(part.id, qty) for part, qty in lines], request_key=key or self.key())
        self.session.commit()
        return transfer

    def lines(self, transfer) -> list[TransferLine]:
        self.session.expire_all()
        return transfers.transfer_lines(self.session, transfer.id)

    def receive(self, transfer, quantities, actor=None, key=None):
        result = transfers.receive(self.session, actor or self.clerk_b, transfer.id, quantities,
                                   request_key=key or self.key())
        self.session.commit()
        return result.transfer

    def balance(self, part, warehouse) -> StockBalance | None:
        self.session.expire_all()
        return self.session.exec(select(StockBalance).where(StockBalance.part_id == part.id,
                                                            StockBalance.warehouse_id == warehouse.id)).first()

    def moves(self, transfer) -> list[StockMove]:
        self.session.expire_all()
        return list(self.session.exec(select(StockMove).where(StockMove.document_type == "transfer",
                                                              StockMove.document_id == transfer.id)
                                      .order_by(StockMove.id)).all())

    def assert_invariant(self, transfer) -> None:
        """shipped = received + in transit + written off, and the ledger agrees with what was received."""
        for line in self.lines(transfer):
            assert line.shipped == line.received + transfers.in_transit(line) + line.written_off
            assert transfers.in_transit(line) >= 0
            arrived = sum((m.quantity for m in self.moves(transfer)
                           if m.kind == StockMoveKind.TRANSFER_IN and m.part_id == line.to_part_id), D(0))
            assert arrived == line.received


@pytest.fixture
def chain(session, shop) -> Chain:
    return Chain(session, shop)


# --- within one branch ------------------------------------------------------------------------------------------


def test_within_a_branch_one_step_moves_out_and_in_at_the_average_cost(chain):
    transfer = chain.send((chain.pads_a, "3"), to=chain.oil_a)
    assert transfer.status == S.RECEIVED and transfer.finished_at is not None
    out, arrived = chain.moves(transfer)
    assert (out.kind, out.quantity, out.unit_cost, out.warehouse_id) == (
        StockMoveKind.TRANSFER_OUT, D("-3"), D("120.0000"), chain.main_a.id)
    assert (arrived.kind, arrived.quantity, arrived.unit_cost, arrived.warehouse_id) == (
        StockMoveKind.TRANSFER_IN, D("3"), D("120.0000"), chain.oil_a.id)
    assert chain.balance(chain.pads_a, chain.main_a).on_hand == D("7")
    landed = chain.balance(chain.pads_a, chain.oil_a)
    assert (landed.on_hand, landed.average_cost) == (D("3"), D("120.0000"))
    line, = chain.lines(transfer)
    assert (line.shipped, line.received, line.unit_cost) == (D("3"), D("3"), D("120.0000"))
    assert transfers.allowed_actions(chain.session, chain.clerk_a, transfer) == [Action.PRINT]
    assert transfer.number.startswith("DB")


def test_the_ledger_report_names_the_transfer_behind_its_moves(chain, session):
    transfer = chain.send((chain.pads_a, "1"), to=chain.oil_a)
    ref = stock_report.documents(session, {("transfer", transfer.id)})[("transfer", transfer.id)]
    assert (ref.label, ref.number, ref.url) == ("调拨单", transfer.number, f"/parts/transfers/{transfer.id}")
    assert transfers.document_url(transfer.id) == ref.url


def test_the_same_warehouse_and_a_shortage_are_refused_and_move_nothing(chain, session):
    with refusal(session, FormErrors) as caught:
        chain.send((chain.pads_a, "1"), to=chain.main_a)
    assert caught.value.errors["to_warehouse_id"] == "调出和调入不能是同一个仓库"
    with refusal(session, DomainError, match="前刹车片（SCP-01）库存不足：主仓库现有10，本次要调出11"):
        chain.send((chain.pads_a, "11"))
    with refusal(session, FormErrors) as caught:
        chain.send((chain.pads_a, "-1"), (chain.oil, "abc"))
    assert set(caught.value.errors) == {"quantity.0", "quantity.1"}
    assert session.exec(select(Transfer)).all() == []
    assert chain.balance(chain.pads_a, chain.main_a).on_hand == D("10")


# --- between branches -------------------------------------------------------------------------------------------


def test_between_branches_goods_travel_in_two_steps_with_partial_receipts_and_their_cost(chain, session):
    transfer = chain.send((chain.pads_a, "5"))
    assert transfer.status == S.IN_TRANSIT and transfer.shipped_by_id == chain.clerk_a.id
    assert chain.balance(chain.pads_a, chain.main_a).on_hand == D("5")
    assert chain.balance(chain.pads_b, chain.main_b) is None  # in transit: in nobody's warehouse
    line, = chain.lines(transfer)
    assert (line.shipped, transfers.in_transit(line), line.unit_cost) == (D("5"), D("5"), D("120.0000"))
    # The sender's average moves on after the goods left: the cost already travelling does not change.
    stock.receive_stock(session, chain.clerk_a, chain.main_a.id, chain.pads_a.id, "5", "200")
    session.commit()
    assert chain.balance(chain.pads_a, chain.main_a).average_cost == D("160.0000")

    transfer = chain.receive(transfer, {line.id: "2"})
    assert transfer.status == S.PARTLY_RECEIVED
    chain.assert_invariant(transfer)
    landed = chain.balance(chain.pads_b, chain.main_b)
    assert (landed.on_hand, landed.average_cost) == (D("2"), D("120.0000"))
    line, = chain.lines(transfer)
    assert (line.received, transfers.in_transit(line), line.to_part_id) == (D("2"), D("3"), chain.pads_b.id)

    transfer = chain.receive(transfer, {line.id: "3"})
    assert transfer.status == S.RECEIVED and transfer.finished_at is not None
    chain.assert_invariant(transfer)
    assert chain.balance(chain.pads_b, chain.main_b).on_hand == D("5")
    ins = [m for m in chain.moves(transfer) if m.kind == StockMoveKind.TRANSFER_IN]
    assert [(m.quantity, m.unit_cost, m.branch_id) for m in ins] == [(D("2"), D("120.0000"), chain.b.id),
                                                                      (D("3"), D("120.0000"), chain.b.id)]
    steps = transfers.transfer_steps(session, transfer.id)
    assert [(s.kind, s.user_id) for s in steps] == [("ship", chain.clerk_a.id), ("receive", chain.clerk_b.id),
                                                    ("receive", chain.clerk_b.id)]


def test_cannot_receive_more_than_is_in_transit(chain, session):
    transfer = chain.send((chain.pads_a, "3"))
    line, = chain.lines(transfer)
    chain.receive(transfer, {line.id: "2"})
    with refusal(session, FormErrors) as caught:
        chain.receive(transfer, {line.id: "2"})
    assert caught.value.errors[f"quantity.{line.id}"] == "前刹车片调出3，已收2，已报损0，最多还能收1"
    with refusal(session, FormErrors) as caught:
        chain.receive(transfer, {})
    assert caught.value.errors == {"lines": "请填写收货数量"}
    line, = chain.lines(transfer)
    assert line.received == D("2")
    assert chain.balance(chain.pads_b, chain.main_b).on_hand == D("2")


def test_the_database_refuses_more_received_than_shipped(chain, session):
    transfer = chain.send((chain.pads_a, "3"))
    line, = chain.lines(transfer)
    with pytest.raises(IntegrityError):
        session.execute(update(TransferLine).where(TransferLine.id == line.id).values(received=D("2"),
                                                                                       written_off=D("2")))
        session.flush()
    session.rollback()


def test_a_manager_writes_off_what_was_lost_in_transit_without_moving_stock(chain, session):
    transfer = chain.send((chain.pads_a, "5"))
    line, = chain.lines(transfer)
    chain.receive(transfer, {line.id: "3"})
    before = len(chain.moves(transfer))
    assert Action.WRITE_OFF not in transfers.allowed_actions(session, chain.clerk_b, transfer)
    assert Action.WRITE_OFF in transfers.allowed_actions(session, chain.manager_b, transfer)
    with refusal(session, PermissionDenied):
        transfers.write_off(session, chain.clerk_b, transfer.id, {line.id: "2"}, "路上摔坏", request_key="w0")
    with refusal(session, DomainError, match="只有调入门店的店长可以报损"):
        transfers.write_off(session, chain.manager_a, transfer.id, {line.id: "2"}, "路上摔坏", request_key="w1")
    with refusal(session, FormErrors) as caught:
        transfers.write_off(session, chain.manager_b, transfer.id, {line.id: "2"}, "", request_key="w2")
    assert caught.value.errors == {"reason": "请填写报损原因"}
    with refusal(session, FormErrors):
        transfers.write_off(session, chain.manager_b, transfer.id, {line.id: "3"}, "路上摔坏", request_key="w3")

    result = transfers.write_off(session, chain.manager_b, transfer.id, {line.id: "2"}, "路上摔坏",
                                 request_key="w4")
    session.commit()
    assert result.transfer.status == S.RECEIVED
    line, = chain.lines(transfer)
    assert (line.shipped, line.received, line.written_off, transfers.in_transit(line)) == (D(5), D(3), D(2), D(0))
    assert len(chain.moves(transfer)) == before  # no warehouse moved
    assert chain.balance(chain.pads_b, chain.main_b).on_hand == D("3")
    chain.assert_invariant(transfer)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "transfer.write_off")).one()
    assert '"value": "240.00"' in event.detail and "路上摔坏" in event.detail
    assert transfers.allowed_actions(session, chain.manager_b, result.transfer) == [Action.PRINT]


def test_the_invariant_holds_through_every_step(chain, session):
    transfer = chain.send((chain.pads_a, "4"), (chain.oil, "6"))
    pads, oil = chain.lines(transfer)
    chain.assert_invariant(transfer)
    chain.receive(transfer, {pads.id: "1", oil.id: "6"})
    chain.assert_invariant(transfer)
    transfers.write_off(session, chain.manager_b, transfer.id, {pads.id: "1"}, "丢失", request_key="w")
    session.commit()
    chain.assert_invariant(transfer)
    transfer = chain.receive(transfer, {pads.id: "2"})
    chain.assert_invariant(transfer)
    assert transfer.status == S.RECEIVED


def test_a_part_the_receiving_branch_lacks_is_created_from_the_senders_entry(chain, session):
    """With the sender's barcodes, except one the receiving branch already prints on another part."""
    session.add_all([PartBarcode(branch_id=chain.a.id, part_id=chain.oil.id, barcode="6900000000017"),
                     PartBarcode(branch_id=chain.a.id, part_id=chain.oil.id, barcode="6900000000024"),
                     PartBarcode(branch_id=chain.b.id, part_id=chain.pads_b.id, barcode="6900000000024")])
    session.commit()
    transfer = chain.send((chain.oil, "4"))
    line, = chain.lines(transfer)
    assert session.exec(select(Part).where(Part.branch_id == chain.b.id, Part.code == "OIL-5W30")).first() is None
    chain.receive(transfer, {line.id: "4"})
    created = session.exec(select(Part).where(Part.branch_id == chain.b.id, Part.code == "OIL-5W30")).one()
    assert (created.name, created.sale_price, created.cost, created.unit) == (
        chain.oil.name, chain.oil.sale_price, chain.oil.cost, chain.oil.unit)
    landed = chain.balance(created, chain.main_b)
    assert (landed.on_hand, landed.average_cost) == (D("4"), D("40.0000"))
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "part.create_from_transfer")).one()
    assert event.branch_id == chain.b.id and event.entity_id == created.id
    assert catalogue.part_by_barcode(session, chain.clerk_b, "6900000000017").id == created.id
    assert catalogue.part_by_barcode(session, chain.clerk_b, "6900000000024").id == chain.pads_b.id


# --- a request shipped against ----------------------------------------------------------------------------------


def test_a_request_is_shipped_by_the_sending_branch_and_received(chain, session):
    request = transfers.request_transfer(session, chain.clerk_b, chain.a.id, chain.main_b.id,
                                         [LineInput(chain.pads_b.id, "4")], note="急用", request_key="req")
    session.commit()
    assert request.status == S.REQUESTED and request.from_warehouse_id is None
    assert transfers.allowed_actions(session, chain.clerk_b, request) == [Action.PRINT, Action.CANCEL]
    assert transfers.allowed_actions(session, chain.clerk_a, request) == [Action.PRINT, Action.SHIP,
                                                                          Action.CANCEL]
    assert [t.id for t in transfers.list_transfers(session, chain.clerk_a, "pending")] == [request.id]
    line, = chain.lines(request)
    with refusal(session, DomainError, match="只有调出门店可以调出"):
        transfers.ship(session, chain.clerk_b, request.id, chain.main_b.id, {line.id: "4"}, request_key="s0")
    shipped = transfers.ship(session, chain.clerk_a, request.id, chain.main_a.id, {line.id: "3"},
                             request_key="s1").transfer
    session.commit()
    assert shipped.status == S.IN_TRANSIT and shipped.from_warehouse_id == chain.main_a.id
    line, = chain.lines(request)
    assert (line.requested, line.shipped, line.unit_cost) == (D("4"), D("3"), D("120.0000"))
    transfer = chain.receive(request, {line.id: "3"})
    assert transfer.status == S.RECEIVED
    assert chain.balance(chain.pads_b, chain.main_b).on_hand == D("3")


def test_a_request_can_be_cancelled_only_before_shipping(chain, session):
    request = transfers.request_transfer(session, chain.clerk_b, chain.a.id, chain.main_b.id,
                                         [LineInput(chain.pads_b.id, "1")], request_key="req")
    session.commit()
    cancelled = transfers.cancel(session, chain.clerk_b, request.id, request_key="c1").transfer
    session.commit()
    assert cancelled.status == S.CANCELLED
    line, = chain.lines(request)
    with refusal(session, DomainError, match="已取消，不能调出"):
        transfers.ship(session, chain.clerk_a, request.id, chain.main_a.id, {line.id: "1"}, request_key="s")
    shipped = chain.send((chain.pads_a, "1"))
    with refusal(session, DomainError, match="在途，不能取消"):
        transfers.cancel(session, chain.clerk_a, shipped.id, request_key="c2")


def test_a_request_from_the_own_branch_or_for_another_branchs_part_is_refused(chain, session):
    with refusal(session, FormErrors) as caught:
        transfers.request_transfer(session, chain.clerk_b, chain.b.id, chain.main_b.id,
                                   [LineInput(chain.pads_a.id, "1")], request_key="r")
    assert caught.value.errors == {"from_branch_id": "本店仓库之间直接调拨，无需申请",
                                   "part_id.0": "请选择本店配件目录中的配件"}


def test_the_prefilled_request_link_names_part_quantity_and_branch(chain, session):
    url = transfers.request_url("SCP-01", D("4"), chain.a.id)
    assert url == f"/parts/transfers?tab=request&part=SCP-01&quantity=4&from={chain.a.id}"
    assert transfers.part_for_request(session, chain.clerk_b, "scp-01").id == chain.pads_b.id


# --- who sees and does what -------------------------------------------------------------------------------------


def test_a_clerk_sees_transfers_from_or_to_their_branch_and_head_office_sees_all(chain, session, shop):
    between = chain.send((chain.pads_a, "1"))
    inside = chain.send((chain.pads_a, "1"), to=chain.oil_a)
    third = type(chain.b)(code="T03", name="第三家店")
    session.add(third)
    session.commit()
    stranger = chain._user("clerkc", Role.PARTS_CLERK, third.id)
    assert [t.id for t in transfers.list_transfers(session, chain.clerk_b, "transit")] == [between.id]
    assert [t.id for t in transfers.list_transfers(session, chain.clerk_a, "done")] == [inside.id]
    assert transfers.list_transfers(session, stranger, "transit") == []
    with pytest.raises(NotFound):
        transfers.get_transfer(session, stranger, between.id)
    with pytest.raises(NotFound):
        transfers.get_transfer(session, chain.clerk_b, inside.id)
    assert transfers.allowed_actions(session, stranger, between) == []
    assert [t.id for t in transfers.list_transfers(session, chain.admin, "transit")] == [between.id]
    assert transfers.get_transfer(session, chain.admin, inside.id).id == inside.id
    with pytest.raises(PermissionDenied):
        transfers.list_transfers(session, shop.technician, "transit")


def test_only_the_receiving_branchs_clerk_receives(chain, session, shop):
    transfer = chain.send((chain.pads_a, "2"))
    line, = chain.lines(transfer)
    assert Action.RECEIVE not in transfers.allowed_actions(session, chain.clerk_a, transfer)
    assert Action.RECEIVE in transfers.allowed_actions(session, chain.clerk_b, transfer)
    with refusal(session, DomainError, match="只有调入门店可以收货"):
        chain.receive(transfer, {line.id: "1"}, actor=chain.clerk_a)
    with refusal(session, PermissionDenied):
        chain.receive(transfer, {line.id: "1"}, actor=chain.manager_b)
    with refusal(session, PermissionDenied):
        transfers.create_transfer(session, shop.advisor, chain.main_a.id, chain.main_b.id,
                                  [LineInput(chain.pads_a.id, "1")])
    with refusal(session, FormErrors) as caught:
        transfers.create_transfer(session, chain.clerk_b, chain.main_a.id, chain.main_b.id,
                                  [LineInput(chain.pads_a.id, "1")], request_key="x")
    assert caught.value.errors["from_warehouse_id"] == "请选择本店的仓库"


# --- resends ----------------------------------------------------------------------------------------------------


def test_resent_forms_change_nothing(chain, session):
    first = chain.send((chain.pads_a, "2"), key="same")
    again = chain.send((chain.pads_a, "2"), key="same")
    assert again.id == first.id
    assert chain.balance(chain.pads_a, chain.main_a).on_hand == D("8")
    line, = chain.lines(first)
    chain.receive(first, {line.id: "1"}, key="r1")
    resent = transfers.receive(session, chain.clerk_b, first.id, {line.id: "1"}, request_key="r1")
    session.commit()
    assert resent.resent
    line, = chain.lines(first)
    assert line.received == D("1")
    transfers.write_off(session, chain.manager_b, first.id, {line.id: "1"}, "丢失", request_key="w")
    session.commit()
    # The transfer is done now: a resent write-off or receipt is still answered as done, not refused.
    assert transfers.write_off(session, chain.manager_b, first.id, {line.id: "1"}, "丢失",
                               request_key="w").resent
    assert transfers.receive(session, chain.clerk_b, first.id, {line.id: "1"}, request_key="r1").resent
    line, = chain.lines(first)
    assert (line.received, line.written_off) == (D("1"), D("1"))
    assert len([m for m in chain.moves(first) if m.kind == StockMoveKind.TRANSFER_IN]) == 1


# --- racing clerks ----------------------------------------------------------------------------------------------


def test_two_clerks_receiving_the_last_units_at_once_take_them_once(app_engine, session, shop):
    chain = Chain(session, shop)
    transfer = chain.send((chain.pads_a, "3"))
    line, = chain.lines(transfer)
    chain.receive(transfer, {line.id: "1"})
    other_clerk = chain._user("clerkb2", Role.PARTS_CLERK, chain.b.id)
    results = race([lambda db, who=who, i=i: transfers.receive(db, who, transfer.id, {line.id: "2"},
                                                               request_key=f"race-{i}")
                    for i, who in enumerate((chain.clerk_b, other_clerk, chain.clerk_b, other_clerk))])
    won = [r for r in results if isinstance(r, transfers.StepResult)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 3
    line, = chain.lines(transfer)
    assert (line.received, transfers.in_transit(line)) == (D("3"), D("0"))
    assert chain.balance(chain.pads_b, chain.main_b).on_hand == D("3")
    chain.assert_invariant(transfer)
