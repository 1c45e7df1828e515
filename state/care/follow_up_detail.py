"""One follow-up for staff (``/follow-ups/<id>``, 回访详情): the order and customer, the customer's answer, the
phone calls made, the form to record a call, and sending the personal link. The reminder centre opens it."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.services.care import follow_ups
from lantong_pwa.services.care.follow_ups import ASPECTS, RATING_LABELS, CallForm
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.services.workshop.vehicle_cards import qr_data_uri
from lantong_pwa.timezone import format_local
from models import CallResult, FollowUpChannel, FollowUpStatus, NotificationStatus
from state.platform.session import SessionState, new_request_key

CALL_RESULTS = [[result.value, result.label] for result in CallResult]


@dataclasses.dataclass
class CallView:
    when: str = ""
    who: str = ""
    result: str = ""
    satisfaction: str = ""
    handling: str = ""


class FollowUpDetailState(SessionState):
    found: bool = False
    error: str = ""
    errors: dict[str, str] = {}
    status: str = ""
    status_value: str = ""
    order_number: str = ""
    closed: str = ""
    due_on: str = ""
    customer: str = ""
    mobile: str = ""
    plate: str = ""
    answered: str = ""  # 2026-12-04 10:00 · 客户自助
    ratings: list[list[str]] = []  # [label, "★★★★☆ 4"]
    comment: str = ""
    problem_unsolved: bool = False
    calls: list[CallView] = []
    complaint_ref: int = 0  # the complaint this follow-up raised
    complaint_number: str = ""
    link: str = ""
    link_sent: str = ""
    qr: str = ""
    call_key: str = ""
    send_key: str = ""
    call_result: str = CallResult.REACHED.value

    @rx.var
    def call_results(self) -> list[list[str]]:
        return CALL_RESULTS

    def _follow_up_id(self) -> int:
        raw = str(self.follow_up_id or "")
        return int(raw) if raw.isdigit() else 0

    def _clear(self) -> None:
        self.found = False
        self.customer = self.mobile = self.plate = self.link = self.qr = self.comment = ""
        self.ratings, self.calls = [], []

    def _show(self, db, actor) -> None:
        detail = follow_ups.follow_up_detail(db, actor, self._follow_up_id())
        follow_up, order = detail.follow_up, detail.order
        status = FollowUpStatus(follow_up.status)
        self.status, self.status_value = status.label, status.value
        self.order_number = order.number
        self.closed = format_local(order.closed_at)
        self.due_on = str(follow_up.due_on or "")
        self.customer, self.mobile, self.plate = detail.customer.name, detail.customer.mobile, detail.vehicle.plate
        self.answered = "" if follow_up.answered_at is None else \
            f"{format_local(follow_up.answered_at)} · {FollowUpChannel(follow_up.answered_via).label}"
        self.ratings = [[RATING_LABELS[field], "★" * value + "☆" * (5 - value) + f" {value}"]
                        for field in ("overall", *ASPECTS) if (value := getattr(follow_up, field)) is not None]
        self.comment, self.problem_unsolved = follow_up.comment, follow_up.problem_unsolved
        self.calls = [CallView(when=format_local(call.created_at), who=user.display_name,
                               result=CallResult(call.result).label,
                               satisfaction=f"{call.satisfaction}星" if call.satisfaction else "",
                               handling=call.handling) for call, user in detail.calls]
        self.complaint_ref, self.complaint_number = detail.complaint_id or 0, detail.complaint_number
        self.link = detail.link
        self.link_sent = format_local(follow_up.link_sent_at)
        self.qr = qr_data_uri(detail.link) if status == FollowUpStatus.OPEN else ""
        self.found = True

    @rx.event
    async def load(self):
        self._clear()
        self.errors = {}
        self.call_key, self.send_key = new_request_key(), new_request_key()
        self.call_result = CallResult.REACHED.value
        shown = await self._in_read(self._show, page=Permission.CUSTOMER_CARE)
        if shown.redirect is not None:
            return shown.redirect
        self.error = "" if shown.ok else shown.error.message
        return None

    @rx.event
    def choose_result(self, result: str):
        self.call_result = result if result in CallResult._value2member_map_ else CallResult.REACHED.value

    @rx.event
    async def record_call(self, form: dict):
        call = CallForm(result=self.call_result, satisfaction=form.get("satisfaction", ""),
                        problem_unsolved=bool(form.get("problem_unsolved")), handling=form.get("handling", ""),
                        request_key=form.get("request_key", "") or self.call_key)
        recorded = await self._in_unit(lambda db, actor: (follow_ups.record_call(db, actor, self._follow_up_id(), call),
                                                    self._show(db, actor)))
        self.errors = recorded.field_errors
        if not recorded.ok:
            return None
        self.call_key = new_request_key()
        return rx.toast.success("已记录电话回访" + (f"，已生成投诉 {self.complaint_number}" if self.complaint_number
                                              else ""))

    @rx.event
    async def send_link(self):
        def send(db, actor):
            sent = follow_ups.send_link(db, actor, self._follow_up_id(), self.send_key)
            self._show(db, actor)
            return sent

        sent = await self._in_unit(send)
        self.errors = {} if sent.ok else {"send": sent.error.message}
        if not sent.ok:
            return None
        self.send_key = new_request_key()
        status = NotificationStatus(sent.value.status)
        if status == NotificationStatus.SKIPPED:
            return rx.toast.warning(f"未发送：{sent.value.skip_reason}")
        return rx.toast.success(f"回访链接{status.label}")
