"""Role-check cases for 安全库存 (``/parts/safety-stock``, MANAGE_CATALOGUE). Listed in tests/state/test_role_checks.py's
PROTECTED table; a refused handler tells its message (a toast, or ``edit_errors['form']``) and loads nothing."""

from __future__ import annotations

from state.parts.safety_stock import SafetyStockState, SuggestionRow
from tests.state.harness import drive, is_toast, make_state, toast_text

UI_ONLY = {
    "SafetyStockState.settings_changed": ("2026-01-01",),
    "SafetyStockState.toggle": ("1-1", True),
    "SafetyStockState.edit": ("1-1",),
    "SafetyStockState.close_edit": (),
}


def _forged(cookie: str, w) -> SafetyStockState:
    """The screen as a browser could forge it: settings, a row chosen and being edited, nothing loaded."""
    s = make_state(SafetyStockState, token=cookie, path="/parts/safety-stock")
    s.start, s.end, s.safety_days, s.cover_days = "2026-01-01", "2026-01-31", "3", "14"
    s.rows = [SuggestionRow(key=f"{w.part.id}-1", part_id=w.part.id, warehouse_id="1")]
    s.chosen = [f"{w.part.id}-1"]
    s.editing = f"{w.part.id}-1"
    return s


def run_load(cookie, w):
    s = make_state(SafetyStockState, token=cookie, path="/parts/safety-stock")
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/parts/safety-stock")
    assert s.rows == [] and s.basis == ""


def run_calculate(cookie, w):
    s = make_state(SafetyStockState, token=cookie, path="/parts/safety-stock")
    return s, drive(s.calculate({"start": "2026-01-01", "end": "2026-01-31", "safety_days": "3",
                                 "cover_days": "14"}))


def refused_calculate(s, result, w, visitor):
    visitor.was_told(s.errors.get("form", ""))
    assert s.rows == [] and s.basis == ""


def run_apply_all(cookie, w):
    s = _forged(cookie, w)
    return s, drive(s.apply_all())


def run_apply_chosen(cookie, w):
    s = _forged(cookie, w)
    return s, drive(s.apply_chosen())


def refused_apply(s, result, w, visitor):
    assert is_toast(result, "error")
    visitor.was_told(toast_text(result))
    assert s.basis == "" and s.total == 0


def run_save_limit(cookie, w):
    s = _forged(cookie, w)
    return s, drive(s.save_limit({"minimum": "1", "maximum": "2"}))


def refused_save_limit(s, result, w, visitor):
    visitor.was_told(s.edit_errors.get("form", ""))
    assert s.basis == "" and s.editing != ""
