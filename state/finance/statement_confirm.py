"""A customer's statement behind its signed link (``/s/<token>``): public, no account, no session cookie.

Its handlers reach only the statement link the token names (``statement_links.verify_token``) and show only that
customer's month. A submit is counted against the rate limits in a unit of its own (by the trusted-proxy client
address), then the answer is recorded in another, as the follow-up form does.
"""

from __future__ import annotations

import reflex as rx

from lantong_pwa import client_address
from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.care.follow_ups import LinkError
from lantong_pwa.services.finance import statement_links
from lantong_pwa.services.platform.rate_limit import RateLimited
from models import StatementLinkStatus
from state.finance.parties import StatementRow, statement_rows
from state.platform.off_loop import run_in_read, run_in_unit
from state.platform.views import money

# What the page shows: "loading", "form", "confirmed", "disputed", a LinkError kind, or "limited".
PAGE_TITLES = {"invalid": "链接无效", "unknown": "未找到对账单", "expired": "链接已过期", "limited": "请稍后再试",
               "confirmed": "已确认", "disputed": "已提交异议"}


class StatementConfirmState(rx.State):
    page: str = "loading"
    message: str = ""
    shop: str = ""
    customer: str = ""
    period: str = ""
    rows: list[StatementRow] = []
    closing: str = ""
    note: str = ""
    errors: dict[str, str] = {}

    @rx.var
    def page_title(self) -> str:
        return PAGE_TITLES.get(self.page, "对账确认")

    def _show_link_error(self, error: DomainError) -> None:
        self.page = error.kind if isinstance(error, LinkError) else "limited" if isinstance(error, RateLimited) \
            else "invalid"
        self.message = error.message
        self.shop = self.customer = self.period = self.closing = ""
        self.rows = []

    def _show(self, view: statement_links.PublicView) -> None:
        sheet = view.statement
        self.shop, self.customer = view.shop, sheet.name
        self.period = f"{sheet.date_from:%Y年%m月}"
        self.rows = statement_rows(sheet)
        self.closing = money(sheet.closing)
        self.note = view.note
        self.page = "form" if view.status == StatementLinkStatus.SENT else view.status.value
        self.message = ""

    @rx.event
    async def load(self):
        """``on_load``: the month's statement for a link that still opens, or why not."""
        self.errors = {}
        token = self.token
        try:
            view = await run_in_read(lambda db: statement_links.public_view(
                db, statement_links.verify_token(db, token)))
        except DomainError as error:
            self._show_link_error(error)
            return
        self._show(view)

    @rx.event
    async def confirm(self, form: dict):
        return await self._answer(True, str(form.get("note", "") or ""))

    @rx.event
    async def dispute(self, form: dict):
        return await self._answer(False, str(form.get("note", "") or ""))

    async def _answer(self, confirmed: bool, note: str):
        if self.page != "form":
            return None
        self.errors = {}
        token = self.token
        try:
            client = client_address.of_router(self.router)
            await run_in_unit(lambda db: statement_links.count_submit(db, token, client))
            await run_in_unit(lambda db: statement_links.answer(db, token, confirmed, note))
            view = await run_in_read(lambda db: statement_links.public_view(
                db, statement_links.verify_token(db, token)))
        except FormErrors as errors:
            self.errors = errors.errors
            return None
        except DomainError as error:
            self._show_link_error(error)
            return None
        self._show(view)
        return None
