"""Ending a session drops the state of every browser tab bound to it (lantong_pwa/web_session.py), in memory and in
Redis, and an admin can end a user's sessions (强制下线) from the users screen."""

from __future__ import annotations

import asyncio
import uuid

from sqlmodel import select

from lantong_pwa import reflex_internals, web_session
from lantong_pwa.reflex_internals import state_token
from lantong_pwa.services.platform import auth
from models import AuditEvent
from state.platform.admin_users import UsersAdminState
from state.platform.session import SessionState
from state.workshop.intake import IntakeState
from tests.conftest import STATE_REDIS_URL
from tests.state.harness import drive, is_toast, make_state, redirects_in, toast_text, token_for



def tabs() -> dict[str, str]:
    """Client tokens as the websocket binds them: two tabs of one session, a tab of another, a tab of none."""
    ended, kept = uuid.uuid4().hex, uuid.uuid4().hex
    first, second, third = (str(uuid.uuid4()) for _ in range(3))
    return {"ended": ended, "first": f"{first}.{ended}", "second": f"{second}.{ended}",
            "other session": f"{third}.{kept}", "anonymous": f"{first}.{web_session.ANONYMOUS}"}


async def _fill(manager, tokens) -> None:
    for token in tokens:
        async with manager.modify_state(state_token(token, IntakeState)) as root:
            (await root.get_state(IntakeState)).query = "张三"


def test_an_ended_sessions_tabs_leave_the_memory_state_manager():
    manager = reflex_internals.memory_state_manager(expiry_seconds=3600)
    t = tabs()

    async def scene():
        await _fill(manager, [t["first"], t["second"], t["other session"], t["anonymous"]])
        await web_session._drop_bound_to(manager, [t["ended"]])
        assert not reflex_internals.holds_client_state(manager, t["first"])
        assert not reflex_internals.holds_client_state(manager, t["second"])
        assert reflex_internals.holds_client_state(manager, t["other session"])
        assert reflex_internals.holds_client_state(manager, t["anonymous"]), "the same tab's other state stays"
        await manager.close()

    asyncio.run(scene())


def test_an_ended_sessions_tabs_leave_redis(state_redis):
    client = state_redis
    t = tabs()
    manager = reflex_internals.redis_state_manager(STATE_REDIS_URL, expiry_seconds=600)

    async def scene():
        try:
            await _fill(manager, [t["first"], t["second"], t["other session"], t["anonymous"]])
            await web_session._drop_bound_to(manager, [t["ended"]])
        finally:
            await manager.close()

    try:
        asyncio.run(scene())
        assert list(client.scan_iter(match=f"*.{t['ended']}*")) == []
        assert list(client.scan_iter(match=f"{t['other session']}_*"))
        assert list(client.scan_iter(match=f"{t['anonymous']}_*"))
    finally:
        for token in t.values():
            keys = list(client.scan_iter(match=f"*{token}*"))
            if keys:
                client.delete(*keys)


def test_an_admin_signs_a_user_out_everywhere(app_engine, shop, session):
    phone, tablet = token_for(session, shop.technician), token_for(session, shop.technician)
    cashier = token_for(session, shop.cashier)
    admin = make_state(UsersAdminState, token=token_for(session, shop.admin), path="/admin/users")
    drive(admin.load())

    result = drive(admin.end_sessions(shop.technician.id))

    assert is_toast(result, "success") and "2个登录" in toast_text(result)
    session.expire_all()
    assert auth.user_for_token(session, phone) is None and auth.user_for_token(session, tablet) is None
    assert auth.user_for_token(session, cashier) is not None
    guarded = make_state(SessionState, token=phone, path="/tasks")
    assert redirects_in(drive(guarded.guard_staff())) == ["/login?next=%2Ftasks"]
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "user.end_sessions")).one()
    assert audit.entity_id == shop.technician.id


def test_only_an_admin_may(app_engine, shop, session):
    phone = token_for(session, shop.technician)
    manager = make_state(UsersAdminState, token=token_for(session, shop.manager), path="/admin/users")
    assert is_toast(drive(manager.end_sessions(shop.technician.id)), "error")
    session.expire_all()
    assert auth.user_for_token(session, phone) is not None


def test_a_tab_whose_session_has_ended_drops_its_state_at_its_next_page(app_engine, shop, session, monkeypatch):
    import state.platform.session as session_state

    dropped = []
    monkeypatch.setattr(session_state, "forget_browser", dropped.append)
    token = token_for(session, shop.advisor)
    auth.end_sessions_of(session, shop.advisor.id)
    session.commit()

    tab = make_state(SessionState, token=token, path="/vehicles")
    assert redirects_in(drive(tab.guard_staff())) == ["/login?next=%2Fvehicles"]
    assert len(dropped) == 1, "its state is dropped as it is sent to sign in"
    assert redirects_in(drive(make_state(SessionState, path="/vehicles").guard_staff()))
    assert len(dropped) == 1, "a tab that never had a session keeps its (anonymous) state"
