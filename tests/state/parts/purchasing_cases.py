"""Role-check cases for buying parts (``/purchasing``, ``/purchasing/orders/<id>`` and its receive and print pages,
``/purchasing/receipts/<id>``): ``run_*`` drives a handler as the cookie's owner, ``refused_*`` checks a refused
visitor saw nothing and was told. Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES``.

The supplier's link (``/po/<token>``) has no account: its handler is listed as ``PUBLIC`` and tested in
tests/state/parts/test_purchasing_states.py (only the order behind the unguessable token is shown, read-only)."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.parts.purchasing import (
    ORDER_ARG,
    RECEIPT_ARG,
    Choice,
    OrderLineRow,
    PlanRow,
    PurchaseOrderPrintState,
    PurchaseOrderState,
    PurchasingState,
    ReceiptLineRow,
    ReceiptState,
    ReceiveLine,
    ReceiveState,
)
from tests.state.harness import drive, is_toast, make_state, toast_text

UI_ONLY = {"PurchasingState.set_tab": ("orders",), "PurchasingState.add_counter_part": ("1",),
           "PurchasingState.remove_counter_part": ("1",)}
PUBLIC = {"SupplierOrderState.load"}
FORGED_ID = 1  # a state a browser could forge: an order or receipt named, nothing loaded


def _toast(result):
    results = result if isinstance(result, list) else [result]
    toasts = [spec for spec in results if is_toast(spec, "error")]
    assert toasts, "the refused person is told"
    return toast_text(toasts[0])


# --- /purchasing ------------------------------------------------------------------------------------------------


def _purchasing(cookie: str) -> PurchasingState:
    return make_state(PurchasingState, token=cookie, path="/purchasing")


def run_load(cookie, w):
    s = _purchasing(cookie)
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/purchasing")
    assert s.plan == [] and s.orders == [] and s.receipts == []


def run_build_plan(cookie, w):
    s = _purchasing(cookie)
    return s, drive(s.build_plan())


def run_filter_orders(cookie, w):
    s = _purchasing(cookie)
    return s, drive(s.filter_orders("draft"))


def refused_list(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.plan == [] and s.orders == [] and s.status_filter == "open"


def run_create_orders(cookie, w):
    s = _purchasing(cookie)
    s.plan_key = "4f6b8a61-1b7e-4d55-9a51-0e8f4f1f2a10"
    s.plan = [PlanRow(part_id=w.part.id, quantity="5", supplier_id="1")]
    return s, drive(s.create_orders({f"quantity.{w.part.id}": "5", f"supplier_id.{w.part.id}": "1",
                                     "request_key": s.plan_key}))


def refused_create_orders(s, result, w, visitor):
    visitor.was_told(_toast(result))
    assert s.orders == [] and s.tab == "plan"


def run_search_counter_parts(cookie, w):
    s = _purchasing(cookie)
    return s, drive(s.search_counter_parts({"part_query": "机油"}))


def refused_search_counter_parts(s, result, w, visitor):
    visitor.was_told(s.counter_errors["part_query"])
    assert s.counter_choices == []


def run_counter_receive(cookie, w):
    s = _purchasing(cookie)
    s.counter_key = "counter-1"
    s.counter_lines = [Choice(id=str(w.part.id), label="机油滤清器（JL-001）")]
    return s, drive(s.counter_receive({"supplier_id": "1", "warehouse_id": "1", f"quantity.{w.part.id}": "2",
                                       f"unit_price.{w.part.id}": "10", "request_key": "counter-1"}))


def refused_counter_receive(s, result, w, visitor):
    visitor.was_told(_toast(result))
    assert s.receipts == [] and [line.id for line in s.counter_lines] == [str(w.part.id)]


# --- one order --------------------------------------------------------------------------------------------------


def _order(cookie: str, cls=PurchaseOrderState, suffix: str = ""):
    s = make_state(cls, token=cookie, path=f"/purchasing/orders/{FORGED_ID}{suffix}",
                   route=f"/purchasing/orders/[{ORDER_ARG}]{suffix}", query={ORDER_ARG: str(FORGED_ID)})
    if hasattr(s, "order_id"):
        s.order_id = FORGED_ID
    return s


def run_order_load(cookie, w):
    s = _order(cookie)
    s.order_id = 0
    return s, drive(s.load())


def refused_order_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/purchasing/orders/{FORGED_ID}")
    assert s.found is False and s.lines == [] and s.buttons == [] and s.share_url == ""


def run_act(cookie, w):
    s = _order(cookie)
    return s, drive(s.act("submit"))


def run_save_lines(cookie, w):
    s = _order(cookie)
    s.lines = [OrderLineRow(id=1, part_id=w.part.id, quantity="1", unit_price="10")]
    return s, drive(s.save_lines({"quantity.0": "9", "unit_price.0": "1"}))


def run_add_part(cookie, w):
    s = _order(cookie)
    return s, drive(s.add_part(str(w.part.id)))


def refused_order_change(s, result, w, visitor):
    visitor.was_told(_toast(result))
    assert s.found is False and s.number == "" and s.buttons == []


def run_order_search_parts(cookie, w):
    s = _order(cookie)
    return s, drive(s.search_parts({"part_query": "机油"}))


def refused_order_search_parts(s, result, w, visitor):
    visitor.was_told(s.edit_errors["part_query"])
    assert s.part_choices == []


def run_print_load(cookie, w):
    s = _order(cookie, PurchaseOrderPrintState, "/print")
    return s, drive(s.load())


def refused_print_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/purchasing/orders/{FORGED_ID}/print")
    assert s.found is False and s.sheet.number == "" and s.sheet.lines == []


# --- receiving --------------------------------------------------------------------------------------------------


def run_receive_load(cookie, w):
    s = _order(cookie, ReceiveState, "/receive")
    s.order_id = 0
    return s, drive(s.load())


def refused_receive_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/purchasing/orders/{FORGED_ID}/receive")
    assert s.found is False and s.lines == []


def _forged_receive(cookie) -> ReceiveState:
    s = _order(cookie, ReceiveState, "/receive")
    s.lines = [ReceiveLine(id=1, name="机油滤清器", quantity="", unit_price="10")]
    return s


def run_receive_scan(cookie, w):
    s = _forged_receive(cookie)
    return s, drive(s.scan({"code": "JL-001"}))


def run_receive(cookie, w):
    s = _forged_receive(cookie)
    s.receive_key = "receive-1"
    return s, drive(s.receive({"quantity.1": "2", "unit_price.1": "10", "request_key": "receive-1"}))


def refused_receive(s, result, w, visitor):
    visitor.was_told(_toast(result))
    assert s.found is False and s.last_receipt == "" and [line.quantity for line in s.lines] == [""]


# --- a receipt --------------------------------------------------------------------------------------------------


def _receipt(cookie: str) -> ReceiptState:
    s = make_state(ReceiptState, token=cookie, path=f"/purchasing/receipts/{FORGED_ID}",
                   route=f"/purchasing/receipts/[{RECEIPT_ARG}]", query={RECEIPT_ARG: str(FORGED_ID)})
    return s


def run_receipt_load(cookie, w):
    s = _receipt(cookie)
    return s, drive(s.load())


def refused_receipt_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/purchasing/receipts/{FORGED_ID}")
    assert s.found is False and s.lines == [] and s.returns == []


def run_return_goods(cookie, w):
    s = _receipt(cookie)
    s.receipt_id = FORGED_ID
    s.lines = [ReceiptLineRow(id=1, name="机油滤清器", can_return=True)]
    return s, drive(s.return_goods({"quantity.1": "1", "request_key": "return-1"}))


def refused_return_goods(s, result, w, visitor):
    visitor.was_told(_toast(result))
    assert s.found is False and s.returns == []


CASES = [
    ("PurchasingState.load", P.PURCHASE, run_load, refused_load),
    ("PurchasingState.build_plan", P.PURCHASE, run_build_plan, refused_list),
    ("PurchasingState.filter_orders", P.PURCHASE, run_filter_orders, refused_list),
    ("PurchasingState.create_orders", P.PURCHASE, run_create_orders, refused_create_orders),
    ("PurchasingState.search_counter_parts", P.PURCHASE, run_search_counter_parts, refused_search_counter_parts),
    ("PurchasingState.counter_receive", P.MOVE_STOCK, run_counter_receive, refused_counter_receive),
    ("PurchaseOrderState.load", P.PURCHASE, run_order_load, refused_order_load),
    ("PurchaseOrderState.act", P.PURCHASE, run_act, refused_order_change),
    ("PurchaseOrderState.save_lines", P.PURCHASE, run_save_lines, refused_order_change),
    ("PurchaseOrderState.add_part", P.PURCHASE, run_add_part, refused_order_change),
    ("PurchaseOrderState.search_parts", P.PURCHASE, run_order_search_parts, refused_order_search_parts),
    ("PurchaseOrderPrintState.load", P.PURCHASE, run_print_load, refused_print_load),
    ("ReceiveState.load", P.MOVE_STOCK, run_receive_load, refused_receive_load),
    ("ReceiveState.scan", P.MOVE_STOCK, run_receive_scan, refused_receive),
    ("ReceiveState.receive", P.MOVE_STOCK, run_receive, refused_receive),
    ("ReceiptState.load", P.PURCHASE, run_receipt_load, refused_receipt_load),
    ("ReceiptState.return_goods", P.MOVE_STOCK, run_return_goods, refused_return_goods),
]
