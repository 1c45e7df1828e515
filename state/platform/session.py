"""The signed-in person: who they are, page guards and sign-out.

Every other State subclasses ``SessionState`` and resolves the acting user on the server for each event
(``self._actor(db)``) from the session cookie its websocket connected with (``lantong_pwa/web_session.py``): the
token is never part of the state, so a forged or stale client value never grants anything.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import reflex as rx
from sqlmodel import Session

from lantong_pwa import web_session
from lantong_pwa.client_state import FORGET_CLIENT_TOKEN, forget_browser
from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.platform import auth
from lantong_pwa.services.platform.permissions import Permission, allows, role_allows
from models import Role, User
from state.platform.drafts import forget_drafts_of
from state.platform.off_loop import run_in_read, run_in_unit

T = TypeVar("T")


def new_request_key() -> str:
    """A fresh key for a form's next submit: a resend of the same submit carries the same key, so the service
    finds the first record instead of making a second one."""
    return str(uuid.uuid4())


@dataclasses.dataclass
class Outcome(Generic[T]):
    """What a State handler's unit of work ended with: the service's result, or the rule it broke."""
    value: T | None = None
    error: DomainError | None = None
    # A page read (``_in_read(..., page=...)``) for a stranger or the wrong role: where to send them instead.
    redirect: Any = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.redirect is None

    @property
    def field_errors(self) -> dict[str, str]:
        """The refusal beside the form fields it names (every field of a ``FormErrors``; "form" when it names
        none); empty when the work went through."""
        if self.error is None:
            return {}
        if isinstance(self.error, FormErrors):
            return dict(self.error.errors)
        return {self.error.field or "form": self.error.message}


# Every page in the navigation: path → (label, the permission that opens it).
NAV_PAGES = {
    "/orders": ("在修", Permission.VIEW_VEHICLES),
    "/intake": ("接车", Permission.INTAKE),
    "/tasks": ("任务", Permission.CLOCK_JOBS),
    "/vehicles": ("车辆", Permission.VIEW_VEHICLES),
    "/care": ("关怀", Permission.CUSTOMER_CARE),
    "/customers": ("客户", Permission.VIEW_CUSTOMERS),
    "/complaints": ("投诉", Permission.CUSTOMER_CARE),
    "/cashier": ("收银", Permission.SETTLE),
    "/parts": ("配件", Permission.VIEW_PARTS),
    "/parts/catalogue": ("档案", Permission.MANAGE_CATALOGUE),
    "/suppliers": ("供应商", Permission.MANAGE_CATALOGUE),
    "/parts/import": ("导入", Permission.MANAGE_CATALOGUE),
    "/parts/ledger": ("进销存", Permission.VIEW_STOCK_REPORTS),
    "/parts/stocktake": ("盘点", Permission.COUNT_STOCK),
    "/parts/issues": ("领用", Permission.VIEW_STOCK_REPORTS),
    "/parts/prices/adjust": ("调价", Permission.ADJUST_PRICES),
    "/payables": ("应付", Permission.VIEW_PAYABLES),
    "/finance/receivables": ("应收", Permission.VIEW_RECEIVABLES),
    "/finance/parties": ("往来单位", Permission.MANAGE_COUNTERPARTIES),
    "/finance/accounts": ("资金", Permission.VIEW_CASH_BOOK),
    "/finance/expenses": ("费用", Permission.REQUEST_EXPENSES),
    "/finance/profit": ("利润", Permission.VIEW_FIGURES),
    "/finance/invoices": ("发票", Permission.VIEW_INVOICES),
    "/cashier/close": ("交班", Permission.VIEW_CASH_BOOK),
    "/purchasing": ("采购", Permission.PURCHASE),
    "/parts/transfers": ("调拨", Permission.VIEW_STOCK_REPORTS),
    "/figures": ("数据", Permission.VIEW_FIGURES),
    "/satisfaction": ("满意度", Permission.VIEW_CARE_FIGURES),
    "/reports": ("查询", Permission.VIEW_REPORTS),
    "/admin/users": ("用户", Permission.MANAGE_USERS),
    "/admin/branches": ("门店", Permission.MANAGE_BRANCHES),
    "/admin/audit": ("日志", Permission.VIEW_AUDIT),
    "/settings": ("设置", Permission.MANAGE_SETTINGS),
    "/messages": ("消息", Permission.CUSTOMER_CARE),
}
PHONE_TABS = 4  # the rest of a role's pages sit behind 更多 on a phone

# Each role's pages in the order its day needs them: the first is where it lands after signing in, the first
# PHONE_TABS are its phone tabs. Every page the role may open is listed once (a test holds this to the permissions).
ROLE_NAV: dict[Role, tuple[str, ...]] = {
    Role.ADMIN: ("/admin/users", "/settings", "/figures", "/reports", "/admin/branches", "/orders", "/satisfaction",
                 "/intake",
                 "/tasks", "/vehicles", "/cashier", "/parts", "/parts/ledger", "/parts/catalogue", "/suppliers",
                 "/parts/import", "/parts/transfers", "/parts/issues", "/parts/prices/adjust", "/payables",
                 "/finance/receivables", "/finance/parties", "/finance/accounts", "/finance/expenses", "/finance/profit",
                 "/finance/invoices", "/cashier/close", "/customers", "/care", "/complaints", "/messages",
                 "/admin/audit"),
    # The manager follows the shop from a phone: the figures, queries and satisfaction first, the floor next.
    Role.MANAGER: ("/figures", "/reports", "/satisfaction", "/orders", "/complaints", "/customers", "/care",
                   "/intake", "/tasks", "/vehicles", "/cashier", "/parts", "/parts/ledger", "/purchasing",
                   "/parts/stocktake", "/parts/catalogue", "/suppliers", "/parts/import", "/parts/transfers",
                   "/parts/issues", "/parts/prices/adjust", "/payables", "/finance/receivables", "/finance/parties",
                   "/finance/accounts", "/finance/expenses", "/finance/profit", "/finance/invoices", "/cashier/close", "/settings",
                   "/messages"),
    Role.ADVISOR: ("/intake", "/orders", "/vehicles", "/care", "/customers", "/complaints", "/messages", "/cashier",
                   "/parts", "/reports", "/finance/expenses"),
    Role.TECHNICIAN: ("/tasks", "/orders", "/vehicles"),
    Role.PARTS_CLERK: ("/parts", "/purchasing", "/parts/catalogue", "/orders", "/parts/ledger", "/parts/transfers",
                       "/parts/stocktake", "/vehicles", "/suppliers", "/parts/import", "/parts/issues", "/payables",
                       "/finance/expenses"),
    Role.CASHIER: ("/cashier", "/orders", "/customers", "/reports", "/cashier/close", "/finance/receivables",
                   "/payables", "/finance/parties", "/finance/accounts", "/finance/expenses", "/finance/invoices", "/vehicles"),
}

# Where each role lands after signing in.
ROLE_HOME = {role: paths[0] for role, paths in ROLE_NAV.items()}


def nav_for(role: str) -> list[list[str]]:
    """The pages a role may open as ``[path, label]``, in its ``ROLE_NAV`` order."""
    if not role:
        return []
    return [[path, NAV_PAGES[path][0]] for path in ROLE_NAV[Role(role)] if role_allows(role, NAV_PAGES[path][1])]


class SessionState(rx.State):
    user_id: int = 0  # scopes what the browser keeps for this person (form drafts)
    user_display_name: str = ""
    user_role: str = ""
    user_role_label: str = ""

    def _session_token(self) -> str | None:
        """The session token of the cookie this tab's websocket connected with (never kept in the state)."""
        return web_session.token_in(self.router.headers.cookie)

    def _actor(self, db: Session) -> User | None:
        """The active user behind this browser's cookie, looked up on the server."""
        return auth.user_for_token(db, self._session_token())

    async def _in_unit(self, work: Callable[[Session, User | None], T]) -> Outcome[T]:
        """Run ``work(db, actor)`` as this request's one transaction, in a worker thread (``off_loop``): committed
        once if it returns, rolled back whole if it raises. A ``DomainError`` comes back in the outcome for the page
        to show; anything else propagates (after the rollback)."""
        token = self._session_token()

        def unit(db: Session):
            actor = self._actor(db)
            if actor is not None and web_session.due_for_touch(token):
                auth.touch(db, token)
            return work(db, actor)

        try:
            return Outcome(value=await run_in_unit(unit))
        except DomainError as error:
            return Outcome(error=error)

    async def _in_read(self, work: Callable[[Session, User | None], T], *,
                       page: Permission | None = None) -> Outcome[T]:
        """Like ``_in_unit`` for a request that only reads: nothing is committed, and a write raises. With ``page``,
        it is a page's load: the person must be signed in and allowed ``page`` (as ``_guard`` checks), and the
        check and the work share one read; a refused person gets ``Outcome.redirect`` and the work does not run."""

        token = self._session_token()

        def read(db: Session):
            actor = self._actor(db)
            refused = None if page is None else self._refusal(actor, page)
            return actor is not None, refused, (None if refused is not None else work(db, actor))

        try:
            signed_in, refused, value = await run_in_read(read)
        except DomainError as error:
            return Outcome(error=error)
        if signed_in and web_session.due_for_touch(token):
            # Noted beside the read, not before its answer: a read never waits for the database's write lock.
            web_session.in_background(run_in_unit(lambda db: auth.touch(db, token)))
        elif token and not signed_in and page is not None:
            # The cookie's session has ended (expired, or ended elsewhere): what this tab kept of it goes too.
            forget_browser(self.router.session.client_token)
        return Outcome(value=value, redirect=refused)

    def _remember(self, user: User) -> None:
        self.user_id = user.id
        self.user_display_name = user.display_name
        self.user_role = Role(user.role).value
        self.user_role_label = Role(user.role).label

    def _login_redirect(self):
        url = self.router.url
        here = url.path + (f"?{url.query}" if url.query else "")
        return rx.redirect(f"/login?next={quote(here, safe='')}")

    def _refusal(self, user: User | None, permission: Permission):
        """Where a page sends someone who may not open it (strangers to sign in, the wrong role to their own
        home), or None for the person it is for (remembered for the navigation)."""
        if user is None:
            self.user_role = ""
            return self._login_redirect()
        self._remember(user)
        if not allows(user, permission):
            return [rx.toast.error("您没有权限访问该页面"), rx.redirect(ROLE_HOME[Role(user.role)])]
        return None

    async def _guard(self, permission: Permission):
        """Load the user for a page; send strangers to sign in and the wrong role to their own home. A load that
        reads the page's data anyway does both in one read: ``_in_read(work, page=permission)``."""
        return (await self._in_read(lambda _db, _user: None, page=permission)).redirect

    @rx.var
    def phone_tabs(self) -> list[list[str]]:
        return nav_for(self.user_role)[:PHONE_TABS]

    @rx.var
    def phone_more(self) -> list[list[str]]:
        return nav_for(self.user_role)[PHONE_TABS:]

    @rx.var
    def nav_items(self) -> list[list[str]]:
        return nav_for(self.user_role)

    # What the navigation offers; each handler still checks on the server.
    @rx.var
    def can_intake(self) -> bool:
        return role_allows(self.user_role, Permission.INTAKE)

    @rx.var
    def can_settle(self) -> bool:
        return role_allows(self.user_role, Permission.SETTLE)

    @rx.var
    def can_compare_suppliers(self) -> bool:
        return role_allows(self.user_role, Permission.PURCHASE)

    @rx.var
    def can_adjust_prices(self) -> bool:
        return role_allows(self.user_role, Permission.ADJUST_PRICES)

    @rx.event
    async def go_home(self):
        """``/``: each role's own home, or the sign-in page."""
        def home(_db: Session, user: User | None):
            if user is None:
                return rx.redirect("/login")
            self._remember(user)
            return rx.redirect(ROLE_HOME[Role(user.role)])

        return (await self._in_read(home)).value

    @rx.event
    async def sign_out(self):
        """End the session on the server, drop the state of this tab and of every other tab of the session, clear
        the drafts this person left in the browser, and have the browser forget the cookie: the page then loads the
        sign-in page afresh under a new client token (lantong_pwa/client_state.py, web_session.py)."""
        token = self._session_token()
        ended = (await self._in_unit(lambda db, _actor: auth.sign_out(db, token))).value or []
        leaving = [forget_drafts_of(self.user_id)] if self.user_id else []
        self.user_id = 0
        self.user_role = ""
        self.user_display_name = ""
        forget_browser(self.router.session.client_token)
        web_session.drop_states_of(ended)
        return [*leaving, rx.call_script(web_session.sign_out_script(FORGET_CLIENT_TOKEN))]

    @rx.event
    async def guard_staff(self):
        return await self._guard(Permission.VIEW_VEHICLES)
