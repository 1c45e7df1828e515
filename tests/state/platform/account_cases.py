"""Role-check cases for 修改密码 (``/account/password``, everyone signed in) and 审计日志 (``/admin/audit``, admin
only). Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES`` (name, permission, run, refused)."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.platform.account import PasswordState
from state.platform.audit_log import AuditLogState
from tests.conftest import PASSWORD
from tests.state.harness import drive, make_state


def password_state(cookie: str) -> PasswordState:
    return make_state(PasswordState, token=cookie, path="/account/password")


def audit_state(cookie: str) -> AuditLogState:
    return make_state(AuditLogState, token=cookie, path="/admin/audit")


def run_password_load(cookie, w):
    s = password_state(cookie)
    return s, drive(s.load())


def refused_password_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/account/password")


def run_change_password(cookie, w):
    s = password_state(cookie)
    return s, drive(s.change({"current": PASSWORD, "password": "a-fresh-secret", "repeated": "a-fresh-secret"}))


def refused_change_password(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    assert s.form_key == 0


def run_audit_load(cookie, w):
    s = audit_state(cookie)
    return s, drive(s.load())


def run_audit_filter(cookie, w):
    s = audit_state(cookie)
    return s, drive(s.show_sign_ins_only(False))


def refused_audit(s, result, w, visitor):
    visitor.was_sent_away(result, "/admin/audit")
    assert s.rows == []


CASES = [
    ("PasswordState.load", P.OWN_ACCOUNT, run_password_load, refused_password_load),
    ("PasswordState.change", P.OWN_ACCOUNT, run_change_password, refused_change_password),
    ("AuditLogState.load", P.VIEW_AUDIT, run_audit_load, refused_audit),
    ("AuditLogState.show_sign_ins_only", P.VIEW_AUDIT, run_audit_filter, refused_audit),
]
