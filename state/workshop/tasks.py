"""My tasks (``/tasks``): a technician's job lines by vehicle, the job clock, a line's note, photos and part requests.

The clock buttons also sit on the vehicle card a QR code opens; both call ``clock_tap``.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.services.parts import pick_requests
from lantong_pwa.services.workshop import job_clock, progress, vehicle_cards
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.services.workshop.progress import VehicleTasks
from lantong_pwa.timezone import format_local
from models import JobLineStatus
from state.platform.drafts import draft_fields, draft_key, forget_draft
from state.platform.session import SessionState
from state.platform.views import money


def duration(minutes: int) -> str:
    """Clocked or remaining time as a person says it: 25分钟, 1小时05分."""
    minutes = abs(int(minutes))
    return f"{minutes}分钟" if minutes < 60 else f"{minutes // 60}小时{minutes % 60:02d}分"


@dataclasses.dataclass
class TaskLineView:
    id: int = 0
    name: str = ""
    status: str = ""  # label
    status_value: str = ""
    running: bool = False  # my clock runs on it
    finished: bool = False
    start_label: str = "开工"  # 继续 once I have clocked it
    clocked: str = ""
    share: str = ""
    others: str = ""
    waiting_parts: bool = False
    note: str = ""


@dataclasses.dataclass
class TaskGroupView:
    order_id: int = 0
    order_number: str = ""
    plate: str = ""
    title: str = ""
    promised: str = ""
    card_url: str = ""
    lines: list[TaskLineView] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class PartChoice:
    id: int = 0
    code: str = ""
    name: str = ""
    unit: str = ""
    price: str = ""


def task_groups(groups: list[VehicleTasks]) -> list[TaskGroupView]:
    views = []
    for group in groups:
        vehicle = group.vehicle
        lines = []
        for task in group.lines:
            status = JobLineStatus(task.line.status)
            lines.append(TaskLineView(
                id=task.line.id, name=task.line.name, status=status.label, status_value=status.value,
                running=task.mine_running, finished=status == JobLineStatus.FINISHED,
                start_label="开工" if status == JobLineStatus.PENDING else "继续",
                clocked=duration(task.minutes) if task.minutes else "",
                share="" if task.share == "100.00" else f"{task.share.rstrip('0').rstrip('.')}%",
                others="、".join(task.others), waiting_parts=task.waiting_parts, note=task.line.note))
        views.append(TaskGroupView(
            order_id=group.order.id, order_number=group.order.number, plate=vehicle.plate,
            title=" ".join(p for p in (vehicle.make, vehicle.model) if p), card_url=f"/v/{vehicle.qr_token}",
            promised=format_local(group.order.promised_at, "%m-%d %H:%M"), lines=lines))
    return views


CLOCK_ACTIONS = {"start": (job_clock.start, "已开工"), "pause": (job_clock.pause, "已暂停"),
                 "finish": (job_clock.finish, "已完工"), "reopen": (job_clock.reopen, "已重开")}


async def clock_tap(state: SessionState, action: str, line_id: int):
    """Run one clock action for the signed-in person; a toast either way."""
    work, done = CLOCK_ACTIONS[action]
    tapped = await state._in_unit(lambda db, actor: work(db, actor, line_id))
    return rx.toast.success(done) if tapped.ok else rx.toast.error(tapped.error.message)


class TasksState(SessionState):
    groups: list[TaskGroupView] = []
    error: str = ""
    loaded: bool = False

    # The line whose sheet is open (note, photos, part request).
    line: TaskLineView = TaskLineView()
    line_plate: str = ""
    note_error: str = ""
    note_text: str = ""  # the note field's starting value: the saved note, or a restored draft
    note_form_version: int = 0
    note_draft_restored: bool = False
    part_choices: list[PartChoice] = []
    chosen_part: PartChoice = PartChoice()
    part_error: str = ""

    @rx.var
    def note_draft_key(self) -> str:
        return draft_key(self.user_id, f"note:{self.line.id}")

    async def _refresh(self, page: Permission | None = None):
        """Read my lines (as the page's load with ``page``: then a refused person gets the redirect back)."""
        self.error = ""
        shown = await self._in_read(lambda db, actor: task_groups(progress.my_tasks(db, actor)), page=page)
        if shown.redirect is not None:
            return shown.redirect
        self.groups = shown.value if shown.ok else []
        self.error = "" if shown.ok else shown.error.message
        self.loaded = True
        for group in self.groups:
            for line in group.lines:
                if line.id == self.line.id:
                    self.line = line
        return None

    @rx.event
    async def load(self):
        redirect = await self._refresh(page=Permission.CLOCK_JOBS)
        if redirect is not None:
            return redirect
        # Reflex runs this again after every reconnect: a sheet left open stays open while its line is still mine.
        if not any(line.id == self.line.id for group in self.groups for line in group.lines):
            self.line = TaskLineView()
        return None

    @rx.event
    async def refresh(self):
        await self._refresh()

    async def _tap(self, action: str, line_id: int):
        result = await clock_tap(self, action, line_id)
        await self._refresh()
        return result

    @rx.event
    async def start(self, line_id: int):
        return await self._tap("start", line_id)

    @rx.event
    async def pause(self, line_id: int):
        return await self._tap("pause", line_id)

    @rx.event
    async def finish(self, line_id: int):
        return await self._tap("finish", line_id)

    @rx.event
    async def open_scanned(self, text: str):
        """A scanned code: a vehicle card opens that vehicle's card (my lines on it, with 开工); anything else is
        told in a toast and changes nothing."""
        match = await self._in_read(lambda db, actor: vehicle_cards.scanned_vehicle(db, actor, text))
        if not match.ok:
            return rx.toast.error(match.error.message)
        return rx.redirect(f"/v/{match.value.vehicle.qr_token}")

    @rx.event
    def open_line(self, line_id: int):
        """Open the sheet of a line already on the screen (no line: nothing opens)."""
        self.note_error = ""
        self.part_choices = []
        self.chosen_part = PartChoice()
        self.part_error = ""
        self.line = TaskLineView()
        for group in self.groups:
            for line in group.lines:
                if line.id == line_id:
                    self.line, self.line_plate = line, group.plate
        self.note_text = self.line.note
        self.note_draft_restored = False

    @rx.event
    def close_line(self):
        self.line = TaskLineView()

    @rx.event
    async def save_note(self, form: dict):
        self.note_error = ""
        saved = await self._in_unit(lambda db, actor: job_clock.set_note(db, actor, self.line.id, form.get("note", "")))
        if not saved.ok:
            self.note_error = saved.error.message
            return None
        await self._refresh()
        self.note_text = saved.value.note
        self.note_draft_restored = False
        return [forget_draft(self.note_draft_key), rx.toast.success("备注已保存")]

    @rx.event
    def restore_note_draft(self, draft: dict):
        """Put back the note the browser kept for the open line, when it differs from the saved one."""
        fields = draft_fields(draft, self.note_draft_key, ("note",))
        if fields is None or not self.line.id or fields["note"] == self.line.note:
            return
        self.note_text = fields["note"]
        self.note_form_version += 1
        self.note_draft_restored = True

    @rx.event
    def discard_note_draft(self):
        self.note_text = self.line.note
        self.note_form_version += 1
        self.note_draft_restored = False
        return forget_draft(self.note_draft_key)

    @rx.event
    async def search_parts(self, form: dict):
        self.part_error = ""
        self.chosen_part = PartChoice()

        def choices(db, actor):
            found = job_clock.parts_to_request(db, actor, form.get("part_query", ""))
            return found, vehicle_cards.card_disclosure(db, actor).owner_contact_and_prices

        searched = await self._in_read(choices)
        if not searched.ok:
            self.part_error = searched.error.message
            self.part_choices = []
            return
        found, prices = searched.value
        self.part_choices = [PartChoice(id=p.id, code=p.code, name=p.name, unit=p.unit,
                                        price=money(p.sale_price) if prices else "") for p in found]
        if not found:
            self.part_error = "没有找到匹配的配件"

    @rx.event
    def choose_part(self, part_id: int):
        self.part_error = ""
        for choice in self.part_choices:
            if choice.id == part_id:
                self.chosen_part = choice

    @rx.event
    async def request_part(self, form: dict):
        """Ask the parts clerk for the chosen part. The choice is cleared on success, so a second tap already
        queued behind the first finds nothing chosen instead of asking twice."""
        self.part_error = ""
        if not self.chosen_part.id:
            self.part_error = "请先查找并选择配件"
            return None
        requested = await self._in_unit(lambda db, actor: pick_requests.request_part(
            db, actor, self.line.id, self.chosen_part.id, form.get("quantity", ""), form.get("part_note", "")))
        if not requested.ok:
            self.part_error = requested.error.message
            return None
        name = self.chosen_part.name
        self.chosen_part = PartChoice()
        self.part_choices = []
        await self._refresh()
        return rx.toast.success(f"已向配件员申请：{name}")
