"""Branches (X1): an admin creates, edits, closes and reopens the chain's branches."""

import json

import pytest
from sqlmodel import func, select

from lantong_pwa.errors import DomainError, FormErrors, PermissionDenied
from lantong_pwa.services.platform import auth, branches, users
from lantong_pwa.services.workshop import reports, work_orders
from lantong_pwa.services.workshop.work_orders import OrderForm
from models import AuditEvent, Branch, BranchStatus, Role, User, UserSession
from tests.conftest import PASSWORD, refusal
from tests.factories import add_vehicle
from tests.races import race

FUTIAN = dict(code="sz02", name="蓝通汽修（深圳福田店）", address="深圳市福田区深南大道1号", phone="0755 8888 1234",
              tax_id="91440300ma5fxxxx1k", bank_account="招商银行深圳福田支行 7559 0000 0000 01")


def form(**changes) -> branches.BranchForm:
    return branches.BranchForm(**{**FUTIAN, **changes})


def audit_rows(session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_admin_creates_a_branch_with_its_printed_details(session, shop):
    branch = branches.create_branch(session, shop.admin, form())

    assert (branch.code, branch.name, branch.phone, branch.tax_id) == (
        "SZ02", "蓝通汽修（深圳福田店）", "075588881234", "91440300MA5FXXXX1K")
    assert branch.bank_account == "招商银行深圳福田支行 7559 0000 0000 01"
    assert BranchStatus(branch.status) == BranchStatus.OPEN and branch.closed_at is None
    assert branches.header_of(branch) == "蓝通汽修（深圳福田店）"  # no header of its own: the name
    [event] = audit_rows(session, "branch.create")
    assert (event.user_id, event.entity_id, event.branch_id) == (shop.admin.id, branch.id, branch.id)
    assert [b.code for b in branches.list_branches(session, shop.admin)] == ["T01", "T02", "SZ02"]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_admins_manage_branches(session, shop, role):
    actor = shop.users[role.value]
    for attempt in (lambda: branches.create_branch(session, actor, form()),
                    lambda: branches.list_branches(session, actor),
                    lambda: branches.update_branch(session, actor, shop.branch.id, form()),
                    lambda: branches.close_branch(session, actor, shop.other_branch.id),
                    lambda: branches.reopen_branch(session, actor, shop.other_branch.id)):
        with refusal(session, PermissionDenied):
            attempt()
    assert session.exec(select(Branch).where(Branch.code == "SZ02")).first() is None
    assert BranchStatus(session.get(Branch, shop.other_branch.id).status) == BranchStatus.OPEN


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (dict(code=""), "code", "请填写门店编码"),
        (dict(code="深圳2"), "code", "门店编码为2–16位字母、数字、“-”或“_”"),
        (dict(code="t02"), "code", "门店编码“T02”已被使用"),
        (dict(name="  "), "name", "请填写门店名称"),
        (dict(name="店" * 65), "name", "门店名称不能超过64个字"),
        (dict(phone="12345"), "phone", "电话格式不正确，例如 0755-86001234 或 13800138000"),
        (dict(tax_id="9144030012345"), "tax_id", "税号应为15、18或20位数字或大写字母"),
        (dict(tax_id="91440300MA5F-XXX1K"), "tax_id", "税号应为15、18或20位数字或大写字母"),
        (dict(header="头" * 65), "header", "抬头不能超过64个字"),
    ],
)
def test_bad_branch_input_is_named_beside_its_field_and_saves_nothing(session, shop, changes, field, message):
    with refusal(session, FormErrors) as caught:
        branches.create_branch(session, shop.admin, form(**changes))
    assert caught.value.errors == {field: message}
    assert len(session.exec(select(Branch)).all()) == 2
    assert audit_rows(session, "branch.create") == []


def test_every_wrong_field_is_named_at_once(session, shop):
    with refusal(session, FormErrors) as caught:
        branches.create_branch(session, shop.admin, form(code="", name="", phone="abc", tax_id="123"))
    assert set(caught.value.errors) == {"code", "name", "phone", "tax_id"}


@pytest.mark.parametrize("phone", ["0755-86001234", "010 6655 8899", "13800138000", "400-800-1234",
                                   "0755-86001234-808", ""])
def test_sane_phones_are_accepted(session, shop, phone):
    assert branches.create_branch(session, shop.admin, form(phone=phone)).phone == phone.replace(" ", "")


@pytest.mark.parametrize("tax_id", ["440300123456789", "91440300MA5FXXXX1K", "12345678901234567890", ""])
def test_tax_ids_of_15_18_or_20_characters_are_accepted(session, shop, tax_id):
    assert branches.create_branch(session, shop.admin, form(tax_id=tax_id)).tax_id == tax_id


def test_admin_edits_a_branch_and_the_change_is_audited(session, shop):
    branch = branches.update_branch(session, shop.admin, shop.other_branch.id,
                                    form(code="T02", name="另一家店", header="蓝通汽修连锁", phone="", tax_id=""))
    assert branches.header_of(branch) == "蓝通汽修连锁"
    [event] = audit_rows(session, "branch.update")
    changes = json.loads(event.detail)["changes"]
    assert set(changes) == {"address", "bank_account", "header"}
    assert changes["header"] == ["", "蓝通汽修连锁"]

    branches.update_branch(session, shop.admin, shop.other_branch.id,
                           form(code="T02", name="另一家店", header="蓝通汽修连锁", phone="", tax_id=""))
    assert len(audit_rows(session, "branch.update")) == 1  # nothing changed, nothing recorded


def test_a_branch_keeps_its_own_code_on_edit_but_cannot_take_another(session, shop):
    with refusal(session, FormErrors) as caught:
        branches.update_branch(session, shop.admin, shop.other_branch.id, form(code="T01"))
    assert caught.value.errors == {"code": "门店编码“T01”已被使用"}
    assert session.get(Branch, shop.other_branch.id).code == "T02"


def test_closing_a_branch_signs_its_people_out_and_keeps_them_out_until_it_reopens(session, shop):
    stranger_token = auth.sign_in(session, "otheradvisor", PASSWORD)
    own_token = auth.sign_in(session, "advisor", PASSWORD)
    session.commit()

    closed = branches.close_branch(session, shop.admin, shop.other_branch.id)
    session.commit()

    assert BranchStatus(closed.status) == BranchStatus.CLOSED and closed.closed_at is not None
    assert auth.user_for_token(session, stranger_token) is None
    assert session.exec(select(UserSession).where(UserSession.user_id == shop.other_branch_advisor.id)).all() == []
    with refusal(session, auth.SignInRefused) as caught:
        auth.sign_in(session, "otheradvisor", PASSWORD)
    assert caught.value.reason == "branch_closed"
    assert auth.user_for_token(session, own_token).id == shop.advisor.id  # the open branch is untouched
    assert [e.entity_id for e in audit_rows(session, "branch.close")] == [shop.other_branch.id]

    reopened = branches.reopen_branch(session, shop.admin, shop.other_branch.id)
    assert BranchStatus(reopened.status) == BranchStatus.OPEN and reopened.closed_at is None
    assert auth.sign_in(session, "otheradvisor", PASSWORD)
    assert len(audit_rows(session, "branch.reopen")) == 1


def test_a_wrong_password_at_a_closed_branch_says_nothing_about_the_branch(session, shop):
    branches.close_branch(session, shop.admin, shop.other_branch.id)
    with refusal(session, auth.SignInRefused) as caught:
        auth.sign_in(session, "otheradvisor", "wrong-password")
    assert caught.value.reason == "wrong_password"


def test_closing_or_reopening_twice_is_refused_by_its_status(session, shop):
    branches.close_branch(session, shop.admin, shop.other_branch.id)
    with refusal(session, DomainError, match="门店状态已变化（现为“已停业”），请刷新后重试"):
        branches.close_branch(session, shop.admin, shop.other_branch.id)
    branches.reopen_branch(session, shop.admin, shop.other_branch.id)
    with refusal(session, DomainError, match="门店状态已变化（现为“营业中”），请刷新后重试"):
        branches.reopen_branch(session, shop.admin, shop.other_branch.id)
    assert len(audit_rows(session, "branch.close")) == len(audit_rows(session, "branch.reopen")) == 1


def test_the_last_open_branch_and_the_admins_own_cannot_be_closed(session, shop):
    with refusal(session, DomainError, match="您的账号属于该门店"):
        branches.close_branch(session, shop.admin, shop.branch.id)
    branches.close_branch(session, shop.admin, shop.other_branch.id)
    session.commit()
    shop.admin.branch_id = shop.other_branch.id  # an admin of a closed branch (set behind the services' back)
    with refusal(session, DomainError, match="这是唯一营业中的门店，不能停业"):
        branches.close_branch(session, shop.admin, shop.branch.id)
    assert BranchStatus(session.get(Branch, shop.branch.id).status) == BranchStatus.OPEN


@pytest.fixture
def two_admins(app_engine, session, shop):
    """Each branch has an admin of its own, so each may close the other one."""
    other_admin = User(username="admin2", display_name="二号管理员", password_hash=shop.admin.password_hash,
                       role=Role.ADMIN, branch_id=shop.other_branch.id)
    session.add(other_admin)
    session.commit()
    return shop, other_admin


def test_two_admins_closing_the_last_two_open_branches_at_once_leave_one_open(session, two_admins):
    shop, other_admin = two_admins

    def closing(admin_id, branch_id):
        return lambda own: branches.close_branch(own, own.get(User, admin_id), branch_id)

    results = race([closing(shop.admin.id, shop.other_branch.id), closing(other_admin.id, shop.branch.id)])

    refused = [r for r in results if isinstance(r, DomainError)]
    assert [r.message for r in refused] == ["这是唯一营业中的门店，不能停业"]
    session.expire_all()
    assert [b.status for b in session.exec(select(Branch)).all()].count(BranchStatus.OPEN) == 1


def test_admins_creating_the_same_code_at_once_make_one_branch_and_are_told_why(app_engine, session, shop):
    """Whether a request sees the other's branch when it checks the code or only at the unique index, it is told
    the code is taken, beside the field: never a server error."""
    session.commit()
    creating = [lambda own: branches.create_branch(own, own.get(User, shop.admin.id), form(code="SZ09"))] * 4

    results = race(creating)

    assert len([r for r in results if isinstance(r, Branch)]) == 1
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 3 and all(r.errors == {"code": "门店编码“SZ09”已被使用"} for r in refused)
    assert session.exec(select(func.count()).select_from(Branch).where(Branch.code == "SZ09")).one() == 1


def test_users_are_not_created_into_or_moved_to_a_closed_branch(session, shop):
    branches.close_branch(session, shop.admin, shop.other_branch.id)
    session.commit()
    new = users.UserForm(username="newtech", display_name="新技师", role="technician", branch_id=shop.other_branch.id)
    with refusal(session, DomainError) as caught:
        users.create_user(session, shop.admin, new, "a-long-password")
    assert (caught.value.field, caught.value.message) == ("branch_id", "“另一家店”已停业，不能添加或调入用户")
    moved = users.UserForm(username="cashier", display_name="收银员", role="cashier", branch_id=shop.other_branch.id)
    with refusal(session, DomainError, match="已停业"):
        users.update_user(session, shop.admin, shop.cashier.id, moved)
    # A user of the closed branch can still be renamed where they are.
    renamed = users.UserForm(username="otheradvisor", display_name="老顾问", role="advisor",
                             branch_id=shop.other_branch.id)
    assert users.update_user(session, shop.admin, shop.other_branch_advisor.id, renamed).display_name == "老顾问"
    assert session.exec(select(User).where(User.username == "newtech")).first() is None


def test_a_closed_branchs_orders_still_show_in_the_admins_queries(session, shop):
    vehicle = add_vehicle(session, shop.other_branch.id, plate="粤A54321")
    order = work_orders.open_work_order(session, shop.other_branch_advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="保养"))
    branches.close_branch(session, shop.admin, shop.other_branch.id)
    session.commit()
    assert [hit.order.number for hit in reports.search_orders(session, shop.admin, plate_fragment="54321")] == [
        order.number]
