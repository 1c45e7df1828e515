"""The dispatch dialog (派工), opened from the progress board and from the vehicle card's open order: the whole
order to a technician or a team, or each line to technicians with shares."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.services.workshop import dispatch
from lantong_pwa.services.workshop.dispatch import DispatchSheet
from lantong_pwa.services.platform.permissions import Permission, role_allows
from models import JobLineStatus
from state.platform.session import SessionState


@dataclasses.dataclass
class Choice:
    value: str = ""
    label: str = ""


@dataclasses.dataclass
class ShareCell:
    technician_id: str = ""
    name: str = ""
    share: str = ""  # the current share as typed, e.g. "50"; empty: not on the line


@dataclasses.dataclass
class DispatchLine:
    id: int = 0
    name: str = ""
    status: str = ""
    assignees: str = ""  # 张师傅 60%、李师傅 40%
    cells: list[ShareCell] = dataclasses.field(default_factory=list)


def _percent(value) -> str:
    return f"{value.normalize():f}"


def _lines(sheet: DispatchSheet) -> list[DispatchLine]:
    result = []
    for line, people in sheet.lines:
        shares = {user.id: _percent(a.share_percent) for a, user in people}
        result.append(DispatchLine(
            id=line.id, name=line.name, status=JobLineStatus(line.status).label,
            assignees="、".join(f"{user.display_name} {_percent(a.share_percent)}%" for a, user in people) or "未派工",
            cells=[ShareCell(technician_id=str(t.id), name=t.display_name, share=shares.get(t.id, ""))
                   for t in sheet.technicians]))
    return result


class DispatchState(SessionState):
    order_id: int = 0
    order_number: str = ""
    plate: str = ""
    lines: list[DispatchLine] = []
    targets: list[Choice] = []  # technicians ("t:<id>") and teams ("g:<id>")
    error: str = ""
    line_errors: dict[str, str] = {}

    @rx.var
    def can_dispatch(self) -> bool:
        return role_allows(self.user_role, Permission.DISPATCH)

    async def _load(self, order_id: int) -> bool:
        shown = await self._in_read(lambda db, actor: dispatch.dispatch_sheet(db, actor, order_id))
        if not shown.ok:
            self.error = shown.error.message
            return False
        sheet = shown.value
        self.order_id = sheet.order.id
        self.order_number = sheet.order.number
        self.plate = sheet.vehicle.plate
        self.lines = _lines(sheet)
        self.targets = [Choice(f"t:{t.id}", f"技师 · {t.display_name}") for t in sheet.technicians] + [
            Choice(f"g:{info.team.id}", f"班组 · {info.team.name}（{'、'.join(m.display_name for m in info.members)}）")
            for info in sheet.teams]
        return True

    @rx.event
    async def open(self, order_id: int):
        self.error = ""
        self.line_errors = {}
        self.order_id = 0
        self.lines = []
        self.targets = []
        if not await self._load(order_id):
            return rx.toast.error(self.error)
        return None

    @rx.event
    def close(self):
        self.order_id = 0
        self.lines = []
        self.targets = []

    async def _changed(self, message: str):
        """Reload the dialog and the page under it (the board or the vehicle card)."""
        from state.workshop.board import BoardState
        from state.workshop.vehicles import VehicleCardState

        await self._load(self.order_id)
        page = self.router.url.path
        reload = BoardState.refresh if page.startswith("/orders") else VehicleCardState.refresh
        return [rx.toast.success(message), reload]

    @rx.event
    async def assign_order(self, form: dict):
        self.error = ""
        kind, _, raw_id = (form.get("target") or "").partition(":")
        if kind not in ("t", "g") or not raw_id.isdigit():
            self.error = "请选择一名技师或一个班组"
            return None
        assigned = await self._in_unit(lambda db, actor: dispatch.assign_order(
            db, actor, self.order_id, technician_id=int(raw_id) if kind == "t" else None,
            team_id=int(raw_id) if kind == "g" else None))
        if not assigned.ok:
            self.error = assigned.error.message
            return None
        return await self._changed("已整单派工")

    @rx.event
    async def assign_line(self, form: dict):
        raw_line = str(form.get("line_id") or "")
        self.line_errors = {}
        if not raw_line.isdigit():
            self.error = "维修项目不存在"
            return None
        typed = {int(key.removeprefix("share_")): str(value) for key, value in form.items()
                 if key.startswith("share_") and key.removeprefix("share_").isdigit()}
        assigned = await self._in_unit(lambda db, actor: dispatch.assign_line(db, actor, int(raw_line), typed))
        if not assigned.ok:
            self.line_errors = {raw_line: assigned.error.message}
            return None
        return await self._changed("派工已保存")
