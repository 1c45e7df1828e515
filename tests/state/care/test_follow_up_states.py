"""The public follow-up form (no account), the staff follow-up page, complaints screens, the follow-up QR on the
settlement sheet and the follow-up delay on /settings, driven through their State handlers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import reflex as rx
from sqlmodel import select

import models
from lantong_pwa import db as app_db
from lantong_pwa.reflex_internals import substate
from lantong_pwa.services.care import follow_ups
from models import Complaint, ComplaintStatus, FollowUp, FollowUpStatus, PaymentMethod
from state.cashier.cashier import SettlementSheetState
from state.care.complaints import ComplaintDetailState, ComplaintsState
from state.care.follow_up_detail import FollowUpDetailState
from state.care.follow_up_form import FollowUpFormState
from state.platform.settings import SettingsState
from tests.factories import add_vehicle
from tests.services.cashier.test_settlement import pay, settled_order
from tests.state.harness import changed_tables, db_snapshot, drive, has_chinese, is_toast, make_state, set_page, token_for

LOW = {"overall": 2, "quality": 3, "speed": 3, "attitude": 3, "price": 3, "environment": 3}


@pytest.fixture
def follow_up(app_engine, shop, session) -> FollowUp:
    """The follow-up of an order paid in full (closed just now)."""
    order = settled_order(session, shop)
    pay(session, shop.cashier, order, PaymentMethod.CASH, "416", key="all")
    session.commit()  # the handlers under test read it in units of their own
    return session.exec(select(FollowUp).where(FollowUp.work_order_id == order.id)).one()


def public_form(token: str, headers: dict[str, str] | None = None) -> FollowUpFormState:
    """The form as a phone opening ``/f/<token>`` has it: no cookie at all."""
    state = substate(rx.State(), FollowUpFormState)  # a public page's state: no session cookie
    set_page(state, f"/f/{token}", route="/f/[token]", query={"token": token}, headers=headers)
    return state


def rate_all(s: FollowUpFormState, ratings: dict[str, int]) -> None:
    for field, value in ratings.items():
        s.rate(field, value)


# --- the public form --------------------------------------------------------------------------------------------


def test_customer_answers_with_a_low_rating_and_a_complaint_opens(follow_up, session, app_engine):
    s = public_form(follow_ups.make_token(follow_up))
    drive(s.load())
    assert (s.page, s.greeting, s.masked_plate, s.shop) == ("form", "刘先生/女士", "粤B***45", "测试店")
    rate_all(s, LOW)
    s.toggle_unsolved(True)
    drive(s.submit({"comment": "异响还在"}))
    assert s.page == "thanks" and "与您联系" in s.message and s.errors == {}
    session.expire_all()
    answered = session.get(FollowUp, follow_up.id)
    assert answered.status == FollowUpStatus.ANSWERED and answered.overall == 2 and answered.problem_unsolved
    complaint = session.exec(select(Complaint)).one()
    assert complaint.follow_up_id == follow_up.id and "异响还在" in complaint.summary

    again = public_form(follow_ups.make_token(follow_up))  # the same link opened a second time
    before = db_snapshot(app_engine)
    drive(again.load())
    assert again.page == "answered" and again.masked_plate == "" and has_chinese(again.message)
    drive(again.submit({"comment": "再来一次"}))
    assert db_snapshot(app_engine) == before


def test_missing_stars_are_named_and_nothing_but_the_rate_limit_hit_is_recorded(follow_up, app_engine):
    s = public_form(follow_ups.make_token(follow_up))
    drive(s.load())
    s.rate("overall", 5)
    s.rate("speed", 9)  # forged: ignored
    before = db_snapshot(app_engine)
    drive(s.submit({"comment": ""}))
    assert s.page == "form" and set(s.errors) == {"quality", "speed", "attitude", "price", "environment"}
    assert set(changed_tables(before, db_snapshot(app_engine))) == {"rate_limit_hit"}


@pytest.mark.parametrize("kind", ["invalid", "expired", "unknown"])
def test_bad_links_get_their_own_page_and_record_nothing(follow_up, session, app_engine, kind):
    token = follow_ups.make_token(follow_up)
    if kind == "invalid":
        token = token[:-3] + "abc"
    elif kind == "expired":
        follow_up.link_expires_at = follow_up.link_expires_at - timedelta(days=365)
        token = follow_ups.make_token(follow_up)  # correctly signed, a year too old
        session.rollback()
    else:  # correctly signed, for a follow-up that is not there (e.g. a database restored from a backup)
        token = follow_ups.make_token(FollowUp(id=99999, link_nonce="ghost", link_expires_at=follow_up.link_expires_at))
    before = db_snapshot(app_engine)
    s = public_form(token)
    drive(s.load())
    assert s.page == kind and has_chinese(s.message) and s.masked_plate == "" and s.greeting == ""
    rate_all(s, LOW)
    s.page = "form"  # a forged page state still cannot submit through a bad link
    drive(s.submit({"comment": "x"}))
    assert s.page == kind
    assert db_snapshot(app_engine) == before


def test_stars_and_tick_never_touch_the_database(monkeypatch):
    def no_database():
        raise AssertionError("the stars opened a database session")

    monkeypatch.setattr(app_db, "get_engine", no_database)
    s = public_form("1.x.2.y")
    s.rate("overall", 4)
    s.rate("bogus", 4)
    s.toggle_unsolved(True)
    assert s.ratings == {"overall": 4} and s.problem_unsolved is True


def test_too_many_submits_show_the_wait_page(follow_up, monkeypatch):
    monkeypatch.setattr(follow_ups, "SUBMITS_PER_LINK", 1)
    s = public_form(follow_ups.make_token(follow_up))
    drive(s.load())
    drive(s.submit({}))
    assert s.page == "form"
    drive(s.submit({}))
    assert s.page == "limited" and "分钟后再试" in s.message


def test_behind_a_trusted_proxy_each_customer_has_a_limit_of_their_own(follow_up, monkeypatch, trusted_proxies):
    """Every phone reaches the app through nginx (peer 127.0.0.1): the per-address limit counts the address nginx
    forwarded, and only when nginx is trusted."""
    monkeypatch.setattr(follow_ups, "SUBMITS_PER_ADDRESS", 1)
    token = follow_ups.make_token(follow_up)

    def submit_from(address: str) -> str:
        s = public_form(token, {"asgi-scope-client": "127.0.0.1", "x-forwarded-for": address})
        drive(s.load())
        drive(s.submit({}))
        return s.page

    trusted_proxies("")  # not trusted: the header is ignored, everyone is 127.0.0.1
    assert [submit_from("198.51.100.1"), submit_from("198.51.100.2")] == ["form", "limited"]
    trusted_proxies("127.0.0.1")
    assert [submit_from("198.51.100.3"), submit_from("198.51.100.4"), submit_from("198.51.100.3")] == [
        "form", "form", "limited"]


# --- staff: the follow-up page, complaints, the sheet, settings -------------------------------------------------


def test_advisor_records_a_phone_follow_up_that_raises_a_complaint(follow_up, session, shop):
    s = make_state(FollowUpDetailState, token=token_for(session, shop.advisor), path=f"/follow-ups/{follow_up.id}",
                   route="/follow-ups/[follow_up_id]", query={"follow_up_id": str(follow_up.id)})
    assert drive(s.load()) is None
    assert s.found and s.plate == "粤B12345" and s.status == "待回访" and s.qr.startswith("data:image/png;base64,")
    s.choose_result("reached")
    drive(s.record_call({"satisfaction": "", "handling": ""}))
    assert "satisfaction" in s.errors and s.calls == []
    result = drive(s.record_call({"satisfaction": "1", "handling": "已约返修"}))
    assert is_toast(result, "success") and s.complaint_number.startswith("TS")
    assert s.status == "已回访" and [c.result for c in s.calls] == ["已接通"] and s.qr == ""
    assert s.ratings[0][0] == "总体评价"
    result = drive(s.send_link())
    assert "send" in s.errors and "已回访" in s.errors["send"]


def test_send_link_from_the_follow_up_page(follow_up, session, shop):
    s = make_state(FollowUpDetailState, token=token_for(session, shop.manager), path=f"/follow-ups/{follow_up.id}",
                   route="/follow-ups/[follow_up_id]", query={"follow_up_id": str(follow_up.id)})
    drive(s.load())
    key = s.send_key
    drive(s.send_link())
    assert s.errors == {} and s.link_sent != "" and s.send_key != key
    session.expire_all()
    assert session.exec(select(models.Notification.follow_up_id)).all() == [follow_up.id]


def test_manager_works_a_complaint_from_the_list_to_closed(app_engine, session, shop):
    add_vehicle(session, shop.branch.id)
    cookie = token_for(session, shop.manager)
    s = make_state(ComplaintsState, token=cookie, path="/complaints")
    assert drive(s.load()) is None and s.rows == []
    drive(s.create({"plate": "粤Z00000", "summary": "等太久"}))
    assert "plate" in s.form_errors and s.rows == []
    key = s.entry_key
    result = drive(s.create({"plate": "粤B12345", "summary": "等太久", "request_key": key}))
    drive(s.create({"plate": "粤B12345", "summary": "等太久", "request_key": key}))  # a double tap
    assert is_toast(result, "success") and len(s.rows) == 1 and s.rows[0].status_value == "open"
    complaint_id = s.rows[0].id

    d = make_state(ComplaintDetailState, token=cookie, path=f"/complaints/{complaint_id}",
                   route="/complaints/[complaint_id]", query={"complaint_id": str(complaint_id)})
    drive(d.load())
    assert d.found and d.summary == "等太久" and [m[0] for m in d.moves] == ["processing"] and d.can_handle
    drive(d.assign({"assignee": str(shop.advisor.id)}))
    assert d.assignee == shop.advisor.display_name
    drive(d.move({"to": "processing"}))
    drive(d.move({"to": "resolved", "resolution": ""}))
    assert "resolution" in d.errors and d.status_value == "processing"
    drive(d.move({"to": "resolved", "resolution": "已致歉并赠送保养券"}))
    drive(d.move({"to": "closed"}))
    assert d.status_value == "closed" and d.moves == [] and not d.can_handle
    assert [h.what.split("：")[0] for h in d.history] == ["登记投诉", "指派给 " + shop.advisor.display_name,
                                                         "状态变更", "状态变更", "状态变更"]
    session.expire_all()
    assert session.get(Complaint, complaint_id).status == ComplaintStatus.CLOSED

    drive(s.toggle_mine(True))
    assert s.rows == []  # the manager is not its assignee
    drive(s.toggle_mine(False))
    drive(s.filter_status("closed"))
    assert [row.id for row in s.rows] == [complaint_id]


def test_settlement_sheet_prints_the_follow_up_qr(app_engine, session, shop):
    order = settled_order(session, shop)
    sheet = session.exec(select(models.Settlement).where(models.Settlement.work_order_id == order.id)).one()
    s = make_state(SettlementSheetState, token=token_for(session, shop.cashier),
                   path=f"/settlements/{sheet.number}/print", route="/settlements/[settlement_no]/print",
                   query={"settlement_no": sheet.number})
    drive(s.load())
    assert s.found and s.follow_up_qr.startswith("data:image/png;base64,")
    assert session.exec(select(FollowUp).where(FollowUp.work_order_id == order.id)).one().due_on is None


def test_manager_sets_the_follow_up_delay(app_engine, session, shop):
    s = make_state(SettingsState, token=token_for(session, shop.manager), path="/settings")
    drive(s.load())
    assert s.follow_up_days == "3"
    drive(s.save_follow_up_days({"follow_up_days": "61"}))
    assert "follow_up_days" in s.errors and s.follow_up_days == "3"
    drive(s.save_follow_up_days({"follow_up_days": "14"}))
    assert s.errors == {} and s.follow_up_days == "14"
