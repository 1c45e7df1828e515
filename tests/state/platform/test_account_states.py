"""修改密码 (every signed-in person) and 审计日志 (admin) through their State handlers; signing in through the
sign-in route (tests/test_web_session.py)."""

from __future__ import annotations

from lantong_pwa.services.platform import auth, users
from tests.conftest import PASSWORD
from tests.state.harness import drive, is_toast, token_for
from tests.state.platform.account_cases import audit_state, password_state
from tests.test_web_session import from_address, sign_in


def test_a_technician_changes_their_own_password(app_engine, shop, session):
    cookie = token_for(session, shop.technician)
    other_phone = token_for(session, shop.technician)
    s = password_state(cookie)
    assert drive(s.load()) is None

    assert drive(s.change({"current": PASSWORD, "password": "a-fresh-secret", "repeated": "another-one!"})) is None
    assert s.errors == {"repeated": "两次输入的新密码不一致"} and s.form_key == 0
    drive(s.change({"current": PASSWORD, "password": "technician", "repeated": "technician"}))
    assert s.errors == {"password": "密码不能与用户名相同"}

    result = drive(s.change({"current": PASSWORD, "password": "a-fresh-secret", "repeated": "a-fresh-secret"}))

    assert is_toast(result, "success") and s.errors == {} and s.form_key == 1
    with from_address(app_engine, "198.51.100.7") as phone:
        assert sign_in(phone, "technician", "a-fresh-secret").status_code == 200
        assert sign_in(phone, "technician", PASSWORD).json() == {"error": auth.SIGN_IN_REFUSED}
    session.expire_all()
    assert auth.user_for_token(session, cookie).id == shop.technician.id  # still signed in where it was changed
    assert auth.user_for_token(session, other_phone) is None  # signed out everywhere else


def test_the_admin_reads_the_sign_ins_with_their_address_and_reason(app_engine, shop, session):
    users.reset_password(session, shop.admin, shop.cashier.id, "a-long-password")
    session.commit()
    with from_address(app_engine, "198.51.100.7") as phone:
        for username, password in (("nobody", "x"), ("advisor", "wrong-password"), ("advisor", PASSWORD)):
            sign_in(phone, username, password)
    s = audit_state(token_for(session, shop.admin))

    assert drive(s.load()) is None

    rows = [(r.action, r.refused, r.who, r.address, r.note) for r in s.rows]
    assert rows[1:4] == [("登录成功", False, "服务顾问", "198.51.100.7", ""),
                         ("登录失败", True, "advisor", "198.51.100.7", "密码错误"),
                         ("登录失败", True, "nobody", "198.51.100.7", "无此用户")]
    assert rows[0][:3] == ("登录成功", False, "系统管理员")  # the admin's own (token_for: no address)
    assert "重置密码" not in {r.action for r in s.rows}
    drive(s.show_sign_ins_only(False))
    assert not s.sign_ins_only
    assert [(r.action, r.who) for r in s.rows if r.action == "重置密码"] == [("重置密码", "系统管理员")]
