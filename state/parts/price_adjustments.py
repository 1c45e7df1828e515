"""调价 on a phone (``/parts/prices/adjust``): choose the parts (a category, a supplier's parts, or parts found by
search), the rule and the rounding; 预览 saves the preview (old → new for each part); 执行调价 or 作废 as the
service allows; the recent adjustments; and one part's price history.

The preview form carries a request key (a hidden input): a double tap prepares one adjustment.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.services.parts import parts, price_adjustments
from lantong_pwa.services.parts.price_adjustments import PriceForm
from lantong_pwa.services.platform.permissions import Permission, require
from lantong_pwa.timezone import format_local
from models import PriceAdjustmentStatus, PriceRule, User
from state.parts.purchasing import Choice, _supplier_choices
from state.platform.session import SessionState, new_request_key
from state.platform.views import money


@dataclasses.dataclass
class PriceLine:
    code: str = ""
    name: str = ""
    old: str = ""
    new: str = ""
    up: bool = True


@dataclasses.dataclass
class AdjustmentRow:
    id: int = 0
    number: str = ""
    what: str = ""  # selection and rule
    status: str = ""
    when: str = ""


@dataclasses.dataclass
class Shown:
    """The adjustment on screen: a preview to apply, or one already applied or cancelled."""

    id: int = 0
    number: str = ""
    what: str = ""
    status: str = ""
    count: int = 0
    lines: list[PriceLine] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class HistoryRow:
    when: str = ""
    number: str = ""
    old: str = ""
    new: str = ""


def _what(adjustment) -> str:
    rule = PriceRule(adjustment.rule)
    sign = "+" if adjustment.percent > 0 and rule == PriceRule.PERCENT else ""
    step = "角" if adjustment.rounding < 1 else "元"
    return f"{adjustment.selection} · {rule.label} {sign}{adjustment.percent.normalize():f}% · 取整到{step}"


class PriceAdjustState(SessionState):
    """``/parts/prices/adjust``: the manager's 调价."""

    error: str = ""
    categories: list[str] = []
    suppliers: list[Choice] = []
    choices: list[Choice] = []
    chosen: list[Choice] = []
    errors: dict[str, str] = {}
    key: str = ""
    shown: Shown = Shown()
    actions: list[str] = []
    recent: list[AdjustmentRow] = []
    history_part: str = ""
    history: list[HistoryRow] = []
    history_choices: list[Choice] = []

    def _load(self, db, actor: User) -> None:
        self.categories = price_adjustments.part_categories(db, actor)
        self.suppliers = _supplier_choices(db, actor)
        self.recent = [AdjustmentRow(id=a.id, number=a.number, what=_what(a),
                                     status=PriceAdjustmentStatus(a.status).label,
                                     when=format_local(a.applied_at or a.created_at, "%m-%d %H:%M"))
                       for a in price_adjustments.recent_adjustments(db, actor)]

    def _show(self, db, actor: User, adjustment_id) -> None:
        adjustment = price_adjustments.get_adjustment(db, actor, adjustment_id)
        changes = price_adjustments.changes_of(db, adjustment.id)
        self.shown = Shown(id=adjustment.id, number=adjustment.number, what=_what(adjustment),
                           status=PriceAdjustmentStatus(adjustment.status).label, count=len(changes),
                           lines=[PriceLine(code=p.code, name=p.name, old=money(c.old_price), new=money(c.new_price),
                                            up=c.new_price > c.old_price) for c, p in changes])
        self.actions = price_adjustments.allowed_actions(actor, adjustment)

    @rx.event
    async def load(self):
        self.error = ""
        self.errors = {}
        self.choices = []
        self.chosen = []
        self.shown = Shown()
        self.actions = []
        self.history = []
        self.history_part = ""
        self.key = new_request_key()
        shown = await self._in_read(self._load, page=Permission.ADJUST_PRICES)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.error = shown.error.message
        return None

    async def _search(self, form: dict) -> list[Choice] | None:
        found = await self._in_read(lambda db, actor: [
            Choice(id=str(p.id), label=f"{p.name}（{p.code}）· {money(p.sale_price)}")
            for p in parts.search_parts(db, require(actor, Permission.ADJUST_PRICES), form.get("part_query", ""))])
        if not found.ok:
            self.errors = {"part_query": found.error.message}
            return None
        self.errors = {} if found.value else {"part_query": "没有找到匹配的配件"}
        return found.value

    @rx.event
    async def search(self, form: dict):
        self.choices = await self._search(form) or []

    @rx.event
    def choose(self, part_id: str):
        picked = next((c for c in self.choices if c.id == part_id), None)
        if picked is not None and all(c.id != part_id for c in self.chosen):
            self.chosen = [*self.chosen, picked]
        self.choices = []

    @rx.event
    def unchoose(self, part_id: str):
        self.chosen = [c for c in self.chosen if c.id != part_id]

    @rx.event
    async def preview(self, form: dict):
        """预览: the service saves the preview; the screen shows exactly what 执行调价 will apply."""
        self.errors = {}
        key = form.get("request_key") or self.key
        entry = PriceForm(category=form.get("category", ""), supplier_id=form.get("supplier_id", ""),
                          part_ids=[int(c.id) for c in self.chosen], rule=form.get("rule", ""),
                          percent=form.get("percent", ""), rounding=form.get("rounding", ""), request_key=key)
        made = await self._in_unit(lambda db, actor: price_adjustments.prepare(db, actor, entry).id)
        if not made.ok:
            self.errors = made.field_errors
            return rx.toast.error(made.error.message)
        self.key = new_request_key()
        await self._reread(made.value)
        return None

    async def _reread(self, adjustment_id: int) -> None:
        def read(db, actor):
            self._show(db, actor, adjustment_id)
            self._load(db, actor)

        shown = await self._in_read(read)
        self.error = "" if shown.ok else shown.error.message

    @rx.event
    async def open(self, adjustment_id: int):
        await self._reread(adjustment_id)

    @rx.event
    async def act(self, action: str):
        do = {price_adjustments.Action.APPLY: price_adjustments.apply,
              price_adjustments.Action.CANCEL: price_adjustments.cancel}.get(action)
        if do is None or not self.shown.id:
            return None
        adjustment_id = self.shown.id
        done = await self._in_unit(lambda db, actor: do(db, actor, adjustment_id).number)
        await self._reread(adjustment_id)
        if not done.ok:
            return rx.toast.error(done.error.message)
        return rx.toast.success(("已执行调价 " if action == price_adjustments.Action.APPLY else "已作废 ") + done.value)

    @rx.event
    async def search_history(self, form: dict):
        self.history_choices = await self._search(form) or []

    @rx.event
    async def show_history(self, part_id: str):
        label = next((c.label for c in self.history_choices if c.id == part_id), "")
        found = await self._in_read(lambda db, actor: [
            HistoryRow(when=format_local(h.applied_at), number=h.number, old=money(h.old_price),
                       new=money(h.new_price)) for h in price_adjustments.price_history(db, actor, part_id)])
        if not found.ok:
            self.error = found.error.message
            return
        self.history_part = label
        self.history = found.value
        self.history_choices = []
