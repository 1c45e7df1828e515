"""Role-check cases for the branch settings (``/settings``): VAT rate, follow-up delay, repair warranty, other-fee
types, teams.
Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES`` (name, permission, run, refused)."""

from __future__ import annotations

from sqlmodel import Session, select

from lantong_pwa.services.platform.permissions import Permission as P
from models import FeeType
from state.platform.settings import SettingsState
from tests.state.harness import drive, make_state


def _settings(cookie: str) -> SettingsState:
    return make_state(SettingsState, token=cookie, path="/settings")


def _nothing_shown(s: SettingsState) -> None:
    assert s.vat_rate == "" and s.follow_up_days == "" and s.warranty_days == "" and s.warranty_km == ""
    assert s.fee_types == [] and s.teams == [] and s.technicians == []
    assert not s.technicians_see_contact_and_prices


def run_load(cookie, w):
    s = _settings(cookie)
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/settings")
    _nothing_shown(s)


def run_save_vat_rate(cookie, w):
    s = _settings(cookie)
    return s, drive(s.save_vat_rate({"vat_rate": "6"}))


def run_save_follow_up_days(cookie, w):
    s = _settings(cookie)
    return s, drive(s.save_follow_up_days({"follow_up_days": "9"}))


def run_save_warranty(cookie, w):
    s = _settings(cookie)
    return s, drive(s.save_warranty({"warranty_days": "90", "warranty_km": "10000"}))


def run_add_fee_type(cookie, w):
    s = _settings(cookie)
    return s, drive(s.add_fee_type({"fee_name": "拖车费", "fee_amount": "150"}))


def run_set_fee_type_active(cookie, w):
    s = _settings(cookie)
    return s, drive(s.set_fee_type_active(w.fee_type_id, False))


def run_create_team(cookie, w):
    s = _settings(cookie)
    return s, drive(s.create_team({"team_name": "钣喷组", f"member_{w.shop.technician.id}": "on"}))


def run_save_technicians_see_contact_and_prices(cookie, w):
    s = _settings(cookie)
    return s, drive(s.save_technicians_see_contact_and_prices(True))


def refused_change(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    _nothing_shown(s)


def add_fee_type(session: Session, branch_id: int) -> int:
    """A fee type for the refused ``set_fee_type_active`` to aim at."""
    existing = session.exec(select(FeeType).where(FeeType.branch_id == branch_id)).first()
    if existing is not None:
        return existing.id
    fee_type = FeeType(branch_id=branch_id, name="管理费")
    session.add(fee_type)
    session.commit()
    return fee_type.id


CASES = [
    ("SettingsState.load", P.MANAGE_SETTINGS, run_load, refused_load),
    ("SettingsState.save_vat_rate", P.MANAGE_SETTINGS, run_save_vat_rate, refused_change),
    ("SettingsState.save_follow_up_days", P.MANAGE_SETTINGS, run_save_follow_up_days, refused_change),
    ("SettingsState.save_warranty", P.MANAGE_SETTINGS, run_save_warranty, refused_change),
    ("SettingsState.add_fee_type", P.MANAGE_SETTINGS, run_add_fee_type, refused_change),
    ("SettingsState.set_fee_type_active", P.MANAGE_SETTINGS, run_set_fee_type_active, refused_change),
    ("SettingsState.create_team", P.MANAGE_SETTINGS, run_create_team, refused_change),
    ("SettingsState.save_technicians_see_contact_and_prices", P.MANAGE_SETTINGS,
     run_save_technicians_see_contact_and_prices, refused_change),
]
UI_ONLY: dict[str, tuple] = {}
