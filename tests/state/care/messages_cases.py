"""Role-check cases for the delivery log (``/messages``): ``run_*`` drives a handler as the cookie's owner,
``refused_*`` checks a refused visitor saw nothing and was told.
Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES`` (name, permission, run, refused)."""

from __future__ import annotations

from sqlmodel import Session

from lantong_pwa.services.platform.permissions import Permission as P
from models import Channel, Customer, Notification, NotificationStatus
from state.care.messages import MessagesState
from tests.state.harness import drive, make_state


def add_failed_notification(session: Session, branch_id: int) -> int:
    """A message the gateway gave up on, for ``retry`` to aim at."""
    customer = Customer(branch_id=branch_id, name="关怀客户", mobile="13700137000", sms_consent=True)
    session.add(customer)
    session.flush()
    notification = Notification(branch_id=branch_id, customer_id=customer.id, message_type="inspection",
                                channel=Channel.SMS, recipient=customer.mobile, body="【测试店】年检提醒",
                                status=NotificationStatus.FAILED, attempts=5, last_error="HTTP 500")
    session.add(notification)
    session.commit()
    return notification.id


def _messages(cookie: str) -> MessagesState:
    return make_state(MessagesState, token=cookie, path="/messages")


def run_load(cookie, w):
    s = _messages(cookie)
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/messages")
    assert s.rows == []


def run_filter_status(cookie, w):
    s = _messages(cookie)
    return s, drive(s.filter_status("failed"))


def run_refresh(cookie, w):
    s = _messages(cookie)
    return s, drive(s.refresh())


def run_retry(cookie, w):
    s = _messages(cookie)
    return s, drive(s.retry(w.failed_notification_id))


def refused_change(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.rows == []


CASES = [
    ("MessagesState.load", P.CUSTOMER_CARE, run_load, refused_load),
    ("MessagesState.filter_status", P.CUSTOMER_CARE, run_filter_status, refused_change),
    ("MessagesState.refresh", P.CUSTOMER_CARE, run_refresh, refused_change),
    ("MessagesState.retry", P.CUSTOMER_CARE, run_retry, refused_change),
]
UI_ONLY: dict[str, tuple] = {}
