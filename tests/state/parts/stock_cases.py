"""Role-check cases for the parts clerk's screens (``/parts`` workbench, ``/parts/orders/<id>`` pick list):
``run_*`` drives a handler as the cookie's owner, ``refused_*`` checks a refused visitor saw nothing and was told.
Listed in tests/state/test_role_checks.py's PROTECTED table; only parts clerks move stock."""

from __future__ import annotations

from state.parts.parts import PartsCatalogueState  # noqa: F401 - the 库存 tab's search is listed with the catalogue
from state.parts.stock import (
    PICK_ROUTE_ARG,
    PickLineView,
    PickState,
    ReceiptChoice,
    StockState,
    WarehouseView,
)
from tests.state.harness import drive, is_toast, make_state, toast_text

# Handlers that only move the screen along with data already in the state.
UI_ONLY = {
    "StockState.set_tab": ("receive",),
    "StockState.choose_receipt_part": (1,),
    "PickState.choose_warehouse": (1, "1"),
    "PickState.open_return": (1,),
    "PickState.close_return": (),
}


def _stock(cookie: str) -> StockState:
    return make_state(StockState, token=cookie, path="/parts")


def pick_state(cookie: str, order_id: int) -> PickState:
    return make_state(PickState, token=cookie, path=f"/parts/orders/{order_id}",
                      route=f"/parts/orders/[{PICK_ROUTE_ARG}]", query={PICK_ROUTE_ARG: str(order_id)})


def run_stock_load(cookie, w):
    s = _stock(cookie)
    return s, drive(s.load())


def refused_stock_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/parts")
    assert s.warehouses == [] and s.pending == [] and s.can_move_stock is False


def run_stock_refresh(cookie, w):
    s = _stock(cookie)
    return s, drive(s.refresh())


def refused_stock_refresh(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.pending == []


def run_receipt_search(cookie, w):
    s = _stock(cookie)
    return s, drive(s.search_receipt_parts({"part_query": "机油"}))


def refused_receipt_search(s, result, w, visitor):
    visitor.was_told(s.receipt_errors["part_id"])
    assert s.receipt_choices == []


def run_receive(cookie, w):
    s = _stock(cookie)
    # As a browser could forge it: a part chosen and a warehouse named, nothing loaded.
    s.receipt_choices = [ReceiptChoice(id=w.part.id, label="机油滤清器（JL-001）", cost="20.00")]
    s.choose_receipt_part(w.part.id)
    s.warehouses = [WarehouseView(id="1", code="ZK", name="主仓库")]
    return s, drive(s.receive({"warehouse_id": "1", "quantity": "5", "unit_cost": "20", "kind": "receipt",
                         "request_key": "receipt-1"}))


def refused_receive(s, result, w, visitor):
    assert set(s.receipt_errors) == {"form"}
    visitor.was_told(s.receipt_errors["form"])
    assert s.recent_receipts == [] and s.receipt_part_id == w.part.id, "the form stays as it was"


def run_create_warehouse(cookie, w):
    s = _stock(cookie)
    return s, drive(s.create_warehouse({"code": "ZK", "name": "主仓库"}))


def refused_create_warehouse(s, result, w, visitor):
    assert set(s.warehouse_errors) == {"form"}
    visitor.was_told(s.warehouse_errors["form"])
    assert s.warehouses == [] and s.created_code == ""


def run_pick_load(cookie, w):
    s = pick_state(cookie, w.order.id)
    return s, drive(s.load())


def refused_pick_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/parts/orders/{w.order.id}")
    _nothing_shown(s)


def _nothing_shown(s: PickState) -> None:
    assert s.found is False and s.number == "" and s.plate == "" and s.lines == [] and s.warehouses == []


def _forged(cookie, w) -> PickState:
    """The pick list as a browser could forge it: an order, a line and a warehouse named, nothing loaded."""
    s = pick_state(cookie, w.order.id)
    s.pick_id = w.order.id
    s.lines = [PickLineView(id=1, code="JL-001", name="机油滤清器", part_id=w.part.id, warehouse_id="1")]
    return s


def run_pick(cookie, w):
    s = _forged(cookie, w)
    return s, drive(s.pick({"line_id": "1", "quantity": "1", "request_key": "pick-1"}))


def run_return(cookie, w):
    s = _forged(cookie, w)
    return s, drive(s.return_part({"line_id": "1", "quantity": "1", "request_key": "return-1"}))


def run_scan(cookie, w):
    s = _forged(cookie, w)
    return s, drive(s.scan({"code": "JL-001", "quantity": "1", "request_key": "scan-1"}))


def refused_move(s, result, w, visitor):
    results = result if isinstance(result, list) else [result]
    toasts = [spec for spec in results if is_toast(spec, "error")]
    assert toasts, "the refused person is told"
    visitor.was_told(toast_text(toasts[0]))
    assert s.found is False and s.number == "" and s.highlight_id == 0
    assert [(line.id, line.picked) for line in s.lines] == [(1, "")], "the list is not reloaded"
