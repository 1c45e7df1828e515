"""The branches screen through its State handlers: an admin creates, edits, closes and reopens; a closed branch's
people are signed out and refused at the sign-in page. The refusals of every other role:
tests/state/test_role_checks.py (branch_cases)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform import auth
from models import AuditEvent, Branch, BranchStatus
from state.platform.session import SessionState
from state.platform.views import Letterhead, letterhead
from state.workshop.vehicles import VehicleCardState
from tests.factories import add_vehicle
from tests.conftest import PASSWORD
from tests.state.harness import drive, is_toast, make_state, redirects_in, toast_text, token_for
from tests.state.platform.branch_cases import NEW_BRANCH, branches_state


@pytest.fixture
def admin_cookie(app_engine, shop, session) -> str:
    return token_for(session, shop.admin)


def test_admin_sees_every_branch_and_creates_one(admin_cookie, shop, session):
    s = branches_state(admin_cookie)
    assert drive(s.load()) is None
    assert [(r.code, r.printed_header, r.is_open, r.status_label) for r in s.rows] == [
        ("T01", "测试店", True, "营业中"), ("T02", "另一家店", True, "营业中")]

    s.open_new()
    result = drive(s.save({**NEW_BRANCH, "code": "sz09", "name": "福田店", "header": "蓝通汽修",
                           "tax_id": "91440300MA5FXXXX1K"}))

    assert is_toast(result, "success") and "福田店" in toast_text(result)
    assert s.editing_id == 0 and s.errors == {}
    assert [r.code for r in s.rows] == ["T01", "T02", "SZ09"]
    created = session.exec(select(Branch).where(Branch.code == "SZ09")).one()
    assert (created.header, created.tax_id) == ("蓝通汽修", "91440300MA5FXXXX1K")

    drive(s.save({**NEW_BRANCH, "code": "SZ09", "name": "福田店"}))  # the same submit again, dialog closed
    assert len(session.exec(select(Branch)).all()) == 3


def test_wrong_fields_are_named_beside_each_and_the_dialog_stays_open(admin_cookie, shop, session):
    s = branches_state(admin_cookie)
    drive(s.load())
    s.open_edit(shop.other_branch.id)
    assert s.editing.name == "另一家店"

    result = drive(s.save({**NEW_BRANCH, "code": "T01", "name": "", "phone": "8888", "tax_id": "abc"}))

    assert result is None and s.editing_id == shop.other_branch.id
    assert s.errors == {"code": "门店编码“T01”已被使用", "name": "请填写门店名称",
                        "phone": "电话格式不正确，例如 0755-86001234 或 13800138000",
                        "tax_id": "税号应为15、18或20位数字或大写字母"}
    session.expire_all()
    assert session.get(Branch, shop.other_branch.id).name == "另一家店"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "branch.update")).first() is None


def test_closing_signs_the_branchs_people_out_and_the_sign_in_page_refuses_them(admin_cookie, shop, session):
    stranger_cookie = token_for(session, shop.other_branch_advisor)
    s = branches_state(admin_cookie)
    drive(s.load())
    s.ask_close(shop.other_branch.id)
    assert s.closing_name == "另一家店"

    result = drive(s.close_branch(shop.other_branch.id))

    assert is_toast(result, "success") and s.closing_id == 0
    assert [(r.code, r.status_label) for r in s.rows] == [("T01", "营业中"), ("T02", "已停业")]
    assert s.rows[1].closed_at != ""
    # The open session no longer works: the page guard sends the person to sign in.
    guarded = make_state(SessionState, token=stranger_cookie, path="/intake")
    assert redirects_in(drive(guarded.guard_staff())) == ["/login?next=%2Fintake"]
    session.expire_all()
    with pytest.raises(DomainError) as refused:
        auth.sign_in(session, "otheradvisor", PASSWORD)
    assert refused.value.message == auth.SIGN_IN_REFUSED

    result = drive(s.reopen_branch(shop.other_branch.id))
    assert is_toast(result, "success") and s.rows[1].is_open
    session.expire_all()
    assert auth.sign_in(session, "otheradvisor", PASSWORD)


def test_an_admin_cannot_close_their_own_branch(admin_cookie, shop, session):
    s = branches_state(admin_cookie)
    drive(s.load())
    result = drive(s.close_branch(shop.branch.id))  # the admin's own
    assert is_toast(result, "error") and "您的账号属于该门店" in toast_text(result)
    session.expire_all()
    assert BranchStatus(session.get(Branch, shop.branch.id).status) == BranchStatus.OPEN


def test_a_branch_without_details_prints_its_name_alone():
    bare = Branch(code="X1", name="南山店")
    assert letterhead(bare) == Letterhead(header="南山店", contact="", tax_id="", bank_account="")
    bare.address, bare.header = "深圳市南山区科技园南路88号", "蓝通汽修"
    assert letterhead(bare).contact == "深圳市南山区科技园南路88号"
    assert letterhead(bare).header == "蓝通汽修"


def test_the_vehicle_label_prints_its_branchs_header_address_and_phone(admin_cookie, shop, session):
    vehicle = add_vehicle(session, shop.branch.id)
    branch = session.get(Branch, shop.branch.id)
    branch.address, branch.phone, branch.header = "深圳市南山区科技园南路88号", "0755-86001234", "蓝通汽修南山店"
    session.commit()
    label = make_state(VehicleCardState, token=admin_cookie, path=f"/v/{vehicle.qr_token}/label",
                       route="/v/[token]/label", query={"token": vehicle.qr_token})
    assert drive(label.load()) is None and label.found
    assert (label.shop.header, label.shop.contact) == ("蓝通汽修南山店", "深圳市南山区科技园南路88号 · 电话 0755-86001234")
