"""Complaints (``/complaints`` and ``/complaints/<id>``, C1): the list with its filters, a staff entry form, and one
complaint with its assignee, status moves and resolution."""

from __future__ import annotations

import dataclasses
import json

import reflex as rx

from lantong_pwa.services.care import complaints
from lantong_pwa.services.care.complaints import ComplaintForm
from lantong_pwa.services.platform.permissions import Permission, role_allows
from lantong_pwa.timezone import format_local
from models import AuditEvent, ComplaintSource, ComplaintStatus, User
from state.platform.session import SessionState, new_request_key
from state.platform.views import mask_mobile

# The status filter's choices: "" is every status.
STATUS_FILTERS = [["", "全部"], *([s.value, s.label] for s in ComplaintStatus)]
# The buttons that move a complaint on, by its status: [target, label].
MOVES = {
    ComplaintStatus.OPEN: [["processing", "开始处理"]],
    ComplaintStatus.PROCESSING: [["resolved", "标记已解决"]],
    ComplaintStatus.RESOLVED: [["closed", "关闭投诉"], ["processing", "重新处理"]],
    ComplaintStatus.CLOSED: [],
}
HISTORY_LABELS = {"complaint.create": "登记投诉", "complaint.assign": "指派", "complaint.status": "状态变更"}


@dataclasses.dataclass
class ComplaintRowView:
    id: int = 0
    number: str = ""
    status: str = ""
    status_value: str = ""
    source: str = ""
    customer: str = ""
    plate: str = ""
    summary: str = ""
    assignee: str = ""
    created: str = ""


def _status_colour(status: ComplaintStatus) -> str:
    return {"open": "red", "processing": "orange", "resolved": "green", "closed": "gray"}[status.value]


def row_view(row: complaints.ComplaintRow) -> ComplaintRowView:
    complaint = row.complaint
    status = ComplaintStatus(complaint.status)
    return ComplaintRowView(
        id=complaint.id, number=complaint.number, status=status.label, status_value=status.value,
        source=ComplaintSource(complaint.source).label, customer=row.customer.name,
        plate=row.vehicle.plate if row.vehicle else "", summary=complaint.summary,
        assignee=row.assignee.display_name if row.assignee else "未指派", created=format_local(complaint.created_at))


class ComplaintsState(SessionState):
    rows: list[ComplaintRowView] = []
    status_filter: str = ""
    mine: bool = False
    error: str = ""
    form_errors: dict[str, str] = {}
    entry_key: str = ""

    @rx.var
    def status_filters(self) -> list[list[str]]:
        return STATUS_FILTERS

    def _refresh(self, db, actor) -> None:
        found = complaints.list_complaints(db, actor, status=self.status_filter,
                                           assignee_id=actor.id if (self.mine and actor) else None)
        self.rows = [row_view(row) for row in found]

    async def _reload(self) -> None:
        shown = await self._in_read(self._refresh)
        if not shown.ok:
            self.rows = []
        self.error = "" if shown.ok else shown.error.message

    @rx.event
    async def load(self):
        redirect = await self._guard(Permission.CUSTOMER_CARE)
        if redirect is not None:
            self.rows = []
            return redirect
        self.form_errors = {}
        self.entry_key = new_request_key()
        await self._reload()
        return None

    @rx.event
    async def filter_status(self, status: str):
        self.status_filter = status if status in ComplaintStatus._value2member_map_ else ""
        await self._reload()

    @rx.event
    async def toggle_mine(self, mine: bool):
        self.mine = bool(mine)
        await self._reload()

    @rx.event
    async def create(self, form: dict):
        entry = ComplaintForm(summary=form.get("summary", ""), plate=form.get("plate", ""),
                              request_key=form.get("request_key", "") or self.entry_key)

        def create(db, actor) -> str:
            made = complaints.create_complaint(db, actor, entry)
            self._refresh(db, actor)
            return made.number

        created = await self._in_unit(create)
        self.form_errors = created.field_errors
        if not created.ok:
            return None
        self.entry_key = new_request_key()
        return rx.toast.success(f"已登记投诉 {created.value}")


@dataclasses.dataclass
class HistoryView:
    when: str = ""
    who: str = ""
    what: str = ""


class ComplaintDetailState(SessionState):
    found: bool = False
    error: str = ""
    errors: dict[str, str] = {}
    number: str = ""
    status: str = ""
    status_value: str = ""
    source: str = ""
    summary: str = ""
    customer: str = ""
    customer_ref: int = 0
    mobile: str = ""
    plate: str = ""
    order_number: str = ""
    follow_up_ref: int = 0
    assignee: str = ""
    assignee_id: str = ""
    resolution: str = ""
    created: str = ""
    created_by: str = ""
    moves: list[list[str]] = []
    assignable: list[list[str]] = []  # [id, name]
    history: list[HistoryView] = []
    can_handle: bool = False

    def _show(self, db, actor: User) -> None:
        detail = complaints.complaint_detail(db, actor, self._complaint_id())
        complaint = detail.complaint
        status = ComplaintStatus(complaint.status)
        self.number = complaint.number
        self.status, self.status_value = status.label, status.value
        self.source = ComplaintSource(complaint.source).label
        self.summary, self.resolution = complaint.summary, complaint.resolution
        self.customer, self.customer_ref = detail.customer.name, detail.customer.id
        self.mobile = mask_mobile(detail.customer.mobile)
        self.plate = detail.vehicle.plate if detail.vehicle else ""
        self.order_number = detail.order.number if detail.order else ""
        self.follow_up_ref = detail.follow_up.id if detail.follow_up else 0
        self.assignee = detail.assignee.display_name if detail.assignee else "未指派"
        self.assignee_id = str(detail.assignee.id) if detail.assignee else ""
        self.created = format_local(complaint.created_at)
        self.created_by = detail.created_by.display_name if detail.created_by else "客户自助评价"
        self.moves = [move for move in MOVES[status] if complaints.may_move(actor, complaint, ComplaintStatus(move[0]))]
        self.can_handle = role_allows(actor.role, Permission.HANDLE_COMPLAINTS) and status != ComplaintStatus.CLOSED
        self.assignable = [[str(user.id), user.display_name] for user in detail.assignable]
        self.history = [HistoryView(when=format_local(event.created_at), who=who.display_name if who else "客户",
                                    what=_history_text(event)) for event, who in detail.history]
        self.found = True

    def _complaint_id(self) -> int:
        raw = str(self.complaint_id or "")
        return int(raw) if raw.isdigit() else 0

    def _clear(self) -> None:
        self.found = False
        self.moves, self.assignable, self.history = [], [], []
        self.summary = self.customer = self.mobile = self.plate = self.resolution = ""
        self.can_handle = False

    @rx.event
    async def load(self):
        self._clear()
        self.errors = {}
        shown = await self._in_read(self._show, page=Permission.CUSTOMER_CARE)
        if shown.redirect is not None:
            return shown.redirect
        self.error = "" if shown.ok else shown.error.message
        return None

    async def _act(self, action, success: str):
        done = await self._in_unit(lambda db, actor: (action(db, actor), self._show(db, actor)))
        self.errors = done.field_errors
        return rx.toast.success(success) if done.ok else None

    @rx.event
    async def assign(self, form: dict):
        raw = str(form.get("assignee", "") or "")
        return await self._act(lambda db, actor: complaints.assign(db, actor, self._complaint_id(),
                                                             int(raw) if raw.isdigit() else 0), "已指派")

    @rx.event
    async def move(self, form: dict):
        to = str(form.get("to", ""))
        label = ComplaintStatus(to).label if to in ComplaintStatus._value2member_map_ else ""
        return await self._act(lambda db, actor: complaints.change_status(db, actor, self._complaint_id(), to,
                                                                    form.get("resolution", "")),
                         f"已改为“{label}”")


def _history_text(event: AuditEvent) -> str:
    detail = json.loads(event.detail or "{}")
    label = HISTORY_LABELS.get(event.action, event.action)
    if event.action == "complaint.status":
        after = ComplaintStatus(detail.get("after", "open")).label
        text = f"{label}：{ComplaintStatus(detail.get('before', 'open')).label} → {after}"
        return text + (f"（{detail['resolution']}）" if detail.get("resolution") else "")
    if event.action == "complaint.assign":
        return f"{label}给 {detail.get('assignee', '')}"
    return label
