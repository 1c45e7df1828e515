"""Role-check cases for the reminder centre (``/care``): ``run_*`` drives a handler as the cookie's owner,
``refused_*`` checks a refused visitor saw nothing and was told.
Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES`` (name, permission, run, refused)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from lantong_pwa.services.platform.permissions import Permission as P
from models import CareReminder, ReminderKind, Vehicle
from state.care.care import CareState
from tests.state.harness import drive, make_state


def add_reminder(session: Session, vehicle: Vehicle) -> int:
    """An open inspection entry for the scene's vehicle, for the handlers to aim at."""
    reminder = CareReminder(branch_id=vehicle.branch_id, kind=ReminderKind.INSPECTION, customer_id=vehicle.customer_id,
                            vehicle_id=vehicle.id, due_on=date(2026, 12, 6),
                            dedupe_key=f"inspection:v{vehicle.id}:2026-12-06", detail="下次年检日期 2026-12-06")
    session.add(reminder)
    session.commit()
    return reminder.id


def _care(cookie: str) -> CareState:
    return make_state(CareState, token=cookie, path="/care")


def _nothing_shown(s: CareState) -> None:
    assert s.rows == [] and s.counts == []


def run_load(cookie, w):
    s = _care(cookie)
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/care")
    _nothing_shown(s)


def run_filter_band(cookie, w):
    s = _care(cookie)
    return s, drive(s.filter_band("week"))


def run_filter_kind(cookie, w):
    s = _care(cookie)
    return s, drive(s.filter_kind("inspection"))


def run_mark_contacted(cookie, w):
    s = _care(cookie)
    s.contacting_id = w.care_reminder_id
    return s, drive(s.mark_contacted({"reminder_id": str(w.care_reminder_id), "result": "客户已预约"}))


def run_snooze(cookie, w):
    s = _care(cookie)
    return s, drive(s.snooze(w.care_reminder_id, 7))


def run_send(cookie, w):
    s = _care(cookie)
    return s, drive(s.send(w.care_reminder_id, "care-send-key"))


def refused_change(s, result, w, visitor):
    visitor.was_told(s.error)
    _nothing_shown(s)


CASES = [
    ("CareState.load", P.CUSTOMER_CARE, run_load, refused_load),
    ("CareState.filter_band", P.CUSTOMER_CARE, run_filter_band, refused_change),
    ("CareState.filter_kind", P.CUSTOMER_CARE, run_filter_kind, refused_change),
    ("CareState.mark_contacted", P.CUSTOMER_CARE, run_mark_contacted, refused_change),
    ("CareState.snooze", P.CUSTOMER_CARE, run_snooze, refused_change),
    ("CareState.send", P.CUSTOMER_CARE, run_send, refused_change),
]
UI_ONLY: dict[str, tuple] = {"CareState.open_contact": (1,), "CareState.close_contact": ()}
