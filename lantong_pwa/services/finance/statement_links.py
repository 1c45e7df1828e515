"""A customer's statement by signed link (对账确认, F1): the finance clerk sends or copies a link for a customer's
month; the customer opens ``<LANTONG_PUBLIC_URL>/s/<token>`` on their phone with no account, sees the month's
statement and confirms it or disputes it with a note, once; the finance screen shows 已确认/有异议 with the note.

One ``StatementLink`` per customer and month (a unique constraint). The token is signed like the follow-up link
(services/platform/signed_links.py, with its own purpose so neither opens the other) and expires
``LINK_VALID_DAYS`` after it was last sent; sending again renews the expiry of a link not yet answered. The public
form counts submits per client address and per link (rate_limit), like the follow-up form.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.care import messaging
from lantong_pwa.services.care.follow_ups import LinkError
from lantong_pwa.services.finance import allocation, statements
from lantong_pwa.services.finance.collecting import debtor
from lantong_pwa.services.finance.statements import Statement
from lantong_pwa.services.platform import audit, rate_limit, signed_links
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.permissions import Permission, require
from lantong_pwa.settings import get_settings
from lantong_pwa.timezone import local_day
from models import Branch, Customer, Direction, PartyKind, StatementLink, StatementLinkStatus, User
from models.common import utc_now

PURPOSE = "statement:"
LINK_VALID_DAYS = 30
NOTE_MAX = 500
SUBMIT_WINDOW = timedelta(minutes=10)
SUBMITS_PER_ADDRESS = 10
SUBMITS_PER_LINK = 5


class StatementLinkInvalid(LinkError):
    kind = "invalid"

    def __init__(self):
        super().__init__("链接无效：请使用门店发送的完整链接")


class StatementLinkUnknown(LinkError):
    kind = "unknown"

    def __init__(self):
        super().__init__("未找到该对账单，链接可能已作废")


class StatementLinkExpired(LinkError):
    kind = "expired"

    def __init__(self):
        super().__init__("链接已过期，请联系门店重新发送")


class StatementLinkAnswered(LinkError):
    kind = "answered"

    def __init__(self):
        super().__init__("您已确认或反馈过本月对账单，感谢您的配合")


def make_token(link: StatementLink) -> str:
    return signed_links.make(PURPOSE, link.id, link.link_nonce, link.link_expires_at)


def link_url(link: StatementLink) -> str:
    return f"{get_settings().public_url}/s/{make_token(link)}"


def _month_of(month: str, today: date) -> tuple[date, date]:
    first, last = statements.month_period(month)
    if first > today:
        raise DomainError("不能发送未来月份的对账单", field="month")
    return first, last


def send(session: Session, actor: User, customer_id: int, month: str, now: datetime | None = None, *,
         text_key: str = "") -> tuple[StatementLink, str]:
    """The customer's link for ``month`` (``YYYY-MM``): made the first time, its expiry renewed while not yet
    answered. Returns the link and its address to copy; with ``text_key`` (the form's request key) the link is also
    queued as a message to the customer (对账确认; a resent key queues it once)."""
    require(actor, Permission.COLLECT)
    customer: Customer = debtor(session, actor, PartyKind.CUSTOMER, customer_id)
    now = now or utc_now()
    first, last = _month_of(month, local_day(now))
    allocation.lock_party(session, PartyKind.CUSTOMER, customer.id)  # two taps make one link
    closing = statements.party_statement(session, customer.branch_id, PartyKind.CUSTOMER, customer.id,
                                         Direction.RECEIVABLE, customer.name, first, last).closing
    link = session.exec(select(StatementLink).where(
        StatementLink.branch_id == customer.branch_id, StatementLink.party_kind == PartyKind.CUSTOMER,
        StatementLink.party_id == customer.id, StatementLink.month == first)).first()
    expires = now + timedelta(days=LINK_VALID_DAYS)
    if link is None:
        link = StatementLink(branch_id=customer.branch_id, party_kind=PartyKind.CUSTOMER, party_id=customer.id,
                             month=first, link_nonce=secrets.token_urlsafe(16), link_expires_at=expires,
                             closing=closing, sent_by=actor.id, sent_at=now)
    elif StatementLinkStatus(link.status) == StatementLinkStatus.SENT:
        link.link_expires_at, link.closing, link.sent_by, link.sent_at = expires, closing, actor.id, now
    session.add(link)
    session.flush()
    url = link_url(link)
    notification = None
    if text_key:
        notification = messaging.queue_message(session, customer=customer, message_type="statement",
                                               fields={"date": f"{first:%Y年%m月}", "link": url}, actor=actor,
                                               request_key=text_key, now=now)
    audit.record(session, actor, "statement_link.send", "statement_link", link.id, branch_id=link.branch_id,
                 customer_id=customer.id, month=first.isoformat(), closing=str(closing),
                 notification_id=notification.id if notification else None)
    return link, url


def verify_token(session: Session, token: str, now: datetime | None = None, *, to_answer: bool = False
                 ) -> StatementLink:
    """The link behind a token that can still be opened (``to_answer``: and answered); a ``LinkError`` says why
    not. An answered link still opens, to show the answer."""
    parsed = signed_links.parse(PURPOSE, token)
    if parsed is None:
        raise StatementLinkInvalid()
    link_id, nonce, expires = parsed
    link = session.get(StatementLink, link_id)
    if link is None:
        raise StatementLinkUnknown()
    if not signed_links.nonce_matches(nonce, link.link_nonce):
        raise StatementLinkInvalid()
    if to_answer and StatementLinkStatus(link.status) != StatementLinkStatus.SENT:
        raise StatementLinkAnswered()
    if (now or utc_now()).timestamp() >= expires:
        raise StatementLinkExpired()
    return link


def _statement_of(session: Session, link: StatementLink) -> Statement:
    customer = session.get(Customer, link.party_id)
    first, last = statements.month_period(f"{link.month:%Y-%m}")
    return statements.party_statement(session, link.branch_id, PartyKind.CUSTOMER, link.party_id,
                                      Direction.RECEIVABLE, customer.name, first, last)


@dataclass(frozen=True)
class PublicView:
    """What the customer's page shows: the shop, the month's statement, and the answer once given."""

    shop: str
    statement: Statement
    status: StatementLinkStatus
    note: str


def public_view(session: Session, link: StatementLink) -> PublicView:
    return PublicView(shop=session.get(Branch, link.branch_id).name, statement=_statement_of(session, link),
                      status=StatementLinkStatus(link.status), note=link.note)


def count_submit(session: Session, token: str, client: str, now: datetime | None = None) -> StatementLink:
    """Count one submit of the public form against its rate limits, in a unit of its own before ``answer`` (as the
    follow-up form does: a refused answer rolls back its own unit, not the count)."""
    now = now or utc_now()
    link = verify_token(session, token, now, to_answer=True)
    rate_limit.hit(session, "statement_link", {f"addr:{client}": SUBMITS_PER_ADDRESS,
                                               f"link:{link.id}": SUBMITS_PER_LINK}, SUBMIT_WINDOW, now)
    return link


def answer(session: Session, token: str, confirmed: bool, note: str, now: datetime | None = None) -> StatementLink:
    """The customer confirms the month's statement, or disputes it with a note (required); recorded once with the
    closing balance they saw. A second answer is refused (``StatementLinkAnswered``)."""
    now = now or utc_now()
    link = verify_token(session, token, now, to_answer=True)
    note = (note or "").strip()
    if not confirmed and not note:
        raise FormErrors({"note": "请写明有异议的单据或金额"})
    if len(note) > NOTE_MAX:
        raise FormErrors({"note": f"说明最多{NOTE_MAX}个字"})
    link = locked(session, StatementLink, link.id)  # two tabs answering at once: the second sees the first
    verify_token(session, token, now, to_answer=True)
    link.status = StatementLinkStatus.CONFIRMED if confirmed else StatementLinkStatus.DISPUTED
    link.note = note
    link.answered_at = now
    link.answered_closing = _statement_of(session, link).closing
    session.add(link)
    audit.record(session, None, "statement_link.answer", "statement_link", link.id, branch_id=link.branch_id,
                 status=link.status.value, closing=str(link.answered_closing))
    session.flush()
    return link


def links_of(session: Session, actor: User, customer_id: int, limit: int = 12) -> list[StatementLink]:
    """The customer's statement links, latest month first."""
    customer = debtor(session, actor, PartyKind.CUSTOMER, customer_id)
    return list(session.exec(select(StatementLink).where(
        StatementLink.branch_id == customer.branch_id, StatementLink.party_kind == PartyKind.CUSTOMER,
        StatementLink.party_id == customer.id).order_by(col(StatementLink.month).desc()).limit(limit)).all())
