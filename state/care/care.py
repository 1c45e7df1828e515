"""The reminder centre (``/care``, 客户关怀中心): counts per urgency band, the entries to contact most urgent first,
and 已联系 / 推迟 / 发送提醒 on each."""

from __future__ import annotations

import dataclasses
from datetime import date

import reflex as rx

from lantong_pwa.notifications import templates
from lantong_pwa.services.care import reminders
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.services.care.reminders import Band, ReminderEntry
from lantong_pwa.timezone import format_local, local_day
from models import Channel, NotificationStatus, ReminderKind
from models.common import utc_now
from state.platform.session import Outcome, SessionState, new_request_key
from state.platform.views import mask_mobile

SNOOZE_DAYS = (3, 7, 30)
BAND_COLOURS = {Band.OVERDUE: "red", Band.TODAY: "orange", Band.WEEK: "orange", Band.MONTH: "gray", Band.LATER: "gray"}
NOTICE_COLOURS = {"queued": "blue", "sent": "green", "failed": "red", "skipped": "gray"}


def _today() -> date:
    return local_day(utc_now())


@dataclasses.dataclass
class ReminderRow:
    id: int = 0
    kind: str = ""
    kind_label: str = ""
    band: str = ""
    band_label: str = ""
    colour: str = "gray"
    due: str = ""  # 2026-12-06（5天后）
    detail: str = ""
    customer: str = ""
    mobile: str = ""  # masked
    tel: str = ""  # tel: link with the full number
    plate: str = ""
    follow_up_url: str = ""
    notice: str = ""  # the last message sent: 短信 · 已发送 · 12-01 10:05
    notice_colour: str = "gray"
    send_key: str = ""  # the request key a second tap on 发送提醒 repeats


@dataclasses.dataclass
class BandCount:
    band: str = ""
    label: str = ""
    count: int = 0
    colour: str = "gray"


def _due_text(due_on: date, today: date) -> str:
    days = (due_on - today).days
    when = "今天" if days == 0 else (f"{days}天后" if days > 0 else f"逾期{-days}天")
    return f"{due_on.isoformat()}（{when}）"


def _notice(entry: ReminderEntry) -> tuple[str, str]:
    note = entry.notification
    if note is None:
        return "", "gray"
    status = NotificationStatus(note.status)
    parts = [templates.label(note.message_type), Channel(note.channel).label, status.label,
             format_local(note.created_at, "%m-%d %H:%M")]
    if status == NotificationStatus.SKIPPED and note.skip_reason:
        parts.append(note.skip_reason)
    return " · ".join(parts), NOTICE_COLOURS[status.value]


def reminder_row(entry: ReminderEntry, today: date) -> ReminderRow:
    r, customer = entry.reminder, entry.customer
    notice, notice_colour = _notice(entry)
    return ReminderRow(
        id=r.id, kind=ReminderKind(r.kind).value, kind_label=ReminderKind(r.kind).label, band=entry.band.value,
        band_label=entry.band.label, colour=BAND_COLOURS[entry.band], due=_due_text(r.due_on, today),
        detail=r.detail, customer=customer.name, mobile=mask_mobile(customer.mobile), tel=f"tel:{customer.mobile}",
        plate=entry.vehicle.plate if entry.vehicle else "",
        follow_up_url=f"/follow-ups/{r.follow_up_id}" if r.follow_up_id else "",
        notice=notice, notice_colour=notice_colour, send_key=new_request_key(),
    )


class CareState(SessionState):
    rows: list[ReminderRow] = []
    counts: list[BandCount] = []
    band_filter: str = ""
    kind_filter: str = ""
    contacting_id: int = 0  # the entry whose 已联系 form is open
    error: str = ""
    contact_error: str = ""

    @rx.var
    def kind_options(self) -> list[list[str]]:
        return [["", "全部类型"], *([kind.value, kind.label] for kind in ReminderKind)]

    @rx.var
    def snooze_options(self) -> list[int]:
        return list(SNOOZE_DAYS)

    @rx.var
    def total(self) -> int:
        return sum(c.count for c in self.counts)

    def _list(self, db, actor, today: date) -> None:
        entries = reminders.list_reminders(db, actor, today=today, band=self.band_filter or None,
                                           kind=self.kind_filter or None)
        counts = reminders.band_counts(db, actor, today=today)
        self.rows = [reminder_row(entry, today) for entry in entries]
        self.counts = [BandCount(band=b.value, label=b.label, count=n, colour=BAND_COLOURS[b])
                       for b, n in counts.items() if b != Band.LATER or n]

    async def _show(self, action=None) -> Outcome:
        """Run ``action`` (one service call, its own unit of work) as the signed-in user, then show the list as it
        now is (nothing to someone who may not see it). Returns the action's outcome; ``error`` says what was
        refused."""
        today = _today()
        done = await self._in_unit(lambda db, actor: action(db, actor, today)) if action is not None else Outcome()
        shown = await self._in_read(lambda db, actor: self._list(db, actor, today))
        if not shown.ok:
            self.rows, self.counts = [], []
        self.error = next((outcome.error.message for outcome in (done, shown) if outcome.error), "")
        return done

    @rx.event
    async def load(self):
        redirect = await self._guard(Permission.CUSTOMER_CARE)
        if redirect is not None:
            return redirect
        self.contacting_id = 0
        self.contact_error = ""
        await self._show()
        return None

    @rx.event
    async def filter_band(self, band: str):
        self.band_filter = band if band in Band._value2member_map_ else ""
        await self._show()

    @rx.event
    async def filter_kind(self, kind: str):
        self.kind_filter = kind if kind in ReminderKind._value2member_map_ else ""
        await self._show()

    @rx.event
    def open_contact(self, reminder_id: int):
        self.contacting_id = int(reminder_id)
        self.contact_error = ""

    @rx.event
    def close_contact(self):
        self.contacting_id = 0
        self.contact_error = ""

    @rx.event
    async def mark_contacted(self, form: dict):
        try:
            reminder_id = int(form.get("reminder_id", "0") or 0)
        except ValueError:
            reminder_id = 0
        self.contact_error = ""
        result = form.get("result", "")
        done = await self._show(lambda db, actor, _today: reminders.mark_contacted(db, actor, reminder_id, result))
        if done.error is not None and done.error.field == "result":  # beside the field; the form stays open
            self.contact_error, self.error = done.error.message, ""
            return None
        if self.error:
            return rx.toast.error(self.error)
        self.contacting_id = 0
        return rx.toast.success("已记录联系结果")

    @rx.event
    async def snooze(self, reminder_id: int, days: int):
        await self._show(lambda db, actor, today: reminders.snooze(db, actor, int(reminder_id), today=today, days=days))
        if self.error:
            return rx.toast.error(self.error)
        return rx.toast.success(f"已推迟{int(days)}天")

    @rx.event
    async def send(self, reminder_id: int, request_key: str):
        sent = (await self._show(lambda db, actor, _today: reminders.send_reminder(db, actor, int(reminder_id),
                                                                              request_key))).value
        if self.error:
            return rx.toast.error(self.error)
        status = NotificationStatus(sent.status)
        if status == NotificationStatus.SKIPPED:
            return rx.toast.warning(f"未发送：{sent.skip_reason}")
        return rx.toast.success("提醒已发送" if status == NotificationStatus.SENT else "提醒已排队发送")

