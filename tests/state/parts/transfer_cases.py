"""Role-check cases for transfers (``/parts/transfers``, ``/parts/transfers/<id>`` and its print page): ``run_*``
drives a handler as the cookie's owner, ``refused_*`` checks a refused visitor saw nothing and was told. Listed in
tests/state/test_role_checks.py's PROTECTED table as ``CASES``; only parts clerks move stock, managers write off."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.parts.transfers import (
    TRANSFER_ARG,
    FormLine,
    SheetLine,
    TransferPrintState,
    TransfersState,
    TransferState,
    TransferSheet,
)
from tests.state.harness import drive, make_state
from tests.state.parts.purchasing_cases import _toast

UI_ONLY = {"TransfersState.set_tab": ("done",), "TransfersState.set_mode": ("request",),
           "TransfersState.add_part": ("1",), "TransfersState.remove_part": ("1",)}
FORGED_ID = 1  # a transfer a browser could name: nothing loaded
KEY = "transfer-key-1"


def _list(cookie: str) -> TransfersState:
    return make_state(TransfersState, token=cookie, path="/parts/transfers")


def run_load(cookie, w):
    s = _list(cookie)
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/parts/transfers")
    assert s.pending == [] and s.transit == [] and s.done == [] and s.targets == []


def run_search(cookie, w):
    s = _list(cookie)
    return s, drive(s.search_parts({"part_query": "机油"}))


def run_scanned(cookie, w):
    s = _list(cookie)
    return s, drive(s.scanned("JL-001"))


def refused_search(s, result, w, visitor):
    visitor.was_told(s.errors["part_query"])
    assert s.choices == [] and s.lines == []


def run_submit(cookie, w):
    s = _list(cookie)
    s.form_key = KEY
    s.lines = [FormLine(part_id=str(w.part.id), label="机油滤清器", quantity="1")]
    return s, drive(s.submit({"from_warehouse_id": "1", "to_warehouse_id": "2", f"quantity.{w.part.id}": "1",
                              "request_key": KEY}))


def refused_submit(s, result, w, visitor):
    visitor.was_told(_toast(result))
    assert s.form_key == KEY and len(s.lines) == 1


def _one(cookie: str, cls=TransferState, suffix: str = ""):
    s = make_state(cls, token=cookie, path=f"/parts/transfers/{FORGED_ID}{suffix}",
                   route=f"/parts/transfers/[{TRANSFER_ARG}]{suffix}", query={TRANSFER_ARG: str(FORGED_ID)})
    if cls is TransferState:
        s.transfer_id = FORGED_ID
        s.action_key = KEY
        s.sheet = TransferSheet(lines=[SheetLine(id=1)])
    return s


def run_detail_load(cookie, w):
    s = _one(cookie)
    return s, drive(s.load())


def refused_detail_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/parts/transfers/{FORGED_ID}")
    assert s.found is False and s.sheet.lines == [] and not (s.can_ship or s.can_receive or s.can_write_off)


def run_ship(cookie, w):
    s = _one(cookie)
    return s, drive(s.ship({"from_warehouse_id": "1", "quantity.1": "1", "request_key": KEY}))


def run_receive(cookie, w):
    s = _one(cookie)
    return s, drive(s.receive({"quantity.1": "1", "request_key": KEY}))


def run_write_off(cookie, w):
    s = _one(cookie)
    return s, drive(s.write_off({"quantity.1": "1", "reason": "丢失", "request_key": KEY}))


def run_cancel(cookie, w):
    s = _one(cookie)
    return s, drive(s.cancel())


def refused_step(s, result, w, visitor):
    visitor.was_told(_toast(result))
    assert s.found is False and s.sheet.number == "" and s.warehouses == []


def run_print_load(cookie, w):
    s = _one(cookie, TransferPrintState, "/print")
    return s, drive(s.load())


def refused_print_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/parts/transfers/{FORGED_ID}/print")
    assert s.found is False and s.sheet.lines == [] and s.shop.header == ""


CASES = [
    ("TransfersState.load", P.VIEW_STOCK_REPORTS, run_load, refused_load),
    ("TransfersState.search_parts", P.MOVE_STOCK, run_search, refused_search),
    ("TransfersState.scanned", P.MOVE_STOCK, run_scanned, refused_search),
    ("TransfersState.submit", P.MOVE_STOCK, run_submit, refused_submit),
    ("TransferState.load", P.VIEW_STOCK_REPORTS, run_detail_load, refused_detail_load),
    ("TransferState.ship", P.MOVE_STOCK, run_ship, refused_step),
    ("TransferState.receive", P.MOVE_STOCK, run_receive, refused_step),
    ("TransferState.write_off", P.WRITE_OFF_TRANSIT, run_write_off, refused_step),
    ("TransferState.cancel", P.MOVE_STOCK, run_cancel, refused_step),
    ("TransferPrintState.load", P.VIEW_STOCK_REPORTS, run_print_load, refused_print_load),
]
