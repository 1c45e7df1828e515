"""修改密码 (every signed-in person) and 审计日志 (admin) through their State handlers."""

from __future__ import annotations

import re
from pathlib import Path

from lantong_pwa.services.platform import auth, users
from state.platform.audit_log import ACTION_LABELS
from state.platform.login import LoginState
from tests.conftest import PASSWORD
from tests.state.harness import drive, is_toast, make_state, redirects_in, token_for
from tests.state.platform.account_cases import audit_state, password_state


def test_a_technician_changes_their_own_password(app_engine, shop, session):
    cookie = token_for(session, shop.technician)
    s = password_state(cookie)
    assert drive(s.load()) is None

    assert drive(s.change({"current": PASSWORD, "password": "a-fresh-secret", "repeated": "another-one!"})) is None
    assert s.errors == {"repeated": "两次输入的新密码不一致"} and s.form_key == 0
    drive(s.change({"current": PASSWORD, "password": "technician", "repeated": "technician"}))
    assert s.errors == {"password": "密码不能与用户名相同"}

    result = drive(s.change({"current": PASSWORD, "password": "a-fresh-secret", "repeated": "a-fresh-secret"}))

    assert is_toast(result, "success") and s.errors == {} and s.form_key == 1
    login = make_state(LoginState, path="/login")
    assert redirects_in(drive(login.submit({"username": "technician", "password": "a-fresh-secret"}))) == ["/tasks"]
    assert auth.user_for_token(session, cookie).id == shop.technician.id  # still signed in where it was changed


def test_the_admin_reads_the_sign_ins_with_their_address_and_reason(app_engine, shop, session):
    users.reset_password(session, shop.admin, shop.cashier.id, "a-long-password")
    session.commit()
    for username, password in (("nobody", "x"), ("advisor", "wrong-password"), ("advisor", PASSWORD)):
        drive(make_state(LoginState, path="/login", headers={"asgi-scope-client": "198.51.100.7"}).submit(
            {"username": username, "password": password}))
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


def test_every_audited_action_has_a_chinese_label():
    """Each action a service records (``audit.record(..., "<action>", ...)``) shows in Chinese on 审计日志."""
    recorded = set()
    for path in Path("lantong_pwa").rglob("*.py"):
        recorded |= set(re.findall(r'audit\.record\([^"]*?"([a-z_]+\.[a-z_.]+|sign_in)"', path.read_text()))
    assert recorded and recorded <= set(ACTION_LABELS), recorded - set(ACTION_LABELS)
