"""安全库存 (``/parts/safety-stock``): suggestions from consumption, applied to all or chosen rows, and one part's
limits edited by hand (MANAGE_CATALOGUE). The settings the table was worked out from are kept here; a setting changed
on screen and not yet recalculated stops 应用 until 计算建议 is pressed, so nothing typed is silently ignored."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import reflex as rx

from lantong_pwa.errors import form_errors
from lantong_pwa.services.parts import catalogue, safety_stock
from lantong_pwa.services.parts.safety_stock import Settings, Suggestion
from lantong_pwa.services.platform.permissions import Permission
from state.platform.session import SessionState
from state.platform.views import quantity

SHOWN_ROWS = 200


@dataclasses.dataclass
class SuggestionRow:
    key: str = ""  # "<part id>-<warehouse id>"
    part_id: int = 0
    warehouse_id: str = ""
    code: str = ""
    name: str = ""
    warehouse: str = ""
    used: str = ""
    daily: str = ""
    lead: str = ""  # "5天", or "3天（默认）"
    on_hand: str = ""
    current: str = ""  # "2 / 5" or "未设"
    suggested: str = ""
    changes: bool = False
    minimum: str = ""  # the limit now, the hand edit's defaults
    maximum: str = ""


def _limit(low: Decimal | None, high: Decimal | None) -> str:
    return "未设" if low is None else f"{quantity(low)} / {quantity(high)}"


def _row(s: Suggestion) -> SuggestionRow:
    return SuggestionRow(
        key=f"{s.part_id}-{s.warehouse_id}", part_id=s.part_id, warehouse_id=str(s.warehouse_id), code=s.code,
        name=s.name, warehouse=s.warehouse, used=quantity(s.used), daily=f"{s.daily:.2f}",
        lead=f"{s.lead_days}天" + ("（默认）" if s.lead_is_default else ""), on_hand=quantity(s.on_hand),
        current=_limit(s.minimum, s.maximum), suggested=_limit(s.suggested_minimum, s.suggested_maximum),
        changes=s.changes, minimum="" if s.minimum is None else quantity(s.minimum),
        maximum="" if s.maximum is None else quantity(s.maximum))


class SafetyStockState(SessionState):
    start: str = ""
    end: str = ""
    safety_days: str = ""
    cover_days: str = ""
    basis: str = ""  # what the table was worked out from, in words
    stale: bool = False  # a setting changed on screen since the table was worked out
    errors: dict[str, str] = {}
    rows: list[SuggestionRow] = []
    total: int = 0  # suggestions in all (only the first SHOWN_ROWS are listed)
    to_change: int = 0
    chosen: list[str] = []
    editing: str = ""  # the key of the row being edited by hand
    edit_errors: dict[str, str] = {}
    error: str = ""
    default_lead_days: int = safety_stock.DEFAULT_LEAD_DAYS

    def _show(self, settings: Settings, found: list[Suggestion]) -> None:
        self.start, self.end = settings.start.isoformat(), settings.end.isoformat()
        self.safety_days, self.cover_days = str(settings.safety_days), str(settings.cover_days)
        self.basis = (f"按 {self.start} 至 {self.end}（{settings.days}天）的用量，安全天数{settings.safety_days}天，"
                      f"备货天数{settings.cover_days}天")
        self.stale = False
        self.total = len(found)
        self.to_change = sum(1 for s in found if s.changes)
        self.rows = [_row(s) for s in found[:SHOWN_ROWS]]
        self.chosen = [key for key in self.chosen if any(r.key == key for r in self.rows)]

    def _settings(self) -> Settings:
        return safety_stock.parse_settings(self.start, self.end, self.safety_days, self.cover_days)

    @rx.event
    async def load(self):
        self.errors, self.edit_errors, self.error, self.editing, self.chosen = {}, {}, "", "", []

        def read(db, actor):
            settings = safety_stock.default_settings()
            return settings, safety_stock.suggestions(db, actor, settings)

        shown = await self._in_read(read, page=Permission.MANAGE_CATALOGUE)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.error = shown.error.message
            return None
        self._show(*shown.value)
        return None

    @rx.event
    def settings_changed(self, _value: str = ""):
        self.stale = True

    @rx.event
    async def calculate(self, form: dict):
        self.errors, self.error = {}, ""

        def read(db, actor):
            settings = safety_stock.parse_settings(form.get("start"), form.get("end"), form.get("safety_days"),
                                                   form.get("cover_days"))
            return settings, safety_stock.suggestions(db, actor, settings)

        shown = await self._in_read(read)
        if not shown.ok:
            self.errors = form_errors(shown.error)
            return None
        self._show(*shown.value)
        return None

    @rx.event
    def toggle(self, key: str, on: bool):
        """Tick or untick a row of the table (a key not on screen is ignored)."""
        if any(r.key == key for r in self.rows):
            self.chosen = [k for k in self.chosen if k != key] + ([key] if on else [])

    async def _apply(self, chosen: list[tuple[int, int]] | None):
        self.error = ""
        if self.stale:
            return rx.toast.error("期间或天数已更改，请先点「计算建议」再应用")
        applied = await self._in_unit(lambda db, actor: safety_stock.apply(db, actor, self._settings(), chosen))
        if not applied.ok:
            return rx.toast.error(applied.error.message)
        shown = await self._in_read(lambda db, actor: (self._settings(),
                                                       safety_stock.suggestions(db, actor, self._settings())))
        self.chosen = []
        if shown.ok:
            self._show(*shown.value)
        return rx.toast.success(f"已更新{applied.value}项安全库存" if applied.value else "安全库存已是建议值")

    @rx.event
    async def apply_all(self):
        return await self._apply(None)

    @rx.event
    async def apply_chosen(self):
        if not self.chosen:
            return rx.toast.error("请先勾选要应用的配件")
        pairs = [tuple(int(x) for x in key.split("-")) for key in self.chosen]
        return await self._apply(pairs)

    @rx.event
    def edit(self, key: str):
        self.editing = key
        self.edit_errors = {}

    @rx.event
    def close_edit(self):
        self.editing = ""

    @rx.event
    async def save_limit(self, form: dict):
        self.edit_errors = {}
        row = next((r for r in self.rows if r.key == self.editing), None)
        if row is None:
            return None
        saved = await self._in_unit(lambda db, actor: catalogue.set_stock_limit(
            db, actor, row.part_id, row.warehouse_id, form.get("minimum", ""), form.get("maximum", "")))
        if not saved.ok:
            self.edit_errors = form_errors(saved.error)
            return None
        self.editing = ""
        shown = await self._in_read(lambda db, actor: (self._settings(),
                                                       safety_stock.suggestions(db, actor, self._settings())))
        if shown.ok:
            stale, self.stale = self.stale, False
            self._show(*shown.value)
            self.stale = stale
        return rx.toast.success(f"已保存{row.name}（{row.warehouse}）的安全库存")
