"""The progress board (``/orders``, R5): every order in the workshop with each line's status, who is on it, the
clocked time, what waits for parts and the time left to the promised hour (late ones stand out)."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from lantong_pwa.services.workshop import order_actions, progress
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.services.workshop.order_actions import Action
from lantong_pwa.services.workshop.progress import BoardOrder
from lantong_pwa.timezone import format_local
from models import JobLineStatus, User, WorkOrderStatus
from state.platform.session import SessionState
from state.workshop.tasks import duration


@dataclasses.dataclass
class BoardLineView:
    name: str = ""
    status: str = ""
    status_value: str = ""
    who: str = ""
    clocked: str = ""
    running: bool = False
    waiting_parts: bool = False


@dataclasses.dataclass
class BoardRow:
    id: int = 0
    number: str = ""
    plate: str = ""
    title: str = ""
    status: str = ""
    complaint: str = ""
    promised: str = ""
    time_left: str = ""  # 剩2小时05分 / 超时25分钟
    late: bool = False
    waiting_parts: bool = False
    clocked: str = ""
    done: str = ""  # 1/3 完工
    card_url: str = ""
    can_complete: bool = False  # every line finished and this person may complete it: 确认完工
    can_dispatch: bool = False
    lines: list[BoardLineView] = dataclasses.field(default_factory=list)


def _time_left(row: BoardOrder) -> str:
    if row.minutes_left is None:
        return ""
    return f"剩{duration(row.minutes_left)}" if row.minutes_left >= 0 else f"超时{duration(row.minutes_left)}"


def board_row(row: BoardOrder, actions: frozenset[Action]) -> BoardRow:
    order, vehicle = row.order, row.vehicle
    return BoardRow(
        id=order.id, number=order.number, plate=vehicle.plate,
        title=" ".join(p for p in (vehicle.make, vehicle.model) if p),
        status=WorkOrderStatus(order.status).label, complaint=order.complaint,
        promised=format_local(order.promised_at, "%m-%d %H:%M"), time_left=_time_left(row), late=row.late,
        waiting_parts=row.waiting_parts, clocked=duration(row.minutes) if row.minutes else "",
        done=f"{row.finished_lines}/{len(row.lines)} 完工" if row.lines else "", card_url=f"/v/{vehicle.qr_token}",
        can_complete=Action.COMPLETE in actions,
        can_dispatch=Action.DISPATCH in actions,
        lines=[BoardLineView(
            name=line.line.name, status=JobLineStatus(line.line.status).label, status_value=JobLineStatus(line.line.status).value,
            who="、".join(name if share == "100.00" else f"{name} {share.rstrip('0').rstrip('.')}%"
                         for name, share in line.technicians) or "未派工",
            clocked=duration(line.minutes) if line.minutes else "", running=line.running,
            waiting_parts=line.waiting_parts) for line in row.lines],
    )


def board_rows(db: Session, actor: User | None) -> list[BoardRow]:
    """The board, each order offering what ``actor`` may do with it now."""
    board = progress.board(db, actor)
    allowed = order_actions.allowed_each(db, actor, [row.order for row in board])
    return [board_row(row, allowed[row.order.id]) for row in board]


class BoardState(SessionState):
    rows: list[BoardRow] = []
    error: str = ""

    async def _refresh(self, page: Permission | None = None):
        """Read the board (as the page's load with ``page``: then a refused person gets the redirect back)."""
        shown = await self._in_read(board_rows, page=page)
        if shown.redirect is not None:
            return shown.redirect
        self.rows = shown.value if shown.ok else []
        self.error = "" if shown.ok else shown.error.message
        return None

    @rx.event
    async def load(self):
        return await self._refresh(page=Permission.VIEW_VEHICLES)

    @rx.event
    async def refresh(self):
        await self._refresh()

    @rx.var
    def late_count(self) -> int:
        return sum(1 for row in self.rows if row.late)
