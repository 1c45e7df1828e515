import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError, PermissionDenied
from lantong_pwa.services.platform import auth, users
from models import AuditEvent, Role, User
from tests.conftest import PASSWORD


def form(shop, **changes):
    values = dict(username="newtech", display_name="新技师", role="technician", branch_id=shop.branch.id)
    values.update(changes)
    return users.UserForm(**values)


def test_admin_creates_a_user_who_can_sign_in(session, shop):
    user = users.create_user(session, shop.admin, form(shop, username="NewTech"), "a-long-password")
    assert user.username == "newtech" and user.role == Role.TECHNICIAN
    assert auth.sign_in(session, "newtech", "a-long-password")
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).one().user_id == shop.admin.id


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_admins_manage_users(session, shop, role):
    actor = shop.users[role.value]
    with pytest.raises(PermissionDenied):
        users.create_user(session, actor, form(shop), "a-long-password")
    with pytest.raises(PermissionDenied):
        users.list_users(session, actor)
    with pytest.raises(PermissionDenied):
        users.reset_password(session, actor, shop.cashier.id, "another-password")
    assert session.exec(select(User).where(User.username == "newtech")).first() is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (dict(username="ab"), "username"),
        (dict(username="有中文"), "username"),
        (dict(username="advisor"), "username"),  # taken
        (dict(display_name="  "), "display_name"),
        (dict(role="owner"), "role"),
        (dict(branch_id=999999), "branch_id"),
    ],
)
def test_bad_user_input_saves_nothing(session, shop, changes, field):
    before = len(session.exec(select(User)).all())
    with pytest.raises(DomainError) as caught:
        users.create_user(session, shop.admin, form(shop, **changes), "a-long-password")
    assert caught.value.field == field
    assert len(session.exec(select(User)).all()) == before


def test_admin_changes_role_and_branch(session, shop):
    updated = users.update_user(session, shop.admin, shop.technician.id,
                                form(shop, display_name="张组长", role="manager", branch_id=shop.other_branch.id))
    assert (updated.display_name, updated.role, updated.branch_id) == ("张组长", Role.MANAGER, shop.other_branch.id)


def test_admin_cannot_demote_or_disable_themselves(session, shop):
    with pytest.raises(DomainError):
        users.update_user(session, shop.admin, shop.admin.id, form(shop, username="admin", role="advisor"))
    with pytest.raises(DomainError):
        users.set_active(session, shop.admin, shop.admin.id, False)
    assert session.get(User, shop.admin.id).is_active


def test_disable_and_enable(session, shop):
    token = auth.sign_in(session, "cashier", PASSWORD)
    users.set_active(session, shop.admin, shop.cashier.id, False)
    assert auth.user_for_token(session, token) is None
    with pytest.raises(DomainError):
        auth.sign_in(session, "cashier", PASSWORD)
    users.set_active(session, shop.admin, shop.cashier.id, True)
    assert auth.sign_in(session, "cashier", PASSWORD)


def test_reset_password_keeps_the_rules_and_signs_out(session, shop):
    token = auth.sign_in(session, "advisor", PASSWORD)
    with pytest.raises(DomainError, match="太常见"):
        users.reset_password(session, shop.admin, shop.advisor.id, "1234567890")
    with pytest.raises(DomainError, match="密码至少10位"):
        users.reset_password(session, shop.admin, shop.advisor.id, " " * 9)
    users.reset_password(session, shop.admin, shop.advisor.id, "brand-new-pass")
    assert auth.user_for_token(session, token) is None
    assert auth.sign_in(session, "advisor", "brand-new-pass")
    with pytest.raises(DomainError):
        auth.sign_in(session, "advisor", PASSWORD)


def test_a_new_user_needs_a_password_that_keeps_the_rules(session, shop):
    with pytest.raises(DomainError, match="太常见") as caught:
        users.create_user(session, shop.admin, form(shop), "password123")
    assert caught.value.field == "password"
    assert session.exec(select(User).where(User.username == "newtech")).first() is None


def test_anyone_changes_their_own_password(session, shop):
    token = auth.sign_in(session, "technician", PASSWORD)
    other_phone = auth.sign_in(session, "technician", PASSWORD)
    for current, new, repeated, field, message in (
        ("wrong-password", "a-fresh-secret", "a-fresh-secret", "current", "当前密码不正确"),
        (PASSWORD, "a-fresh-secret", "a-fresh-secreT", "repeated", "两次输入的新密码不一致"),
        (PASSWORD, PASSWORD, PASSWORD, "password", "新密码不能与当前密码相同"),
        (PASSWORD, "1234567890", "1234567890", "password", "密码太常见或太简单，容易被猜中，请换一个"),
    ):
        with pytest.raises(DomainError) as caught:
            users.change_own_password(session, shop.technician, current, new, repeated)
        assert (caught.value.field, caught.value.message) == (field, message)
    assert auth.user_for_token(session, other_phone) is not None  # a refused change ends nothing

    ended = users.change_own_password(session, shop.technician, PASSWORD, "a-fresh-secret", "a-fresh-secret",
                                      keep_token=token)

    assert ended == [auth.state_binding(other_phone)]
    assert auth.sign_in(session, "technician", "a-fresh-secret")
    assert auth.user_for_token(session, token).id == shop.technician.id  # this browser stays signed in
    assert auth.user_for_token(session, other_phone) is None  # whoever knew the old password is signed out
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.change_password")).one()
    assert (event.user_id, event.entity_id) == (shop.technician.id, shop.technician.id)
    with pytest.raises(DomainError, match="请先登录"):
        users.change_own_password(session, None, PASSWORD, "a-fresh-secret", "a-fresh-secret")


def test_an_anonymous_caller_cannot_create_users(session, shop):
    with pytest.raises(PermissionDenied):
        users.create_user(session, None, form(shop), "a-long-password")
    assert session.exec(select(User).where(User.username == "newtech")).first() is None


def test_the_command_line_creates_users_without_a_signed_in_admin(session, shop):
    user = users.create_user_from_command_line(session, form(shop), "a-long-password")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
    assert (user.role, event.user_id, event.entity_id) == (Role.TECHNICIAN, None, user.id)
