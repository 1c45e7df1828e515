"""The delivery log (``/messages``, 发送记录): the branch's recent messages, every attempt, and 重试 for failed ones."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.notifications import templates
from lantong_pwa.services.care import messaging
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.timezone import format_local
from models import Channel, NotificationStatus
from state.platform.session import Outcome, SessionState
from state.platform.views import mask_mobile

STATUS_COLOURS = {"queued": "blue", "sent": "green", "failed": "red", "skipped": "gray"}


@dataclasses.dataclass
class AttemptRow:
    number: str = ""
    at: str = ""
    ok: bool = False
    outcome: str = ""  # "HTTP 200 · 120毫秒", "超时（10秒）" …


@dataclasses.dataclass
class MessageRow:
    id: int = 0
    created: str = ""
    kind: str = ""  # 年检提醒 …
    channel: str = ""
    recipient: str = ""  # masked mobile
    customer: str = ""
    body: str = ""
    status: str = ""
    status_label: str = ""
    colour: str = "gray"
    note: str = ""  # why it was skipped, the last error, or when it goes out next
    attempts: list[AttemptRow] = dataclasses.field(default_factory=list)
    can_retry: bool = False


def _attempt_row(attempt) -> AttemptRow:
    outcome = attempt.error or (f"HTTP {attempt.http_status}" if attempt.http_status else "已送达")
    if attempt.duration_ms:
        outcome += f" · {attempt.duration_ms}毫秒"
    return AttemptRow(number=f"第{attempt.attempt_no}次", at=format_local(attempt.created_at, "%m-%d %H:%M:%S"),
                      ok=attempt.ok, outcome=outcome)


def _row(entry: messaging.LogEntry) -> MessageRow:
    n = entry.notification
    status = NotificationStatus(n.status)
    if status == NotificationStatus.SKIPPED:
        note = n.skip_reason
    elif status == NotificationStatus.QUEUED:
        note = f"预计 {format_local(n.next_attempt_at)} 发送" + (f"（上次失败：{n.last_error}）" if n.last_error else "")
    else:
        note = n.last_error if status == NotificationStatus.FAILED else ""
    return MessageRow(
        id=n.id, created=format_local(n.created_at), kind=templates.label(n.message_type),
        channel=Channel(n.channel).label, recipient=mask_mobile(n.recipient), customer=entry.customer_name,
        body=n.body, status=status.value, status_label=status.label, colour=STATUS_COLOURS[status.value], note=note,
        attempts=[_attempt_row(a) for a in entry.attempts], can_retry=status == NotificationStatus.FAILED,
    )


class MessagesState(SessionState):
    status_filter: str = ""
    rows: list[MessageRow] = []
    error: str = ""

    @rx.var
    def status_options(self) -> list[list[str]]:
        return [["", "全部"], *([status.value, status.label] for status in NotificationStatus)]

    def _refresh(self, db, actor) -> None:
        self.rows = [_row(entry) for entry in messaging.delivery_log(db, actor, self.status_filter)]

    async def _show(self, action=None) -> bool:
        """Run ``action`` (a service call, its own unit of work) as the signed-in user, then show the log as it now
        is (nothing at all to someone who may not see it); False when something was refused."""
        done = await self._in_unit(action) if action is not None else Outcome()
        shown = await self._in_read(self._refresh)
        if not shown.ok:
            self.rows = []
        self.error = next((outcome.error.message for outcome in (done, shown) if outcome.error), "")
        return not self.error

    @rx.event
    async def load(self):
        redirect = await self._guard(Permission.CUSTOMER_CARE)
        if redirect is not None:
            return redirect
        await self._show()
        return None

    @rx.event
    async def filter_status(self, status: str):
        self.status_filter = status if status in {s.value for s in NotificationStatus} else ""
        await self._show()

    @rx.event
    async def refresh(self):
        await self._show()

    @rx.event
    async def retry(self, notification_id: int):
        if await self._show(lambda db, actor: messaging.retry(db, actor, int(notification_id))):
            return rx.toast.success("已重新排队发送")
        return None
