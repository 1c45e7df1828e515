"""Follow-ups (回访, R15): one per order, due some days after it closed, answered once by the customer's own link or
by a staff phone call. A low rating, or "问题未解决", opens a complaint for the manager.

The personal link ``<LANTONG_PUBLIC_URL>/f/<token>`` carries ``<id>.<nonce>.<expiry>.<signature>``: the follow-up's
id, its random ``link_nonce`` (128 bits), the expiry as Unix seconds, and an HMAC-SHA256 over those three with the
installation's secret key (truncated to 128 bits to keep the printed QR code small). A link expires
``LINK_VALID_DAYS`` days after the order closed (a link made before closing, e.g. on the settlement sheet printed
before payment, ``LINK_VALID_DAYS`` days after it was made); it opens only its own follow-up and takes one answer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.care import complaints, messaging
from lantong_pwa.services.platform import audit, rate_limit, signed_links
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from lantong_pwa.settings import get_settings
from lantong_pwa.timezone import local_day
from models import (
    Branch,
    CallResult,
    ComplaintSource,
    Customer,
    CustomerKind,
    FollowUp,
    FollowUpCall,
    FollowUpChannel,
    FollowUpStatus,
    Notification,
    User,
    Vehicle,
    WorkOrder,
)
from models.common import utc_now

LINK_VALID_DAYS = 30
ASPECTS = ("quality", "speed", "attitude", "price", "environment")
RATING_LABELS = {"overall": "总体评价", "quality": "维修质量", "speed": "维修速度", "attitude": "服务态度",
                 "price": "价格", "environment": "店面环境"}
LOW_RATING = 2  # this or less opens a complaint
COMMENT_MAX = 500
HANDLING_MAX = 500
# The public form: at most this many submits per client address, and per link, in the window.
SUBMIT_WINDOW = timedelta(minutes=10)
SUBMITS_PER_ADDRESS = 10
SUBMITS_PER_LINK = 5


# --- link errors: each tells the customer's page which case it is ------------------------------------------------


class LinkError(DomainError):
    """A follow-up link that cannot be answered; the subclass names why."""

    kind = "invalid"


class LinkInvalid(LinkError):
    kind = "invalid"

    def __init__(self):
        super().__init__("链接无效：请使用短信或结算单上的完整链接")


class LinkUnknown(LinkError):
    kind = "unknown"

    def __init__(self):
        super().__init__("未找到该回访，链接可能已作废")


class LinkExpired(LinkError):
    kind = "expired"

    def __init__(self):
        super().__init__("链接已过期，如需反馈请致电门店")


class LinkAnswered(LinkError):
    kind = "answered"

    def __init__(self):
        super().__init__("您已提交过本次服务的评价，感谢您的反馈")


# --- the signed token -------------------------------------------------------------------------------------------


def make_token(follow_up: FollowUp) -> str:
    return signed_links.make("", follow_up.id, follow_up.link_nonce, follow_up.link_expires_at)


def link_url(session: Session, follow_up: FollowUp) -> str:
    """The customer's personal link (absolute, for messages and the QR code)."""
    return f"{get_settings().public_url}/f/{make_token(follow_up)}"


def verify_token(session: Session, token: str, now: datetime | None = None) -> FollowUp:
    """The follow-up behind a link that can still be answered; a ``LinkError`` subclass says why not."""
    parsed = signed_links.parse("", token)
    if parsed is None:
        raise LinkInvalid()
    follow_up_id, nonce, expires = parsed
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise LinkUnknown()
    if not signed_links.nonce_matches(nonce, follow_up.link_nonce):
        raise LinkInvalid()
    if FollowUpStatus(follow_up.status) == FollowUpStatus.ANSWERED:
        raise LinkAnswered()
    if (now or utc_now()).timestamp() >= expires or FollowUpStatus(follow_up.status) == FollowUpStatus.CLOSED:
        raise LinkExpired()
    return follow_up


# --- creating and scheduling ------------------------------------------------------------------------------------


def ensure_follow_up(session: Session, order: WorkOrder, now: datetime | None = None) -> FollowUp:
    """The order's follow-up, created on first need (the settlement sheet shows its link before the order closes).
    Flushes, never commits: the caller's transaction decides."""
    follow_up = session.exec(select(FollowUp).where(FollowUp.work_order_id == order.id)).first()
    if follow_up is None:
        now = now or utc_now()
        follow_up = FollowUp(branch_id=order.branch_id, work_order_id=order.id, customer_id=order.customer_id,
                             vehicle_id=order.vehicle_id, link_nonce=secrets.token_urlsafe(16),
                             link_expires_at=now + timedelta(days=LINK_VALID_DAYS))
        session.add(follow_up)
        session.flush()
    return follow_up


def schedule_on_close(session: Session, order: WorkOrder, closed_at: datetime) -> FollowUp:
    """The order just closed: its follow-up falls due on the closed day (shop time) plus the branch's delay, and
    its link stays good for ``LINK_VALID_DAYS`` days from now."""
    follow_up = ensure_follow_up(session, order, closed_at)
    branch = session.get(Branch, order.branch_id)
    follow_up.due_on = local_day(closed_at) + timedelta(days=branch.follow_up_days)
    follow_up.link_expires_at = max(signed_links.as_utc(follow_up.link_expires_at),
                                    closed_at + timedelta(days=LINK_VALID_DAYS))
    session.add(follow_up)
    return follow_up


# --- sending the link -------------------------------------------------------------------------------------------


def greeting_name(customer: Customer) -> str:
    """How the form and messages address the customer without showing the full name: "刘先生/女士"."""
    if CustomerKind(customer.kind) != CustomerKind.INDIVIDUAL:
        return "尊敬的客户"
    name = (customer.name or "").strip()
    if not name:
        return "尊敬的客户"
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES else name[0]
    return f"{surname}先生/女士"


COMPOUND_SURNAMES = frozenset({"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
                               "司徒", "夏侯", "长孙", "宇文", "轩辕", "西门", "南宫", "独孤", "端木", "百里"})


def mask_plate(plate: str) -> str:
    """粤B12345 → 粤B***45: enough for the owner to recognise, not enough to identify the car."""
    return f"{plate[:2]}***{plate[-2:]}" if len(plate) > 4 else "***"


def send_link(session: Session, actor: User, follow_up_id: int, request_key: str,
              now: datetime | None = None) -> Notification:
    """Queue the follow-up message with the customer's personal link (a repeated key returns the earlier message)."""
    require(actor, Permission.CUSTOMER_CARE)
    key = (request_key or "").strip()
    if not key or len(key) > 36:
        raise DomainError("请求无效，请刷新页面后重试")
    follow_up = row_in_branch(session, actor, FollowUp, follow_up_id, "回访不存在")
    earlier = session.exec(select(Notification).where(Notification.branch_id == follow_up.branch_id,
                                                      Notification.request_key == key)).first()
    if earlier is not None:
        return earlier
    status = FollowUpStatus(follow_up.status)
    if status != FollowUpStatus.OPEN:
        raise DomainError(f"该回访{status.label}，无需再发送链接")
    now = now or utc_now()
    if now >= signed_links.as_utc(follow_up.link_expires_at):
        raise DomainError("回访链接已过期，请改为电话回访")
    customer = session.get(Customer, follow_up.customer_id)
    vehicle = session.get(Vehicle, follow_up.vehicle_id)
    branch = session.get(Branch, follow_up.branch_id)
    notification = messaging.queue_message(
        session, customer=customer, message_type="follow_up",
        fields={"name": greeting_name(customer), "plate": vehicle.plate, "shop": branch.name,
                "link": link_url(session, follow_up)},
        actor=actor, follow_up_id=follow_up.id, request_key=key, now=now)
    follow_up.link_sent_at = now
    session.add(follow_up)
    audit.record(session, actor, "follow_up.send_link", "follow_up", follow_up.id, branch_id=follow_up.branch_id,
                 notification_id=notification.id)
    session.flush()
    return notification


# --- the customer's answer --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What the public form sends: ratings as the buttons' values ("1"–"5"), the comment and the tick."""

    overall: str | int | None = None
    quality: str | int | None = None
    speed: str | int | None = None
    attitude: str | int | None = None
    price: str | int | None = None
    environment: str | int | None = None
    comment: str = ""
    problem_unsolved: bool = False


def _rating(value: str | int | None, field: str, errors: dict[str, str]) -> int | None:
    raw = str(value if value is not None else "").strip()
    if raw in {"1", "2", "3", "4", "5"}:
        return int(raw)
    errors[field] = f"请为“{RATING_LABELS[field]}”打1到5星"
    return None


def _validated(answer: Answer) -> dict:
    errors: dict[str, str] = {}
    values = {field: _rating(getattr(answer, field), field, errors) for field in ("overall", *ASPECTS)}
    comment = (answer.comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"留言不能超过{COMMENT_MAX}字"
    if errors:
        raise FormErrors(errors)
    return {**values, "comment": comment, "problem_unsolved": bool(answer.problem_unsolved)}


def _low_points(follow_up: FollowUp) -> list[str]:
    """Why an answer needs a complaint: each low rating, and the "not solved" tick."""
    points = [f"{RATING_LABELS[field]}{getattr(follow_up, field)}星" for field in ("overall", *ASPECTS)
              if getattr(follow_up, field) is not None and getattr(follow_up, field) <= LOW_RATING]
    if follow_up.problem_unsolved:
        points.append("问题未解决")
    return points


def needs_complaint(follow_up: FollowUp) -> bool:
    """A low rating (overall or any aspect ≤ 2) or "问题未解决"."""
    return bool(_low_points(follow_up))


def _answer_summary(follow_up: FollowUp, prefix: str, note: str) -> str:
    text = f"{prefix}：{'；'.join(_low_points(follow_up))}"
    return f"{text}。{note}" if note else text


def count_submit(session: Session, token: str, client: str, now: datetime | None = None) -> FollowUp:
    """Count one submit of the public form against its rate limits (per client address and per link); the link is
    checked first, so a bad link records nothing.

    The boundary runs this in a unit of work of its own, before the unit that records the ``answer``: a submit
    that is then refused (bad input, a second answer) rolls its own unit back, and a hit rolled back with it would
    limit nothing."""
    now = now or utc_now()
    follow_up = verify_token(session, token, now)
    rate_limit.hit(session, "follow_up_form", {f"addr:{client}": SUBMITS_PER_ADDRESS,
                                               f"link:{follow_up.id}": SUBMITS_PER_LINK}, SUBMIT_WINDOW, now)
    return follow_up


def answer(session: Session, token: str, given: Answer, now: datetime | None = None) -> FollowUp:
    """The customer's answer from the public form (no account), once its submit was counted (``count_submit``, in
    its own unit). The answer is validated (nothing saved on bad input). A low rating or "问题未解决" opens a
    complaint. A second answer is refused (``LinkAnswered``)."""
    now = now or utc_now()
    follow_up = verify_token(session, token, now)
    values = _validated(given)
    follow_up = locked(session, FollowUp, follow_up.id)  # two tabs submitting at once: the second sees the first
    verify_token(session, token, now)
    for field, value in values.items():
        setattr(follow_up, field, value)
    follow_up.status = FollowUpStatus.ANSWERED
    follow_up.answered_at = now
    follow_up.answered_via = FollowUpChannel.LINK
    session.add(follow_up)
    audit.record(session, None, "follow_up.answer", "follow_up", follow_up.id, branch_id=follow_up.branch_id,
                 via=FollowUpChannel.LINK.value, overall=follow_up.overall)
    if needs_complaint(follow_up):
        complaints.raise_complaint(session, follow_up, ComplaintSource.FOLLOW_UP,
                                   _answer_summary(follow_up, "客户评价", values["comment"]), None, now)
    session.flush()
    return follow_up


@dataclass(frozen=True)
class PublicView:
    """All the public form shows: nothing that identifies the customer or the car to a stranger."""

    greeting: str
    masked_plate: str
    shop: str
    order_day: date


def public_view(session: Session, follow_up: FollowUp) -> PublicView:
    order = session.get(WorkOrder, follow_up.work_order_id)
    return PublicView(greeting=greeting_name(session.get(Customer, follow_up.customer_id)),
                      masked_plate=mask_plate(session.get(Vehicle, follow_up.vehicle_id).plate),
                      shop=session.get(Branch, follow_up.branch_id).name,
                      order_day=local_day(order.closed_at or order.settled_at or order.created_at))


# --- phone follow-ups -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallForm:
    result: str
    request_key: str
    satisfaction: str | int | None = None  # 1–5, when reached
    problem_unsolved: bool = False
    handling: str = ""


def record_call(session: Session, actor: User, follow_up_id: int, form: CallForm,
                now: datetime | None = None) -> FollowUpCall:
    """A staff phone follow-up. A reached call with a satisfaction answers the follow-up by phone (unless the
    customer already answered); a low satisfaction or "问题未解决" opens a complaint. A resent key finds the call."""
    require(actor, Permission.CUSTOMER_CARE)
    key = (form.request_key or "").strip()
    if not key or len(key) > 36:
        raise DomainError("请求无效，请刷新页面后重试")
    follow_up = row_in_branch(session, actor, FollowUp, follow_up_id, "回访不存在")
    earlier = session.exec(select(FollowUpCall).where(FollowUpCall.request_key == key)).first()
    if earlier is not None:
        if earlier.follow_up_id != follow_up.id:
            raise DomainError("请求无效，请刷新页面后重试")
        return earlier
    errors: dict[str, str] = {}
    try:
        result = CallResult(form.result)
    except ValueError:
        result = None
        errors["result"] = "请选择通话结果"
    satisfaction = None
    if result == CallResult.REACHED:
        raw = str(form.satisfaction if form.satisfaction is not None else "").strip()
        if raw in {"1", "2", "3", "4", "5"}:
            satisfaction = int(raw)
        else:
            errors["satisfaction"] = "已接通时请选择客户满意度（1到5）"
    handling = (form.handling or "").strip()
    if len(handling) > HANDLING_MAX:
        errors["handling"] = f"处理说明不能超过{HANDLING_MAX}字"
    if form.problem_unsolved and result != CallResult.REACHED:
        errors["problem_unsolved"] = "只有接通的电话才能记录“问题未解决”"
    if errors:
        raise FormErrors(errors)
    now = now or utc_now()
    follow_up = locked(session, FollowUp, follow_up.id)
    call = FollowUpCall(branch_id=follow_up.branch_id, follow_up_id=follow_up.id, called_by_id=actor.id,
                        result=result, satisfaction=satisfaction, handling=handling, request_key=key,
                        created_at=now)
    session.add(call)
    session.flush()
    audit.record(session, actor, "follow_up.call", "follow_up", follow_up.id, branch_id=follow_up.branch_id,
                 call_id=call.id, result=result.value, satisfaction=satisfaction)
    if satisfaction is not None and FollowUpStatus(follow_up.status) == FollowUpStatus.OPEN:
        follow_up.status = FollowUpStatus.ANSWERED
        follow_up.answered_at = now
        follow_up.answered_via = FollowUpChannel.PHONE
        follow_up.overall = satisfaction
        follow_up.problem_unsolved = bool(form.problem_unsolved)
        session.add(follow_up)
    if satisfaction is not None and (satisfaction <= LOW_RATING or form.problem_unsolved):
        points = [f"满意度{satisfaction}星"] if satisfaction <= LOW_RATING else []
        points += ["问题未解决"] if form.problem_unsolved else []
        summary = f"电话回访：{'；'.join(points)}" + (f"。{handling}" if handling else "")
        complaints.raise_complaint(session, follow_up, ComplaintSource.PHONE, summary, actor, now)
    session.flush()
    return call


# --- the staff page ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpDetail:
    follow_up: FollowUp
    order: WorkOrder
    customer: Customer
    vehicle: Vehicle
    calls: list[tuple[FollowUpCall, User]]
    complaint_id: int | None
    complaint_number: str
    link: str


def follow_up_detail(session: Session, actor: User, follow_up_id: int) -> FollowUpDetail:
    require(actor, Permission.CUSTOMER_CARE)
    follow_up = row_in_branch(session, actor, FollowUp, follow_up_id, "回访不存在")
    calls = session.exec(select(FollowUpCall, User).join(User, User.id == FollowUpCall.called_by_id)
                         .where(FollowUpCall.follow_up_id == follow_up.id)
                         .order_by(col(FollowUpCall.created_at), col(FollowUpCall.id))).all()
    complaint = complaints.complaint_of_follow_up(session, follow_up.id)
    return FollowUpDetail(
        follow_up=follow_up, order=session.get(WorkOrder, follow_up.work_order_id),
        customer=session.get(Customer, follow_up.customer_id), vehicle=session.get(Vehicle, follow_up.vehicle_id),
        calls=[(call, user) for call, user in calls], complaint_id=complaint.id if complaint else None,
        complaint_number=complaint.number if complaint else "", link=link_url(session, follow_up))
