"""Follow-ups (R15): due date at close, the signed link (tamper, expiry, foreign, replay), the public answer with its
rate limit, low ratings opening complaints, phone follow-ups, and sending the link."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

import models
from lantong_pwa import settings as app_settings
from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.care import follow_ups
from lantong_pwa.services.cashier import settlement
from lantong_pwa.services.platform import rate_limit, shop_settings
from lantong_pwa.services.workshop import order_status
from lantong_pwa.services.care.follow_ups import Answer, CallForm
from models import (
    CallResult,
    Complaint,
    ComplaintSource,
    FollowUp,
    FollowUpCall,
    FollowUpChannel,
    FollowUpStatus,
    PaymentMethod,
    RateLimitHit,
    WorkOrderStatus,
)
from tests.services.cashier.test_settlement import audit_actions, completed_order, count, lines, pay, settled_order

GOOD = Answer(overall="5", quality="5", speed="4", attitude="5", price="4", environment="5", comment="很满意")
CLOSED_AT = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)  # 2026-12-02 01:30 in Shanghai: the next shop day


def closed_follow_up(session: Session, shop, plate: str = "粤B12345") -> FollowUp:
    """A settled order closed at ``CLOSED_AT`` (the close itself is what payments/settlement call)."""
    order = settled_order(session, shop, plate=plate)
    made = session.exec(select(FollowUp).where(FollowUp.work_order_id == order.id)).one()
    made.link_expires_at = CLOSED_AT  # settling made it on the real clock: as if that was at the close too
    session.add(made)
    order_status.close_order(order, shop.cashier, session, CLOSED_AT)
    session.commit()
    return session.exec(select(FollowUp).where(FollowUp.work_order_id == order.id)).one()


def token_of(follow_up: FollowUp) -> str:
    return follow_ups.make_token(follow_up)


SOON = CLOSED_AT + timedelta(days=3)


def submit(units, token: str, given: Answer, client: str, now: datetime) -> FollowUp:
    """What the public form does: the submit counted in a unit of work of its own, then the answer in another."""
    with units() as counting:
        follow_ups.count_submit(counting, token, client, now)
    with units() as answering:
        return follow_ups.answer(answering, token, given, now)


# --- due date when the order closes -----------------------------------------------------------------------------


def test_full_payment_closes_the_order_and_the_follow_up_falls_due(session, shop):
    order = settled_order(session, shop)
    pay(session, shop.cashier, order, PaymentMethod.CASH, "416", key="all")
    session.refresh(order)
    follow_up = session.exec(select(FollowUp).where(FollowUp.work_order_id == order.id)).one()
    closed_day = follow_ups.local_day(order.closed_at)
    assert order.status == WorkOrderStatus.CLOSED
    assert follow_up.due_on == closed_day + timedelta(days=3)
    assert follow_up.status == FollowUpStatus.OPEN and follow_up.customer_id == order.customer_id


def test_zero_customer_share_closes_at_settlement_with_a_follow_up(session, shop):
    order = completed_order(session, shop, parts=())
    settlement.save_terms(session, shop.advisor, order.id, settlement.Terms(lines=tuple(
        settlement.LineTerms("job", job.id, "warranty", "一汽大众") for job in lines(session, order).jobs)))
    settlement.settle(session, shop.cashier, order.id)
    follow_up = session.exec(select(FollowUp).where(FollowUp.work_order_id == order.id)).one()
    assert follow_up.due_on is not None


def test_due_day_counts_from_the_shanghai_day_and_the_branch_delay(session, shop):
    shop_settings.set_follow_up_days(session, shop.manager, "7")
    follow_up = closed_follow_up(session, shop)
    assert follow_up.due_on == date(2026, 12, 2) + timedelta(days=7)  # closed 01:30 on the 2nd, shop time
    assert follow_up.link_expires_at.replace(tzinfo=UTC) == CLOSED_AT + timedelta(days=follow_ups.LINK_VALID_DAYS)


def test_sheet_link_made_before_closing_is_the_same_row(session, shop):
    order = settled_order(session, shop)
    sheet = session.exec(select(models.Settlement).where(models.Settlement.work_order_id == order.id)).one()
    early = settlement.sheet_follow_up(session, sheet)  # made by settling, printed on the sheet
    assert early.due_on is None
    pay(session, shop.cashier, order, PaymentMethod.CASH, "416", key="all")
    session.refresh(early)
    assert early.due_on is not None
    assert count(session, FollowUp) == 1
    follow_ups.verify_token(session, token_of(early))  # the link printed earlier still opens it


def test_follow_up_days_setting_is_validated_and_audited(session, shop):
    for bad in ("0", "61", "abc", "", "3.5"):
        with pytest.raises(DomainError) as error:
            shop_settings.set_follow_up_days(session, shop.manager, bad)
        assert error.value.field == "follow_up_days"
    with pytest.raises(PermissionDenied):
        shop_settings.set_follow_up_days(session, shop.advisor, "5")
    shop_settings.set_follow_up_days(session, shop.manager, "60")
    session.refresh(shop.branch)
    assert shop.branch.follow_up_days == 60 and "branch.follow_up_days" in audit_actions(session)


# --- the signed link --------------------------------------------------------------------------------------------


def test_link_url_is_absolute_and_opens_its_own_follow_up(session, shop):
    follow_up = closed_follow_up(session, shop)
    url = follow_ups.link_url(session, follow_up)
    assert url.startswith(f"{app_settings.get_settings().public_url}/f/{follow_up.id}.")
    assert follow_ups.verify_token(session, url.rsplit("/", 1)[1], SOON).id == follow_up.id


@pytest.mark.parametrize("tamper", ["id", "nonce", "expiry", "signature", "garbage"])
def test_altered_links_are_refused(session, shop, tamper):
    first = closed_follow_up(session, shop)
    other = closed_follow_up(session, shop, plate="粤B54321")
    follow_id, nonce, expires, signature = token_of(first).split(".")
    token = {
        "id": f"{other.id}.{nonce}.{expires}.{signature}",
        "nonce": f"{follow_id}.{other.link_nonce}.{expires}.{signature}",
        "expiry": f"{follow_id}.{nonce}.{int(expires) + 86400 * 365}.{signature}",
        # One character surely changed (writing AA over the last two did nothing to a signature ending in AA).
        "signature": f"{follow_id}.{nonce}.{expires}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}",
        "garbage": "../../etc/passwd",
    }[tamper]
    with pytest.raises(follow_ups.LinkInvalid):
        follow_ups.verify_token(session, token, SOON)


def test_foreign_link_signed_with_another_secret_is_refused(session, shop, tmp_path, monkeypatch):
    follow_up = closed_follow_up(session, shop)
    genuine = token_of(follow_up)
    monkeypatch.setenv("LANTONG_DATA_DIR", str(tmp_path))  # another installation, another secret
    app_settings.get_settings.cache_clear()
    try:
        foreign = token_of(follow_up)
    finally:
        monkeypatch.undo()
        app_settings.get_settings.cache_clear()
    assert foreign != genuine
    with pytest.raises(follow_ups.LinkInvalid):
        follow_ups.verify_token(session, foreign, SOON)


def test_a_link_whose_follow_up_is_gone_is_unknown(session, shop):
    follow_up = closed_follow_up(session, shop)
    token = token_of(follow_up)
    session.delete(follow_up)
    session.commit()
    with pytest.raises(follow_ups.LinkUnknown):
        follow_ups.verify_token(session, token, SOON)


def test_links_expire_with_a_controlled_clock(session, shop, units):
    follow_up = closed_follow_up(session, shop)
    token = token_of(follow_up)
    ends = CLOSED_AT + timedelta(days=follow_ups.LINK_VALID_DAYS)
    assert follow_ups.verify_token(session, token, ends - timedelta(seconds=1)).id == follow_up.id
    with pytest.raises(follow_ups.LinkExpired):
        follow_ups.verify_token(session, token, ends)
    with pytest.raises(follow_ups.LinkExpired):
        submit(units, token, GOOD, "10.0.0.1", ends)
    session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.OPEN and count(session, RateLimitHit) == 0


# --- the customer's answer --------------------------------------------------------------------------------------


def test_good_answer_is_saved_once_and_replays_change_nothing(session, shop, units):
    follow_up = closed_follow_up(session, shop)
    token = token_of(follow_up)
    submit(units, token, GOOD, "10.0.0.1", SOON)
    session.refresh(follow_up)
    assert (follow_up.status, follow_up.answered_via, follow_up.overall, follow_up.speed, follow_up.comment) == (
        FollowUpStatus.ANSWERED, FollowUpChannel.LINK, 5, 4, "很满意")
    assert count(session, Complaint) == 0
    with pytest.raises(follow_ups.LinkAnswered):
        submit(units, token, Answer(overall="1", quality="1", speed="1", attitude="1", price="1",
                                                 environment="1", problem_unsolved=True), "10.0.0.2", SOON)
    session.refresh(follow_up)
    assert follow_up.overall == 5 and count(session, Complaint) == 0
    assert audit_actions(session).count("follow_up.answer") == 1


def test_bad_answers_save_nothing_and_name_each_field(session, shop, units):
    follow_up = closed_follow_up(session, shop)
    with pytest.raises(FormErrors) as error:
        submit(units, token_of(follow_up), Answer(overall="6", quality="", speed="4", attitude="x",
                                                               price="3", environment="0", comment="长" * 501),
                          "10.0.0.1", SOON)
    assert set(error.value.errors) == {"overall", "quality", "attitude", "environment", "comment"}
    assert "维修质量" in error.value.errors["quality"] and "500" in error.value.errors["comment"]
    session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.OPEN and follow_up.overall is None
    assert count(session, Complaint) == 0 and "follow_up.answer" not in audit_actions(session)


@pytest.mark.parametrize("answer", [
    Answer(overall="2", quality="5", speed="5", attitude="5", price="5", environment="5"),
    Answer(overall="4", quality="5", speed="5", attitude="5", price="1", environment="5"),
    Answer(overall="5", quality="5", speed="5", attitude="5", price="5", environment="5", problem_unsolved=True),
])
def test_low_rating_or_not_solved_opens_one_complaint(session, shop, answer, units):
    follow_up = closed_follow_up(session, shop)
    submit(units, token_of(follow_up), answer, "10.0.0.1", SOON)
    complaint = session.exec(select(Complaint)).one()
    assert complaint.number.startswith("TS20261205-") and complaint.source == ComplaintSource.FOLLOW_UP
    assert (complaint.follow_up_id, complaint.work_order_id, complaint.customer_id) == (
        follow_up.id, follow_up.work_order_id, follow_up.customer_id)
    assert complaint.status == models.ComplaintStatus.OPEN and complaint.created_by_id is None
    assert complaint.summary.startswith("客户评价：")
    assert ("问题未解决" in complaint.summary) == answer.problem_unsolved


def test_three_is_not_low(session, shop, units):
    follow_up = closed_follow_up(session, shop)
    submit(units, token_of(follow_up), Answer(overall="3", quality="3", speed="3", attitude="3",
                                                           price="3", environment="3"), "10.0.0.1", SOON)
    assert count(session, Complaint) == 0


def test_submits_are_rate_limited_per_link_and_per_address(session, shop, units):
    follow_up = closed_follow_up(session, shop)
    token = token_of(follow_up)
    bad = Answer(overall="")
    for _ in range(follow_ups.SUBMITS_PER_LINK):
        with pytest.raises(FormErrors):
            submit(units, token, bad, f"10.0.0.{_}", SOON)
    with pytest.raises(rate_limit.RateLimited, match="提交过于频繁"):
        submit(units, token, GOOD, "10.0.0.99", SOON)
    session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.OPEN
    # The window passes: the link may answer again, and old hits are pruned.
    later = SOON + follow_ups.SUBMIT_WINDOW + timedelta(seconds=1)
    submit(units, token, GOOD, "10.0.0.99", later)
    assert count(session, RateLimitHit) == 2
    session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.ANSWERED


def test_one_address_is_limited_across_links(session, shop, units):
    tokens = [token_of(closed_follow_up(session, shop, plate=f"粤B1234{n}")) for n in range(3)]
    used = 0
    with pytest.raises(rate_limit.RateLimited):
        while True:
            with pytest.raises(FormErrors):
                submit(units, tokens[used // follow_ups.SUBMITS_PER_LINK], Answer(), "1.2.3.4", SOON)
            used += 1
    assert used == follow_ups.SUBMITS_PER_ADDRESS
    submit(units, tokens[2], GOOD, "5.6.7.8", SOON)  # another address is not held up


def test_bad_links_record_nothing(session, shop, units):
    follow_up = closed_follow_up(session, shop)
    before = audit_actions(session)
    genuine = token_of(follow_up)
    altered = genuine[:-1] + ("y" if genuine.endswith("x") else "x")  # surely another last character
    for token in ("", "1.2.3.4", altered):
        with pytest.raises(follow_ups.LinkError):
            submit(units, token, GOOD, "10.0.0.1", SOON)
    assert count(session, RateLimitHit) == 0 and count(session, Complaint) == 0
    assert audit_actions(session) == before


def test_public_view_shows_only_masked_plate_and_surname(session, shop):
    follow_up = closed_follow_up(session, shop)
    view = follow_ups.public_view(session, follow_up)
    assert (view.masked_plate, view.greeting, view.shop, view.order_day) == (
        "粤B***45", "刘先生/女士", "测试店", date(2026, 12, 2))
    customer = session.get(models.Customer, follow_up.customer_id)
    customer.name = "欧阳娜娜"
    assert follow_ups.greeting_name(customer) == "欧阳先生/女士"
    customer.kind = models.CustomerKind.FLEET
    assert follow_ups.greeting_name(customer) == "尊敬的客户"


# --- phone follow-ups -------------------------------------------------------------------------------------------


def call(session, user, follow_up, key="c1", **fields) -> FollowUpCall:
    return follow_ups.record_call(session, user, follow_up.id, CallForm(request_key=key, **fields), SOON)


def test_reached_call_answers_the_follow_up_by_phone(session, shop):
    follow_up = closed_follow_up(session, shop)
    call(session, shop.advisor, follow_up, key="miss", result="no_answer")
    session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.OPEN
    made = call(session, shop.advisor, follow_up, result="reached", satisfaction="4", handling="客户满意")
    again = call(session, shop.advisor, follow_up, result="reached", satisfaction="4", handling="客户满意")
    assert again.id == made.id and count(session, FollowUpCall) == 2
    session.refresh(follow_up)
    assert (follow_up.status, follow_up.answered_via, follow_up.overall) == (
        FollowUpStatus.ANSWERED, FollowUpChannel.PHONE, 4)
    assert made.called_by_id == shop.advisor.id and made.result == CallResult.REACHED
    assert count(session, Complaint) == 0
    # The link is answered now.
    with pytest.raises(follow_ups.LinkAnswered):
        follow_ups.verify_token(session, token_of(follow_up), SOON)


def test_call_after_the_customer_answered_keeps_the_answer(session, shop, units):
    follow_up = closed_follow_up(session, shop)
    submit(units, token_of(follow_up), GOOD, "10.0.0.1", SOON)
    call(session, shop.manager, follow_up, result="reached", satisfaction="3")
    session.refresh(follow_up)
    assert follow_up.overall == 5 and follow_up.answered_via == FollowUpChannel.LINK


@pytest.mark.parametrize(("satisfaction", "unsolved"), [("2", False), ("5", True)])
def test_low_phone_satisfaction_or_not_solved_opens_a_complaint(session, shop, satisfaction, unsolved):
    follow_up = closed_follow_up(session, shop)
    call(session, shop.advisor, follow_up, result="reached", satisfaction=satisfaction, problem_unsolved=unsolved,
         handling="已安排返修")
    complaint = session.exec(select(Complaint)).one()
    assert complaint.source == ComplaintSource.PHONE and complaint.created_by_id == shop.advisor.id
    assert complaint.summary.startswith("电话回访：") and "已安排返修" in complaint.summary
    # A later low answer (a second call) finds the same complaint.
    call(session, shop.advisor, follow_up, key="c2", result="reached", satisfaction="1")
    assert count(session, Complaint) == 1


def test_call_form_is_validated_and_guarded(session, shop):
    follow_up = closed_follow_up(session, shop)
    with pytest.raises(FormErrors) as error:
        call(session, shop.advisor, follow_up, result="reached", satisfaction="", handling="x" * 501)
    assert set(error.value.errors) == {"satisfaction", "handling"}
    with pytest.raises(FormErrors) as error:
        call(session, shop.advisor, follow_up, result="hung_up")
    assert set(error.value.errors) == {"result"}
    with pytest.raises(FormErrors):
        call(session, shop.advisor, follow_up, result="no_answer", problem_unsolved=True)
    for role in ("technician", "parts_clerk", "cashier"):
        with pytest.raises(PermissionDenied):
            call(session, shop.users[role], follow_up, result="no_answer")
    with pytest.raises(NotFound):
        call(session, shop.other_branch_advisor, follow_up, result="no_answer")
    assert count(session, FollowUpCall) == 0


# --- sending the link -------------------------------------------------------------------------------------------


def test_send_link_queues_the_follow_up_message_once(session, shop):
    follow_up = closed_follow_up(session, shop)
    sent = follow_ups.send_link(session, shop.advisor, follow_up.id, "send-1", SOON)
    again = follow_ups.send_link(session, shop.advisor, follow_up.id, "send-1", SOON)
    assert again.id == sent.id and count(session, models.Notification) == 1
    assert sent.message_type == "follow_up" and sent.follow_up_id == follow_up.id
    session.refresh(follow_up)
    assert follow_up.link_sent_at is not None
    assert follow_ups.link_url(session, follow_up) in sent.body or sent.status == models.NotificationStatus.SKIPPED
    with pytest.raises(PermissionDenied):
        follow_ups.send_link(session, shop.technician, follow_up.id, "send-2", SOON)
    with pytest.raises(NotFound):
        follow_ups.send_link(session, shop.other_branch_advisor, follow_up.id, "send-3", SOON)


def test_send_link_refused_once_answered(session, shop, units):
    follow_up = closed_follow_up(session, shop)
    submit(units, token_of(follow_up), GOOD, "10.0.0.1", SOON)
    session.refresh(follow_up)  # answered in the form's own units
    with pytest.raises(DomainError, match="已回访"):
        follow_ups.send_link(session, shop.advisor, follow_up.id, "send-1", SOON)
    assert count(session, models.Notification) == 0
