"""A customer's monthly statement by signed link: one link per month, signed and expiring, answered once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import func, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.care import follow_ups
from lantong_pwa.services.finance import statement_links
from lantong_pwa.services.finance.statement_links import (
    StatementLinkAnswered,
    StatementLinkExpired,
    StatementLinkInvalid,
    StatementLinkUnknown,
)
from lantong_pwa.services.platform.rate_limit import RateLimited
from models import AuditEvent, Notification, StatementLink, StatementLinkStatus
from tests.conftest import refusal
from tests.services.finance.receivable_rows import add_customer, add_owed

D = Decimal
NOW = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)


@pytest.fixture
def fleet(session, shop):
    customer = add_customer(session, shop.branch.id)
    add_owed(session, customer, "500", date(2026, 8, 20))
    add_owed(session, customer, "120", date(2026, 9, 3))
    return customer


def sent(session, shop, fleet, month="2026-09", now=NOW):
    link, url = statement_links.send(session, shop.cashier, fleet.id, month, now)
    session.commit()
    return link, url.rsplit("/s/", 1)[1]


def test_a_link_per_month_sent_again_is_the_same_link_renewed(session, shop, fleet):
    link, token = sent(session, shop, fleet)
    assert (link.month, link.closing, link.status) == (date(2026, 9, 1), D("620.00"), StatementLinkStatus.SENT)
    again, token2 = sent(session, shop, fleet, now=NOW + timedelta(days=3))
    assert again.id == link.id and token2 != token
    assert session.exec(select(func.count()).select_from(StatementLink)).one() == 1
    view = statement_links.public_view(session, statement_links.verify_token(session, token2, NOW))
    assert (view.statement.opening, view.statement.closing, len(view.statement.lines)) == (
        D("500.00"), D("620.00"), 1)
    assert session.exec(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "statement_link.send")).one() == 2


def test_the_customer_confirms_once(session, shop, fleet, units):
    link, token = sent(session, shop, fleet)
    with units() as unit:
        statement_links.count_submit(unit, token, "1.2.3.4", NOW)
    with units() as unit:
        statement_links.answer(unit, token, True, "", NOW)
    session.expire_all()
    done = session.get(StatementLink, link.id)
    assert (done.status, done.answered_closing, done.answered_at is not None) == (
        StatementLinkStatus.CONFIRMED, D("620.00"), True)
    with pytest.raises(StatementLinkAnswered), units() as unit:
        statement_links.answer(unit, token, False, "金额不对", NOW)
    with pytest.raises(StatementLinkAnswered), units() as unit:
        statement_links.count_submit(unit, token, "1.2.3.4", NOW)
    session.expire_all()
    assert session.get(StatementLink, link.id).status == StatementLinkStatus.CONFIRMED
    # still opens, to show the answer
    assert statement_links.verify_token(session, token, NOW).status == StatementLinkStatus.CONFIRMED
    listed = statement_links.links_of(session, shop.manager, fleet.id)
    assert [(x.month, x.status) for x in listed] == [(date(2026, 9, 1), StatementLinkStatus.CONFIRMED)]


def test_a_dispute_needs_its_note(session, shop, fleet):
    link, token = sent(session, shop, fleet)
    with refusal(session, FormErrors) as caught:
        statement_links.answer(session, token, False, "  ", NOW)
    assert caught.value.errors == {"note": "请写明有异议的单据或金额"}
    statement_links.answer(session, token, False, "9月3日挂账不是我们的车", NOW)
    session.commit()
    session.expire_all()
    done = session.get(StatementLink, link.id)
    assert (done.status, done.note) == (StatementLinkStatus.DISPUTED, "9月3日挂账不是我们的车")


def test_bad_and_expired_tokens(session, shop, fleet):
    link, token = sent(session, shop, fleet)
    link_id, nonce, expires, signature = token.split(".")
    for bad in ("", "abc", f"{link_id}.{nonce}.{int(expires) + 999}.{signature}", f"{link_id}.x{nonce}.{expires}.x",
                token[:-2]):
        with pytest.raises(StatementLinkInvalid):
            statement_links.verify_token(session, bad, NOW)
    with pytest.raises(StatementLinkExpired):
        statement_links.verify_token(session, token, NOW + timedelta(days=statement_links.LINK_VALID_DAYS))
    session.delete(link)
    session.commit()
    with pytest.raises(StatementLinkUnknown):
        statement_links.verify_token(session, token, NOW)


def test_a_follow_up_token_does_not_open_a_statement(session, shop, fleet):
    link, token = sent(session, shop, fleet)
    link_id, nonce, expires, _ = token.split(".")
    as_follow_up = f"{link_id}.{nonce}.{expires}." + follow_ups.signed_links.signature("", int(link_id), nonce,
                                                                                         int(expires))
    with pytest.raises(StatementLinkInvalid):
        statement_links.verify_token(session, as_follow_up, NOW)


def test_submits_are_rate_limited_per_link(session, shop, fleet, units):
    _, token = sent(session, shop, fleet)
    for n in range(statement_links.SUBMITS_PER_LINK):
        with units() as unit:
            statement_links.count_submit(unit, token, f"10.0.0.{n}", NOW)
    with pytest.raises(RateLimited), units() as unit:
        statement_links.count_submit(unit, token, "10.0.0.99", NOW)


def test_who_may_send_and_which_months(session, shop, fleet):
    with refusal(session, PermissionDenied):
        statement_links.send(session, shop.manager, fleet.id, "2026-09", NOW)
    with refusal(session, DomainError, match="不能发送未来月份"):
        statement_links.send(session, shop.cashier, fleet.id, "2026-11", NOW)
    with refusal(session, NotFound):
        statement_links.send(session, shop.cashier, 10**6, "2026-09", NOW)


def test_the_link_texted_to_the_customer_once(session, shop, fleet):
    fleet.sms_consent = True
    session.add(fleet)
    session.commit()
    link, url = statement_links.send(session, shop.cashier, fleet.id, "2026-09", NOW, text_key="t1")
    statement_links.send(session, shop.cashier, fleet.id, "2026-09", NOW, text_key="t1")  # a double tap
    session.commit()
    [message] = session.exec(select(Notification)).all()
    assert (message.message_type, message.customer_id) == ("statement", fleet.id)
    assert url in message.body and "2026年09月" in message.body
