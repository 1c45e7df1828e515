"""Role-check cases for complaints (``/complaints``, ``/complaints/<id>``) and the staff follow-up page
(``/follow-ups/<id>``): ``run_*`` drives a handler as the cookie's owner, ``refused_*`` checks a refused visitor saw
nothing and was told. Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES``.

The public follow-up form (``/f/<token>``) has no account to check: its handlers are listed as ``PUBLIC`` and tested
in tests/state/care/test_follow_up_states.py (only the follow-up behind a valid signed link is ever touched)."""

from __future__ import annotations

from sqlmodel import Session

from lantong_pwa.services.care import follow_ups
from lantong_pwa.services.platform.permissions import Permission as P
from models import Complaint, ComplaintSource, WorkOrder
from state.care.complaints import ComplaintDetailState, ComplaintsState
from state.care.follow_up_detail import FollowUpDetailState
from tests.state.harness import drive, make_state


def add_complaint_rows(session: Session, order: WorkOrder) -> tuple[int, int]:
    """The order's follow-up and a complaint about it, for the refused handlers to aim at: (follow_up, complaint)."""
    follow_up = follow_ups.ensure_follow_up(session, order)
    complaint = Complaint(branch_id=order.branch_id, number="TS20261201-0001", customer_id=order.customer_id,
                          vehicle_id=order.vehicle_id, work_order_id=order.id, source=ComplaintSource.WALK_IN,
                          summary="等待时间太长")
    session.add(complaint)
    session.commit()
    return follow_up.id, complaint.id


# --- the list ---------------------------------------------------------------------------------------------------


def _list(cookie: str) -> ComplaintsState:
    return make_state(ComplaintsState, token=cookie, path="/complaints")


def run_list_load(cookie, w):
    s = _list(cookie)
    return s, drive(s.load())


def refused_list_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/complaints")
    assert s.rows == []


def run_filter_status(cookie, w):
    s = _list(cookie)
    return s, drive(s.filter_status("open"))


def run_toggle_mine(cookie, w):
    s = _list(cookie)
    return s, drive(s.toggle_mine(True))


def refused_list_change(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.rows == []


def run_create(cookie, w):
    s = _list(cookie)
    s.entry_key = "complaint-entry-1"
    return s, drive(s.create({"plate": "粤B12345", "summary": "洗车没洗干净"}))


def refused_create(s, result, w, visitor):
    visitor.was_told(s.form_errors["form"])
    assert s.rows == []


# --- one complaint ----------------------------------------------------------------------------------------------


def _detail(cookie: str, w) -> ComplaintDetailState:
    return make_state(ComplaintDetailState, token=cookie, path=f"/complaints/{w.complaint_id}",
                      route="/complaints/[complaint_id]", query={"complaint_id": str(w.complaint_id)})


def _nothing_of_the_complaint(s: ComplaintDetailState) -> None:
    assert s.found is False and s.summary == "" and s.customer == "" and s.plate == "" and s.history == []


def run_detail_load(cookie, w):
    s = _detail(cookie, w)
    return s, drive(s.load())


def refused_detail_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/complaints/{w.complaint_id}")
    _nothing_of_the_complaint(s)


def run_assign(cookie, w):
    s = _detail(cookie, w)
    return s, drive(s.assign({"assignee": str(w.shop.advisor.id)}))


def run_move(cookie, w):
    s = _detail(cookie, w)
    return s, drive(s.move({"to": "processing"}))


def refused_detail_change(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    _nothing_of_the_complaint(s)


# --- the staff follow-up page -----------------------------------------------------------------------------------


def _follow_up(cookie: str, w) -> FollowUpDetailState:
    return make_state(FollowUpDetailState, token=cookie, path=f"/follow-ups/{w.follow_up_id}",
                      route="/follow-ups/[follow_up_id]", query={"follow_up_id": str(w.follow_up_id)})


def _nothing_of_the_follow_up(s: FollowUpDetailState) -> None:
    assert s.found is False and s.customer == "" and s.mobile == "" and s.plate == "" and s.link == ""
    assert s.qr == "" and s.calls == [] and s.ratings == []


def run_follow_up_load(cookie, w):
    s = _follow_up(cookie, w)
    return s, drive(s.load())


def refused_follow_up_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/follow-ups/{w.follow_up_id}")
    _nothing_of_the_follow_up(s)


def run_record_call(cookie, w):
    s = _follow_up(cookie, w)
    s.call_key = "call-1"
    return s, drive(s.record_call({"satisfaction": "1", "problem_unsolved": "on", "handling": "客户不满意"}))


def run_send_link(cookie, w):
    s = _follow_up(cookie, w)
    s.send_key = "send-1"
    return s, drive(s.send_link())


def refused_follow_up_change(s, result, w, visitor):
    visitor.was_told(s.errors.get("form") or s.errors.get("send", ""))
    _nothing_of_the_follow_up(s)


CASES = [
    ("ComplaintsState.load", P.CUSTOMER_CARE, run_list_load, refused_list_load),
    ("ComplaintsState.filter_status", P.CUSTOMER_CARE, run_filter_status, refused_list_change),
    ("ComplaintsState.toggle_mine", P.CUSTOMER_CARE, run_toggle_mine, refused_list_change),
    ("ComplaintsState.create", P.CUSTOMER_CARE, run_create, refused_create),
    ("ComplaintDetailState.load", P.CUSTOMER_CARE, run_detail_load, refused_detail_load),
    ("ComplaintDetailState.assign", P.HANDLE_COMPLAINTS, run_assign, refused_detail_change),
    ("ComplaintDetailState.move", P.CUSTOMER_CARE, run_move, refused_detail_change),
    ("FollowUpDetailState.load", P.CUSTOMER_CARE, run_follow_up_load, refused_follow_up_load),
    ("FollowUpDetailState.record_call", P.CUSTOMER_CARE, run_record_call, refused_follow_up_change),
    ("FollowUpDetailState.send_link", P.CUSTOMER_CARE, run_send_link, refused_follow_up_change),
]
UI_ONLY: dict[str, tuple] = {"FollowUpDetailState.choose_result": ("no_answer",)}
# The public form: no account; load and submit reach only the follow-up a valid signed link names, the stars and
# the tick never reach the database.
PUBLIC = {"FollowUpFormState.load", "FollowUpFormState.submit", "FollowUpFormState.rate",
          "FollowUpFormState.toggle_unsolved"}
