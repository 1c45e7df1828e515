"""The open-orders board (``/orders``): what is in the workshop and whether its promised time has passed."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.db import session_scope
from lantong_pwa.errors import DomainError
from lantong_pwa.services import work_orders
from lantong_pwa.services.permissions import Permission
from lantong_pwa.timezone import format_local
from models import WorkOrderStatus
from models.common import utc_now
from state.session import SessionState


@dataclasses.dataclass
class BoardRow:
    number: str = ""
    plate: str = ""
    title: str = ""
    status: str = ""
    complaint: str = ""
    promised: str = ""
    late: bool = False
    card_url: str = ""


class BoardState(SessionState):
    rows: list[BoardRow] = []
    error: str = ""

    @rx.event
    def load(self):
        redirect = self._guard(Permission.VIEW_VEHICLES)
        if redirect is not None:
            return redirect
        now = utc_now()
        with session_scope() as db:
            try:
                board = work_orders.open_orders(db, self._actor(db))
            except DomainError as error:
                self.error = error.message
                return None
        self.rows = [
            BoardRow(number=order.number, plate=vehicle.plate,
                     title=" ".join(p for p in (vehicle.make, vehicle.model) if p),
                     status=WorkOrderStatus(order.status).label, complaint=order.complaint,
                     promised=format_local(order.promised_at, "%m-%d %H:%M"),
                     late=bool(order.promised_at and order.promised_at < now), card_url=f"/v/{vehicle.qr_token}")
            for order, vehicle in board
        ]
        return None
