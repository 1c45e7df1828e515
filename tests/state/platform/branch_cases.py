"""Role-check cases for the branches screen (``/admin/branches``, admin only). Listed in
tests/state/test_role_checks.py's PROTECTED table as ``CASES`` (name, permission, run, refused)."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.platform.branches import BranchesAdminState
from tests.state.harness import drive, is_toast, make_state, toast_text

NEW_BRANCH = {"code": "SZ09", "name": "不速之店", "address": "", "phone": "", "tax_id": "", "bank_account": "",
              "header": ""}


def branches_state(cookie: str) -> BranchesAdminState:
    return make_state(BranchesAdminState, token=cookie, path="/admin/branches")


def run_load(cookie, w):
    s = branches_state(cookie)
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/admin/branches")
    assert s.rows == []


def run_create(cookie, w):
    s = branches_state(cookie)
    s.editing_id = -1  # the "new branch" dialog (``open_new`` needs no permission, or ``setvar`` forges it)
    return s, drive(s.save(dict(NEW_BRANCH)))


def run_update(cookie, w):
    s = branches_state(cookie)
    s.editing_id = w.shop.other_branch.id
    return s, drive(s.save({**NEW_BRANCH, "code": "T02", "name": "被改名的店"}))


def refused_save(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    assert s.rows == [], "the branch list must not be loaded for a refused save"
    assert s.editing_id != 0, "the dialog stays open with the message"


def run_close(cookie, w):
    s = branches_state(cookie)
    return s, drive(s.close_branch(w.shop.other_branch.id))


def run_reopen(cookie, w):
    s = branches_state(cookie)
    return s, drive(s.reopen_branch(w.shop.other_branch.id))


def refused_switch(s, result, w, visitor):
    assert is_toast(result, "error")
    visitor.was_told(toast_text(result))
    assert s.rows == []


CASES = [
    ("BranchesAdminState.load", P.MANAGE_BRANCHES, run_load, refused_load),
    ("BranchesAdminState.save", P.MANAGE_BRANCHES, run_create, refused_save),
    ("BranchesAdminState.save", P.MANAGE_BRANCHES, run_update, refused_save),
    ("BranchesAdminState.close_branch", P.MANAGE_BRANCHES, run_close, refused_switch),
    ("BranchesAdminState.reopen_branch", P.MANAGE_BRANCHES, run_reopen, refused_switch),
]
UI_ONLY: dict[str, tuple] = {
    "BranchesAdminState.open_new": (),
    "BranchesAdminState.open_edit": (1,),
    "BranchesAdminState.close_dialogs": (),
    "BranchesAdminState.ask_close": (1,),
}
