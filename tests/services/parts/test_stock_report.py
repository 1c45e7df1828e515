"""进销存 (P9): each kind in its column, the period in Shanghai days, one warehouse or all, the detail's documents,
values that reconcile to the fen, and a generated history whose closing is the balances exactly."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import select

from lantong_pwa.errors import DomainError, PermissionDenied
from lantong_pwa.services.parts import purchase_returns, receiving, stock, stock_report
from lantong_pwa.services.parts.purchase_returns import ReturnLineInput
from lantong_pwa.services.parts.receiving import ReceiptForm, ReceiptLineInput
from lantong_pwa.services.platform import integrity
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from lantong_pwa.timezone import local_day
from models import PartLine, StockBalance, StockMove, StockMoveKind, Supplier
from models.common import utc_now
from tests.factories import add_part, add_vehicle

D = Decimal
K = StockMoveKind


class Store:
    """Two warehouses, three parts, a supplier and a vehicle; stock moved only through the services."""

    def __init__(self, session, shop):
        self.session, self.shop = session, shop
        self.clerk, self.manager = shop.parts_clerk, shop.manager
        self.main = stock.create_warehouse(session, self.clerk, "RM", "主仓库")
        self.oil = stock.create_warehouse(session, self.clerk, "RO", "油品库")
        self.pads = add_part(session, shop.branch.id, code="LG-PAD", name="前刹车片", price="420.00")
        self.filter = add_part(session, shop.branch.id, code="LG-FLT", name="机油滤清器", price="58.00")
        self.oil_part = add_part(session, shop.branch.id, code="LG-OIL", name="机油", price="80.00")
        self.vehicle = add_vehicle(session, shop.branch.id)
        self.supplier = Supplier(branch_id=shop.branch.id, code="LGS1", name="华南汽配")
        session.add(self.supplier)
        session.commit()

    def receive(self, warehouse, *lines):
        """A goods receipt over the counter: ``lines`` (part, quantity, price)."""
        done = receiving.receive(self.session, self.clerk, ReceiptForm(
            lines=[ReceiptLineInput(part_id=p.id, quantity=str(q), unit_price=str(c)) for p, q, c in lines],
            supplier_id=self.supplier.id, warehouse_id=warehouse.id, request_key=str(uuid.uuid4())))
        self.session.commit()
        return done

    def return_to_supplier(self, receipt, line, quantity):
        done = purchase_returns.create_return(self.session, self.clerk, receipt.receipt.id,
                                              [ReturnLineInput(receipt_line_id=line.id, quantity=str(quantity))],
                                              reason="质量问题", request_key=str(uuid.uuid4()))
        self.session.commit()
        return done

    def order_line(self, part, quantity) -> PartLine:
        order = work_orders.open_work_order(self.session, self.shop.advisor, OrderForm(
            vehicle_id=self.vehicle.id, mileage_in="1000", fuel_level=2, complaint="保养",
            job_lines=[JobLineInput(name="保养", hours="1", rate="100")],
            part_lines=[PartLineInput(part_id=part.id, quantity=str(quantity))]))
        self.session.commit()
        return self.session.exec(select(PartLine).where(PartLine.work_order_id == order.id)).one()

    def pick(self, line, warehouse, quantity):
        move = stock.pick(self.session, self.clerk, line.id, warehouse.id, str(quantity))
        self.session.commit()
        return move

    def today(self):
        return local_day(utc_now())

    def summary(self, **kwargs):
        day = self.today()
        kwargs.setdefault("date_from", day)
        kwargs.setdefault("date_to", day)
        return stock_report.summary(self.session, self.manager, **kwargs)

    def balances(self, warehouse=None) -> dict[int, stock_report.Amount]:
        self.session.expire_all()
        found: dict[int, stock_report.Amount] = {}
        for b in self.session.exec(select(StockBalance)).all():
            if warehouse is None or b.warehouse_id == warehouse.id:
                found[b.part_id] = found.get(b.part_id, stock_report.NONE) + stock_report.Amount(
                    b.on_hand, stock.stock_value(b.on_hand, b.average_cost))
        return found


@pytest.fixture
def store(session, shop) -> Store:
    return Store(session, shop)


def _reconciles(report: stock_report.Summary) -> None:
    for row in (*report.rows, report.total):
        assert row.opening + row.total_in - row.total_out == row.closing, row.code


def _backdate(session, move_ids, when: datetime) -> None:
    """Place moves in the past (the services date them now; a report reads them by time)."""
    for move_id in move_ids:
        move = session.get(StockMove, move_id)
        move.created_at = when
        session.add(move)
    session.commit()


def test_each_kind_lands_in_its_column_and_the_closing_is_the_balances(session, store):
    clerk, main = store.clerk, store.main
    stock.receive_stock(session, clerk, main.id, store.pads.id, "10", "20.3333", kind="opening")
    received = store.receive(main, (store.pads, 6, "21.17"))
    line = store.order_line(store.pads, 5)
    store.pick(line, main, 4)
    stock.return_part(session, clerk, line.id, main.id, "1")
    store.return_to_supplier(received, received.lines[0], 2)
    common = dict(branch_id=store.shop.branch.id, warehouse_id=main.id, part_id=store.pads.id)
    stock.post_in(session, clerk, **common, quantity=D("1"), unit_cost=D("20.5"), document=("count_sheet", 7),
                  kind=K.STOCKTAKE)
    stock.post_out(session, clerk, **common, quantity=D("2"), kind=K.STOCKTAKE, document=("count_sheet", 8),
                   what="前刹车片")
    stock.post_out(session, clerk, **common, quantity=D("1"), kind=K.TRANSFER_OUT, document=("transfer", 3),
                   what="前刹车片")
    stock.post_in(session, clerk, **{**common, "warehouse_id": store.oil.id}, quantity=D("1"),
                  unit_cost=D("20.77"), document=("transfer", 3), kind=K.TRANSFER_IN)
    for kind in (K.INTERNAL_USE, K.GIFT, K.WARRANTY):
        stock.post_out(session, clerk, **common, quantity=D("1"), kind=kind, document=("stock_issue", 1),
                       what="前刹车片")
    session.commit()

    report = store.summary()
    [row] = report.rows
    assert row.code == "LG-PAD" and row.opening == stock_report.NONE
    assert {k: a.quantity for k, a in row.ins.items()} == {
        K.OPENING: D("10"), K.RECEIPT: D("6"), K.RETURN: D("1"), K.TRANSFER_IN: D("1"), K.STOCKTAKE: D("1")}
    assert {k: a.quantity for k, a in row.outs.items()} == {
        K.PICK: D("4"), K.PURCHASE_RETURN: D("2"), K.TRANSFER_OUT: D("1"), K.INTERNAL_USE: D("1"), K.GIFT: D("1"),
        K.WARRANTY: D("1"), K.STOCKTAKE: D("2")}
    assert row.ins[K.RECEIPT].value == D("127.02") and row.ins[K.OPENING].value == D("203.33")
    assert row.outs[K.PURCHASE_RETURN].value == D("42.34")  # 2 × 21.17, at the receipt's cost
    assert row.closing == store.balances()[store.pads.id]
    assert row.closing.quantity == D("7")
    _reconciles(report)
    assert report.total.closing == row.closing
    # Each move's value change adds up to the balances' worth, and check agrees.
    assert D(str(session.exec(select(func.sum(StockMove.value_change))).one())).quantize(D("0.01")) == \
        row.closing.value
    assert integrity.stock_against_ledger(session) is None


def test_the_period_is_shanghai_days(session, store):
    moves = [stock.receive_stock(session, store.clerk, store.main.id, store.filter.id, q, "10") for q in "123"]
    session.commit()
    # 2026-12-01 23:59:59 and 2026-12-02 00:00 in Shanghai; 2026-12-03 00:00 starts the day after.
    _backdate(session, [moves[0].id], datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC))
    _backdate(session, [moves[1].id], datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    _backdate(session, [moves[2].id], datetime(2026, 12, 2, 16, 0, tzinfo=UTC))

    report = store.summary(date_from="2026-12-02", date_to="2026-12-02")
    [row] = report.rows
    assert row.opening == stock_report.Amount(D("1"), D("10.00"))
    assert row.ins[K.RECEIPT] == stock_report.Amount(D("2"), D("20.00"))
    assert row.closing == stock_report.Amount(D("3"), D("30.00"))  # the move of 12-03 is after the period
    assert store.summary(date_from="2026-12-03", date_to="2026-12-03").rows[0].ins[K.RECEIPT].quantity == D("3")
    assert store.summary(date_from="2026-11-01", date_to="2026-11-30").rows == []  # nothing yet
    detail = stock_report.detail(session, store.manager, store.filter.id, "2026-12-02", "2026-12-02")
    assert [line.move_id for line in detail.lines] == [moves[1].id]
    assert detail.opening.quantity == D("1") and detail.closing.quantity == D("3")


def test_one_warehouse_or_all(session, store):
    stock.receive_stock(session, store.clerk, store.main.id, store.oil_part.id, "4", "30")
    stock.receive_stock(session, store.clerk, store.oil.id, store.oil_part.id, "10", "33.33")
    line = store.order_line(store.oil_part, 3)
    store.pick(line, store.oil, 3)

    main_only = store.summary(warehouse_id=store.main.id)
    assert main_only.rows[0].ins[K.RECEIPT].quantity == D("4") and main_only.rows[0].outs[K.PICK] == \
        stock_report.NONE
    assert main_only.rows[0].closing == store.balances(store.main)[store.oil_part.id]
    oil_only = store.summary(warehouse_id=str(store.oil.id))
    assert oil_only.rows[0].outs[K.PICK] == stock_report.Amount(D("3"), D("99.99"))
    assert oil_only.rows[0].closing == store.balances(store.oil)[store.oil_part.id]
    everything = store.summary(warehouse_id="")
    assert everything.rows[0].closing == main_only.rows[0].closing + oil_only.rows[0].closing
    assert everything.rows[0].closing == store.balances()[store.oil_part.id]
    for report in (main_only, oil_only, everything):
        _reconciles(report)


def test_search_and_category_narrow_the_parts(session, store):
    for part in (store.pads, store.filter):
        stock.receive_stock(session, store.clerk, store.main.id, part.id, "2", "10")
    assert [r.code for r in store.summary().rows] == ["LG-FLT", "LG-PAD"]
    assert [r.code for r in store.summary(search="刹车").rows] == ["LG-PAD"]
    assert [r.code for r in store.summary(search="lg-flt").rows] == ["LG-FLT"]
    assert store.summary(category="不存在的分类").rows == []


def test_who_may_read_it_and_bad_input(session, store, shop):
    for actor in (shop.technician, shop.cashier, shop.advisor):
        with pytest.raises(PermissionDenied):
            stock_report.summary(session, actor, "2026-12-01", "2026-12-01")
        with pytest.raises(PermissionDenied):
            stock_report.detail(session, actor, store.pads.id, "2026-12-01", "2026-12-01")
    assert stock_report.summary(session, store.clerk, "2026-12-01", "2026-12-01").rows == []
    for date_from, date_to, message in (("2026-12-02", "2026-12-01", "开始日期不能晚于结束日期"),
                                        ("", "2026-12-01", "请选择开始和结束日期"),
                                        ("12/01/2026", "2026-12-01", "开始日期格式应为年-月-日")):
        with pytest.raises(DomainError) as refused:
            store.summary(date_from=date_from, date_to=date_to)
        assert refused.value.message == message
    with pytest.raises(DomainError) as refused:
        store.summary(warehouse_id="99999")
    assert refused.value.message == "请选择本店的仓库"
    stranger_part = add_part(session, shop.other_branch.id, code="LG-X", name="外店配件", price="1")
    with pytest.raises(DomainError) as refused:
        stock_report.detail(session, store.manager, stranger_part.id, "2026-12-01", "2026-12-01")
    assert refused.value.message == "配件不存在"


def test_the_detail_names_each_document_and_runs_the_figures(session, store):
    received = store.receive(store.main, (store.pads, 5, "20.00"))
    line = store.order_line(store.pads, 2)
    store.pick(line, store.main, 2)
    store.return_to_supplier(received, received.lines[0], 1)
    stock.post_out(session, store.clerk, branch_id=store.shop.branch.id, warehouse_id=store.main.id,
                   part_id=store.pads.id, quantity=D("1"), kind=K.STOCKTAKE, document=("count_sheet", 41),
                   what="前刹车片")
    session.commit()
    day = store.today()

    detail = stock_report.detail(session, store.manager, store.pads.id, day, day)
    kinds = [(l.kind, l.quantity, l.value, l.running.quantity, l.running.value) for l in detail.lines]
    assert kinds == [(K.RECEIPT, D("5"), D("100.00"), D("5"), D("100.00")),
                     (K.PICK, D("-2"), D("-40.00"), D("3"), D("60.00")),
                     (K.PURCHASE_RETURN, D("-1"), D("-20.00"), D("2"), D("40.00")),
                     (K.STOCKTAKE, D("-1"), D("-20.00"), D("1"), D("20.00"))]
    receipt, pick, returned, counted = (l.document for l in detail.lines)
    assert (receipt.label, receipt.number, receipt.url) == ("入库单", received.receipt.number,
                                                           f"/purchasing/receipts/{received.receipt.id}")
    assert pick.label == "工单" and pick.url == f"/parts/orders/{line.work_order_id}" and pick.number.startswith("WX")
    assert returned.label == "采购退货单" and returned.url == f"/purchasing/receipts/{received.receipt.id}"
    # A registered type whose row is gone (no sheet 41 here) shows its label, type and id, without a link.
    assert (counted.label, counted.number, counted.url) == ("盘点单", "count_sheet#41", "")
    assert detail.closing == store.balances()[store.pads.id]
    assert [l.warehouse for l in detail.lines] == ["主仓库"] * 4


def test_excel_has_a_column_per_kind_and_the_totals(session, store):
    from io import BytesIO

    from openpyxl import load_workbook

    stock.receive_stock(session, store.clerk, store.main.id, store.pads.id, "3", "12.345")
    sheet = load_workbook(BytesIO(stock_report.summary_xlsx(store.summary()))).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    headers = rows[0]
    assert headers[:5] == ["编码", "名称", "单位", "期初数量", "期初金额"]
    assert "盘盈数量" in headers and "盘亏金额" in headers and "三包出库数量" in headers
    assert rows[1][0] == "LG-PAD" and rows[1][headers.index("入库数量")] == 3
    assert rows[1][headers.index("期末金额")] == pytest.approx(37.04)  # 3 × 12.345, to the fen
    assert rows[-1][0] == "合计" and rows[-1][headers.index("期末数量")] == 3


def test_generated_history_reconciles_to_the_fen(session, store):
    """Random receipts, picks, returns and purchase returns in two warehouses through the services; part of it
    moved two days back, so the period has an opening. Per part and in total opening + in − out = closing; the
    opening equals the ledger summed forward, the closing the balances."""
    rng = random.Random(16)
    parts = [store.pads, store.filter, store.oil_part]
    warehouses = [store.main, store.oil]
    receipts, lines = [], []

    def step():
        action = rng.choice(("receive", "receive", "pick", "pick", "return", "purchase_return"))
        warehouse, part = rng.choice(warehouses), rng.choice(parts)
        if action == "receive" or not receipts:
            price = D(rng.randint(1000, 99999)) / 1000
            receipts.append(store.receive(warehouse, (part, rng.randint(1, 7), price)))
        elif action == "pick":
            have = {(b.part_id, b.warehouse_id): b.on_hand for b in session.exec(select(StockBalance)).all()}
            part, warehouse = rng.choice([(p, w) for p in parts for w in warehouses
                                          if have.get((p.id, w.id), 0) >= 1] or [(part, warehouse)])
            if have.get((part.id, warehouse.id), 0) >= 1:
                line = store.order_line(part, 3)
                store.pick(line, warehouse, rng.randint(1, min(3, int(have[(part.id, warehouse.id)]))))
                lines.append((line, warehouse))
        elif action == "return" and lines:
            line, warehouse = rng.choice(lines)
            session.refresh(line)
            if line.picked_quantity > line.returned_quantity:
                stock.return_part(session, store.clerk, line.id, warehouse.id, "1")
                session.commit()
        elif action == "purchase_return":
            receipt = rng.choice(receipts)
            receipt_line = receipt.lines[0]
            session.refresh(receipt_line)
            balance = session.exec(select(StockBalance).where(
                StockBalance.part_id == receipt_line.part_id,
                StockBalance.warehouse_id == receipt.receipt.warehouse_id)).one()
            if receipt_line.quantity > receipt_line.returned_quantity and balance.on_hand >= 1:
                store.return_to_supplier(receipt, receipt_line, 1)

    for _ in range(40):
        step()
    earlier = list(session.exec(select(StockMove.id)).all())
    _backdate(session, earlier, utc_now() - timedelta(days=2))
    for _ in range(40):
        step()

    day = store.today()
    for warehouse in (None, *warehouses):
        report = store.summary(warehouse_id=warehouse.id if warehouse else None)
        _reconciles(report)
        balances = store.balances(warehouse)
        assert {r.part_id: r.closing for r in report.rows} == {p: a for p, a in balances.items()
                                                               if a != stock_report.NONE or p in
                                                               {r.part_id for r in report.rows}}
        assert report.total.closing == sum(balances.values(), stock_report.NONE)
        where = [StockMove.id.in_(earlier)] + ([StockMove.warehouse_id == warehouse.id] if warehouse else [])
        for row in report.rows:
            q, v = session.exec(select(func.sum(StockMove.quantity), func.sum(StockMove.value_change))
                                .where(*where, StockMove.part_id == row.part_id)).one()
            assert row.opening == stock_report.Amount(D(str(q or 0)).quantize(D("0.01")),
                                                      D(str(v or 0)).quantize(D("0.01"))), row.code
        for row in report.rows:
            detail = stock_report.detail(session, store.manager, row.part_id, day, day,
                                         warehouse.id if warehouse else None)
            assert (detail.opening, detail.closing) == (row.opening, row.closing)
    assert integrity.stock_against_ledger(session) is None
    assert stock.rebuild_balances(session, store.shop.branch.id) == []


def test_check_flags_a_balance_whose_worth_is_not_its_ledger(session, store):
    stock.receive_stock(session, store.clerk, store.main.id, store.pads.id, "3", "10")
    session.commit()
    balance = session.exec(select(StockBalance)).one()
    balance.average_cost = D("11.0000")  # behind the services' back: 33.00 against a ledger worth 30.00
    session.add(balance)
    session.commit()
    problem = integrity.stock_against_ledger(session)
    assert problem is not None
    assert problem.rows == ("T01 配件LG-PAD 仓库RM：余额3.00，流水合计3.00；金额33.00，流水金额合计30.00",)
