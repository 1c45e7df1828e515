"""日结/交班 (``/cashier/close``): for a cashier, the shift so far, the blind count and the reason for a difference;
for everyone who keeps the books, the branch's latest closes. And a close's printable sheet
(``/cashier/close/<id>/print``) with the shift's receipts."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from lantong_pwa.services.finance import cash_close
from lantong_pwa.services.platform.permissions import Permission, allows
from lantong_pwa.timezone import format_local
from models import Branch, CashCloseStatus, PaymentMethod, User
from models.common import utc_now
from state.finance.payables import route_id
from state.platform.printable import load_sheet
from state.platform.session import SessionState, new_request_key
from state.platform.views import Letterhead, letterhead, money


@dataclasses.dataclass
class MethodTotal:
    method: str = ""
    amount: str = ""
    count: int = 0


@dataclasses.dataclass
class CloseRow:
    id: int = 0
    number: str = ""
    cashier: str = ""
    when: str = ""
    expected: str = ""
    counted: str = ""
    difference: str = ""
    reason: str = ""
    status: str = ""
    url: str = ""


@dataclasses.dataclass
class ReceiptLine:
    number: str = ""
    when: str = ""
    method: str = ""
    amount: str = ""


def _totals(by_method: dict) -> list[MethodTotal]:
    return [MethodTotal(method=PaymentMethod(m).label, amount=money(a), count=n) for m, (a, n) in by_method.items()]


def _close_row(close, cashier: User) -> CloseRow:
    difference = close.counted - close.expected
    return CloseRow(id=close.id, number=close.number, cashier=cashier.display_name,
                    when=format_local(close.created_at, "%m-%d %H:%M"), expected=money(close.expected),
                    counted=money(close.counted), difference=money(difference) if difference else "",
                    reason=close.reason, status=CashCloseStatus(close.status).label,
                    url=f"/cashier/close/{close.id}/print")


class CashCloseState(SessionState):
    can_close: bool = False
    shift_start: str = ""
    totals: list[MethodTotal] = []
    receipts: int = 0
    waiting: CloseRow = CloseRow()  # a count whose difference still needs its reason
    closes: list[CloseRow] = []
    count_key: str = ""
    errors: dict[str, str] = {}
    error: str = ""
    form_version: int = 0

    def _show(self, db: Session, actor: User | None) -> None:
        self.can_close = allows(actor, Permission.CLOSE_SHIFT)
        if self.can_close:
            shift = cash_close.current_shift(db, actor)
            self.shift_start = format_local(shift.start) if shift.start else "第一次交班"
            self.totals = _totals(shift.by_method)
            self.receipts = len(shift.payments)
            self.waiting = _close_row(shift.waiting, actor) if shift.waiting else CloseRow()
        self.closes = [_close_row(c, u) for c, u in cash_close.recent_closes(db, actor)]

    @rx.event
    async def load(self):
        self.errors, self.count_key = {}, new_request_key()
        shown = await self._in_read(self._show, page=Permission.VIEW_CASH_BOOK)
        if shown.redirect is not None:
            return shown.redirect
        self.error = "" if shown.ok else shown.error.message
        return None

    @rx.event
    async def count(self, form: dict):
        """清点完毕: the count the form was drawn with (a double tap sends the same key, and counts once)."""
        key = str(form.get("request_key") or self.count_key)
        resent = key != self.count_key  # the form's second submit: the first one already counted
        done = await self._in_unit(lambda db, actor: (cash_close.count(db, actor, form.get("counted", ""), key),
                                                      self._show(db, actor))[0])
        self.errors = done.field_errors
        if not done.ok:
            return rx.toast.error(done.error.message)
        self.count_key = new_request_key()
        self.form_version += 1
        close = done.value
        if resent:
            return None
        if close.status == CashCloseStatus.CLOSED:
            return rx.toast.success(f"交班完成（{close.number}），现金与账面一致")
        return rx.toast.warning(f"现金与账面不符：应有{money(close.expected)}，清点{money(close.counted)}，请说明原因")

    @rx.event
    async def explain(self, form: dict):
        close_id = self.waiting.id
        done = await self._in_unit(lambda db, actor: (cash_close.explain(db, actor, close_id, form.get("reason", "")),
                                                      self._show(db, actor))[0])
        self.errors = done.field_errors
        if not done.ok:
            return rx.toast.error(done.error.message)
        self.form_version += 1
        return rx.toast.success(f"交班完成（{done.value.number}）")


class CashCloseSheetState(SessionState):
    found: bool = False
    error: str = ""
    shop: Letterhead = Letterhead()
    close: CloseRow = CloseRow()
    shift: str = ""
    totals: list[MethodTotal] = []
    lines: list[ReceiptLine] = []
    printed_at: str = ""

    def _fill(self, db: Session, actor: User | None) -> None:
        sheet = cash_close.close_sheet(db, actor, route_id(self.close_id))
        self.shop = letterhead(db.get(Branch, sheet.close.branch_id))
        self.close = _close_row(sheet.close, sheet.cashier)
        start = format_local(sheet.close.shift_start) if sheet.close.shift_start else "首次交班"
        self.shift = f"{start} 至 {format_local(sheet.close.created_at)}"
        self.totals = _totals(sheet.by_method)
        self.lines = [ReceiptLine(number=p.number, when=format_local(p.created_at, "%m-%d %H:%M"),
                                  method=PaymentMethod(p.method).label, amount=money(p.amount))
                      for p in sheet.payments]
        self.printed_at = format_local(utc_now())

    @rx.event
    async def load(self):
        self.lines = []
        return await load_sheet(self, self._fill, Permission.VIEW_CASH_BOOK)
