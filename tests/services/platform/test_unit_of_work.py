"""One transaction per request (issue 12): services only flush, so two of them compose into one unit of work that
commits whole or not at all; a read scope never writes, and the printable settlement sheet is such a read."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlmodel import Session, func, select

from lantong_pwa.db import ReadOnlySessionError, read_scope, unit_of_work
from lantong_pwa.errors import DomainError
from lantong_pwa.services.cashier import settlement
from lantong_pwa.services.parts import stock
from models import AuditEvent, Branch, FollowUp, Settlement, StockBalance, StockMove, User, Warehouse, WorkOrderStatus
from state.cashier.cashier import SettlementSheetState
from tests.factories import add_part
from tests.services.cashier.test_settlement import make_order, settled_order
from tests.state.harness import changed_tables, db_snapshot, drive, make_state, token_for

MIGRATION = Path(__file__).resolve().parents[3] / "alembic/versions/20261203_0008_follow_up_made_at_settling.py"


def count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def receive_then_settle(shop, part_id: int, order_id: int) -> None:
    """A goods-in and a settlement in one unit: the clerk's warehouse and receipt first, then the settlement."""
    with unit_of_work() as s:
        clerk = s.get(User, shop.parts_clerk.id)
        warehouse = stock.create_warehouse(s, clerk, "MAIN", "主仓库")
        stock.receive_stock(s, clerk, warehouse.id, part_id, "5", "20.00", request_key="composed")
        assert count(s, StockMove) == 1, "the receipt is flushed: the rest of the unit sees it"
        settlement.settle(s, s.get(User, shop.cashier.id), order_id)


def test_a_refused_second_service_leaves_nothing_of_the_first(app_engine, session, shop):
    part = add_part(session, shop.branch.id)
    unfinished = make_order(session, shop, status=WorkOrderStatus.IN_PROGRESS, plate="粤B00001")
    audit_rows = count(session, AuditEvent)

    with pytest.raises(DomainError, match="完工后才能结算"):
        receive_then_settle(shop, part.id, unfinished.id)

    session.expire_all()
    assert (count(session, Warehouse), count(session, StockMove), count(session, StockBalance)) == (0, 0, 0)
    assert count(session, AuditEvent) == audit_rows, "not even the receipt's audit rows were kept"
    assert count(session, Settlement) == 0


def test_the_same_unit_commits_both_when_both_go_through(app_engine, session, shop):
    part = add_part(session, shop.branch.id)
    completed = make_order(session, shop, status=WorkOrderStatus.COMPLETED, plate="粤B00002")

    receive_then_settle(shop, part.id, completed.id)

    with Session(app_engine) as other:  # what any other request now sees
        assert count(other, StockMove) == 1
        assert other.exec(select(StockBalance.on_hand)).one() == 5
        assert [s.work_order_id for s in other.exec(select(Settlement)).all()] == [completed.id]


def test_a_read_scope_refuses_to_write(app_engine, session, shop):
    before = db_snapshot(app_engine)
    with read_scope() as s:
        branch = s.get(Branch, shop.branch.id)
        branch.name = "改名"
        with pytest.raises(ReadOnlySessionError):
            s.flush()
    with pytest.raises(ReadOnlySessionError), read_scope() as s:
        stock.create_warehouse(s, s.get(User, shop.parts_clerk.id), "MAIN", "主仓库")
    assert db_snapshot(app_engine) == before


def test_rows_a_read_returns_stay_readable_after_it(app_engine, session, shop):
    with read_scope() as s:
        branch = s.get(Branch, shop.branch.id)
    assert branch.name == "测试店"


# --- the printable settlement sheet only reads ------------------------------------------------------------------


def open_sheet(token: str, number: str) -> SettlementSheetState:
    sheet = make_state(SettlementSheetState, token=token,
                       path=f"/settlements/{number}/print", route="/settlements/[settlement_no]/print",
                       query={"settlement_no": number})
    drive(sheet.load())
    return sheet


def test_opening_the_settlement_sheet_changes_nothing(app_engine, session, shop):
    order = settled_order(session, shop)
    number = session.exec(select(Settlement.number).where(Settlement.work_order_id == order.id)).one()
    assert session.exec(select(FollowUp).where(FollowUp.work_order_id == order.id)).one().due_on is None, \
        "settling made the follow-up whose link the sheet prints (due once the order closes)"
    token = token_for(session, shop.cashier)
    session.commit()
    before = db_snapshot(app_engine)

    sheet = open_sheet(token, number)

    assert sheet.found and sheet.error == "" and sheet.follow_up_qr.startswith("data:image/png;base64,")
    after = db_snapshot(app_engine)
    assert changed_tables(before, after) == {}
    assert len(after["audit_event"]) == len(before["audit_event"])


def test_orders_settled_before_settling_made_follow_ups_get_theirs_from_the_migration(app_engine, session, shop):
    settled = settled_order(session, shop, plate="粤B00003")
    closed_without = settled_order(session, shop, plate="粤B00004")
    kept = settled_order(session, shop, plate="粤B00005")
    for order in (settled, closed_without):  # as an older version left them: the sheet made them when opened
        session.delete(session.exec(select(FollowUp).where(FollowUp.work_order_id == order.id)).one())
    make_order(session, shop, status=WorkOrderStatus.COMPLETED, plate="粤B00006")
    closed_without.status = WorkOrderStatus.CLOSED
    session.add(closed_without)
    session.commit()
    kept_link = session.exec(select(FollowUp.link_nonce).where(FollowUp.work_order_id == kept.id)).one()

    spec = importlib.util.spec_from_file_location("follow_up_at_settling", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app_engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        migration.upgrade()

    session.expire_all()
    follow_ups = {f.work_order_id: f for f in session.exec(select(FollowUp)).all()}
    assert set(follow_ups) == {settled.id, closed_without.id, kept.id}, "orders not yet settled get none"
    assert follow_ups[kept.id].link_nonce == kept_link
    assert len({f.link_nonce for f in follow_ups.values()}) == 3
    token = token_for(session, shop.cashier)
    session.commit()
    assert open_sheet(token, session.exec(select(Settlement.number).where(
        Settlement.work_order_id == settled.id)).one()).follow_up_qr


def test_text_longer_than_its_column_is_refused_with_a_message_on_every_engine(session, shop):
    """The length cap under every text field: PostgreSQL would raise an error and SQLite keep the text."""
    from models import Customer

    session.add(Customer(branch_id=shop.branch.id, name="长" * 65, mobile="13800138000"))
    with pytest.raises(DomainError) as caught:
        session.flush()
    assert (caught.value.message, caught.value.field) == ("输入内容过长（不能超过64字）", "name")
    session.rollback()
    session.add(Customer(branch_id=shop.branch.id, name="长" * 64, mobile="13800138000"))
    session.flush()
