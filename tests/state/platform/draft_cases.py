"""Role-check cases for the form drafts the browser keeps (intake order and registration, a job line's note):
``run_*`` drives a handler as the cookie's owner, ``refused_*`` checks a refused visitor saw nothing and was told.
Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES`` (name, permission, run, refused)."""

from __future__ import annotations

import uuid

from lantong_pwa.services.platform.permissions import Permission as P
from state.platform.drafts import draft_key
from state.workshop.intake import IntakeState
from state.platform.views import VehicleView
from tests.state.harness import drive, make_state

DRAFT_KEY = str(uuid.uuid4())


def order_draft(vehicle_id: int, part_id: int, user_id: int = 0, **fields) -> dict:
    """What form_draft.js stores for the order form of ``vehicle_id``: fields, request key and the added lines."""
    return {
        "key": draft_key(user_id, f"order:{vehicle_id}"),
        "generation": DRAFT_KEY,
        "fields": {"mileage_in": "43000", "fuel_level": "3", "complaint": "空调不凉", "promised_at": "", **fields},
        "snapshot": {"job_lines": [{"name": "空调检修", "hours": "1", "rate": "150", "fixed_price": ""}],
                     "part_lines": [{"part_id": str(part_id), "quantity": "2"}]},
    }


def run_restore_order_draft(cookie, w):
    s = make_state(IntakeState, token=cookie, path="/intake")
    s.step = "order"
    s.vehicle = VehicleView(id=w.vehicle.id)
    s.order_key = "fresh-key"
    return s, drive(s.restore_order_draft(order_draft(w.vehicle.id, w.part.id)))


def refused_restore_order_draft(s, result, w, visitor):
    visitor.was_told(s.line_error)
    assert s.job_rows == [] and s.part_rows == [], "no line priced for a refused visitor"
    assert s.order_draft_restored is False and s.order_key == "fresh-key"


CASES = [
    ("IntakeState.restore_order_draft", P.INTAKE, run_restore_order_draft, refused_restore_order_draft),
]
# These only move what the browser kept between the form and the state (no database; the submit checks everything).
UI_ONLY = {
    "IntakeState.discard_order_draft": (),
    "IntakeState.restore_register_draft": ({"key": "x", "fields": {"plate": "粤B1"}},),
    "IntakeState.discard_register_draft": (),
    "TasksState.restore_note_draft": ({"key": "x", "fields": {"note": "n"}},),
    "TasksState.discard_note_draft": (),
}
