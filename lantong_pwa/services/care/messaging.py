"""Messages to customers (X4): queue a rendered Chinese template, deliver what is due, keep every attempt.

Rules, all here:
- the channel comes from the gateway configuration (``lantong_pwa/notifications/config.py``); ``log`` by default;
- a customer's consent is per channel (``sms_consent``, ``webhook_consent``; ``log`` needs none). Without it the
  message is recorded as SKIPPED with the reason and never sent; consent is checked again just before sending;
- no SMS in quiet hours (default 21:00–08:00 Asia/Shanghai): the message waits until they end;
- a failed try is retried with exponential backoff (longer if the provider's Retry-After says so); 4xx other
  than 408/429 is final; after the last try: FAILED;
- every try is a ``DeliveryAttempt`` row; a message is claimed (a conditional UPDATE) before it is sent, so two
  processes delivering at once never send one message twice.
Time is passed in (``now``) so tests drive the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from lantong_pwa.errors import DomainError
from lantong_pwa.notifications import gateway, templates
from lantong_pwa.notifications.config import NotifyConfig, get_notify_config
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch, sees_all_branches
from models import Branch, Channel, Customer, DeliveryAttempt, Notification, NotificationStatus, User
from models.common import utc_now

CLAIM_GRACE = timedelta(seconds=60)  # a claimed message whose sender died is tried again after timeout + this
MAX_REQUEST_KEY = 64
MAX_RETRY_AFTER = timedelta(hours=1)  # a provider's Retry-After is honoured up to this
CONSENT_REASONS = {Channel.SMS: "客户未同意短信通知", Channel.WEBHOOK: "客户未同意Webhook通知"}


def _consent_missing(customer: Customer | None, channel: Channel) -> str:
    """Why the customer may not be reached on ``channel`` ("" when they may)."""
    if channel == Channel.LOG:
        return ""
    if customer is None:
        return "客户不存在"
    if not (customer.mobile or "").strip():
        return "客户没有手机号"
    consented = customer.sms_consent if channel == Channel.SMS else customer.webhook_consent
    return "" if consented else CONSENT_REASONS[channel]


def queue_message(
    session: Session,
    *,
    customer: Customer,
    message_type: str,
    fields: dict[str, str],
    actor: User | None,
    reminder_id: int | None = None,
    follow_up_id: int | None = None,
    request_key: str | None = None,
    now: datetime | None = None,
    config: NotifyConfig | None = None,
) -> Notification:
    """Render ``message_type`` with ``fields`` for ``customer`` and queue it on the configured channel.

    ``shop`` (the branch's name) and ``name`` (the customer's) are filled in unless given. A template field left
    empty is a ``DomainError`` now, not a failure at send time. Without the customer's consent the row is SKIPPED;
    an SMS queued in quiet hours waits for their end. A repeated ``request_key`` returns the earlier row.
    Adds and flushes; the caller commits.
    """
    config = config or get_notify_config()
    now = now or utc_now()
    key = (request_key or "").strip() or None
    if key is not None:
        if len(key) > MAX_REQUEST_KEY:
            raise DomainError("请求无效，请刷新页面后重试")
        earlier = session.exec(select(Notification).where(Notification.branch_id == customer.branch_id,
                                                          Notification.request_key == key)).first()
        if earlier is not None:
            return earlier
    branch = session.get(Branch, customer.branch_id)
    values = {"shop": branch.name if branch else "", "name": customer.name, **fields}
    body, used = templates.render(message_type, values)
    channel = config.channel
    reason = _consent_missing(customer, channel)
    notification = Notification(
        branch_id=customer.branch_id, customer_id=customer.id, reminder_id=reminder_id, follow_up_id=follow_up_id,
        message_type=message_type, channel=channel, recipient=customer.mobile or "", body=body,
        template_fields=used, request_key=key, created_by_id=actor.id if actor else None, created_at=now,
    )
    if reason:
        notification.status = NotificationStatus.SKIPPED
        notification.skip_reason = reason
    else:
        quiet_end = config.quiet_hours.end_of(now) if channel == Channel.SMS else None
        notification.next_attempt_at = quiet_end or now
    session.add(notification)
    session.flush()
    if actor is not None:
        audit.record(session, actor, "notification.queue", "notification", notification.id,
                     branch_id=notification.branch_id, message_type=message_type, channel=channel.value,
                     customer_id=customer.id, status=notification.status.value, skip_reason=reason)
    return notification


def _fresh(session: Session, model, row_id: int):
    return session.exec(select(model).where(model.id == row_id).execution_options(populate_existing=True)).first()


def _defer_quiet_sms(session: Session, now: datetime, config: NotifyConfig) -> None:
    """SMS falling due in quiet hours (a retry, a queue made before they began) wait until the hours end."""
    quiet_end = config.quiet_hours.end_of(now)
    if quiet_end is None:
        return
    session.execute(update(Notification)
                    .where(col(Notification.status) == NotificationStatus.QUEUED,
                           col(Notification.channel) == Channel.SMS,
                           col(Notification.next_attempt_at) <= now)
                    .values(next_attempt_at=quiet_end))


def _due(session: Session, now: datetime, config: NotifyConfig, limit: int) -> list[int]:
    """The messages to try at ``now``, oldest due first (quiet-hours SMS put off first)."""
    _defer_quiet_sms(session, now, config)
    return list(session.exec(select(Notification.id)
                             .where(col(Notification.status) == NotificationStatus.QUEUED,
                                    col(Notification.next_attempt_at) <= now)
                             .order_by(col(Notification.next_attempt_at), col(Notification.id))
                             .limit(limit)).all())


def _claim(session: Session, notification_id: int, now: datetime, config: NotifyConfig) -> gateway.Message | None:
    """Take the message for this process (only one caller's conditional UPDATE finds it still due) and return what
    to send; ``None`` when another process has it, it is no longer due, or the customer withdrew consent since it
    was queued (then it is SKIPPED)."""
    claimed_until = now + timedelta(seconds=config.timeout) + CLAIM_GRACE
    result = session.execute(update(Notification)
                             .where(col(Notification.id) == notification_id,
                                    col(Notification.status) == NotificationStatus.QUEUED,
                                    col(Notification.next_attempt_at) <= now)
                             .values(next_attempt_at=claimed_until))
    if result.rowcount != 1:
        return None
    notification = _fresh(session, Notification, notification_id)
    customer = _fresh(session, Customer, notification.customer_id) if notification.customer_id else None
    reason = _consent_missing(customer, notification.channel)
    if reason:
        notification.status = NotificationStatus.SKIPPED
        notification.skip_reason = reason
        notification.next_attempt_at = None
        session.add(notification)
        session.flush()
        return None
    return gateway.Message(notification_id=notification.id, channel=notification.channel,
                           message_type=notification.message_type, recipient=notification.recipient,
                           text=notification.body, fields=dict(notification.template_fields or {}),
                           customer_id=notification.customer_id)


def _record(session: Session, notification_id: int, outcome: gateway.Outcome, now: datetime,
            config: NotifyConfig) -> None:
    notification = _fresh(session, Notification, notification_id)
    earlier = session.exec(select(func.count()).select_from(DeliveryAttempt)
                           .where(DeliveryAttempt.notification_id == notification.id)).one()
    session.add(DeliveryAttempt(notification_id=notification.id, attempt_no=earlier + 1, ok=outcome.ok,
                                http_status=outcome.http_status, error=outcome.error[:300],
                                duration_ms=outcome.duration_ms, created_at=now))
    notification.attempts += 1
    if outcome.ok:
        notification.status = NotificationStatus.SENT
        notification.sent_at = now
        notification.next_attempt_at = None
        notification.last_error = ""
    elif outcome.retryable and notification.attempts < config.max_attempts:
        wait = config.retry_delay(notification.attempts)
        if outcome.retry_after:  # the provider asked for longer (within reason)
            wait = max(wait, min(timedelta(seconds=outcome.retry_after), MAX_RETRY_AFTER))
        notification.next_attempt_at = now + wait
        notification.last_error = outcome.error[:300]
    else:
        notification.status = NotificationStatus.FAILED
        notification.next_attempt_at = None
        notification.last_error = outcome.error[:300]
    session.add(notification)
    session.flush()


def deliver_due(units: Callable[[], AbstractContextManager[Session]], now: datetime | None = None, *,
                config: NotifyConfig | None = None, limit: int = 500) -> int:
    """Send the queued messages due at ``now`` (at most ``limit``); returns how many were delivered. Safe to call
    from several processes at once.

    A batch job, so it runs several units of work from ``units`` (the boundary's ``unit_of_work``): the due list is
    read in one; then each message is claimed in a unit of its own, committed at once so no other process sends it
    too; it is sent outside any transaction, so no database lock is held while the provider answers; and its outcome
    is recorded in another unit. A failure with one message never undoes what was recorded for the others.
    """
    config = config or get_notify_config()
    now = now or utc_now()
    with units() as session:
        due = _due(session, now, config, limit)
    delivered = 0
    with httpx.Client(timeout=config.timeout) as client:
        for notification_id in due:
            with units() as session:
                message = _claim(session, notification_id, now, config)
            if message is None:
                continue
            outcome = gateway.deliver(client, config, message)
            with units() as session:
                _record(session, notification_id, outcome, now, config)
            delivered += outcome.ok
    return delivered


# --- the delivery log (发送记录) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    notification: Notification
    customer_name: str
    attempts: list[DeliveryAttempt]


def delivery_log(session: Session, actor: User, status: str = "", limit: int = 100) -> list[LogEntry]:
    """The branch's most recent messages (admins: every branch), newest first, each with its attempts."""
    require(actor, Permission.CUSTOMER_CARE)
    query = select(Notification, Customer.name).join(Customer, isouter=True,
                                                     onclause=col(Customer.id) == col(Notification.customer_id))
    if not sees_all_branches(actor):
        query = query.where(Notification.branch_id == actor.branch_id)
    if status:
        try:
            query = query.where(col(Notification.status) == NotificationStatus(status))
        except ValueError:
            raise DomainError("状态无效", field="status") from None
    rows = session.exec(query.order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
                        .limit(limit)).all()
    ids = [notification.id for notification, _ in rows]
    attempts: dict[int, list[DeliveryAttempt]] = {}
    if ids:
        for attempt in session.exec(select(DeliveryAttempt).where(col(DeliveryAttempt.notification_id).in_(ids))
                                    .order_by(col(DeliveryAttempt.attempt_no))).all():
            attempts.setdefault(attempt.notification_id, []).append(attempt)
    return [LogEntry(notification, name or "", attempts.get(notification.id, [])) for notification, name in rows]


def retry(session: Session, actor: User, notification_id: int, now: datetime | None = None) -> Notification:
    """Queue a FAILED message again for a fresh round of tries (a repeated tap finds it already queued)."""
    require(actor, Permission.CUSTOMER_CARE)
    notification = row_in_branch(session, actor, Notification, notification_id, "消息不存在")
    if notification.status == NotificationStatus.QUEUED:
        return notification
    if notification.status != NotificationStatus.FAILED:
        raise DomainError("只有发送失败的消息可以重试")
    now = now or utc_now()
    notification.status = NotificationStatus.QUEUED
    notification.attempts = 0
    notification.next_attempt_at = now
    session.add(notification)
    audit.record(session, actor, "notification.retry", "notification", notification.id,
                 branch_id=notification.branch_id, message_type=notification.message_type,
                 last_error=notification.last_error)
    session.flush()
    return notification
