"""The customer's follow-up form behind the personal link (``/f/<token>``): public, no account, no session cookie.

Its handlers reach only the follow-up the signed link names (``follow_ups.verify_token``); everything they show is
what ``follow_ups.public_view`` allows (masked plate, surname, shop, day).
"""

from __future__ import annotations

import reflex as rx

from lantong_pwa import client_address
from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.care import follow_ups
from lantong_pwa.services.care.follow_ups import ASPECTS, Answer, LinkError
from lantong_pwa.services.platform.rate_limit import RateLimited
from state.platform.off_loop import run_in_read, run_in_unit

RATED = ("overall", *ASPECTS)
# What each page of the form shows: "form", "thanks", or a LinkError kind, or "limited".
PAGE_TITLES = {
    "invalid": "链接无效",
    "unknown": "未找到回访",
    "expired": "链接已过期",
    "answered": "已评价",
    "limited": "请稍后再试",
}


class FollowUpFormState(rx.State):
    page: str = "loading"
    message: str = ""
    greeting: str = ""
    masked_plate: str = ""
    shop: str = ""
    order_day: str = ""
    ratings: dict[str, int] = {}
    problem_unsolved: bool = False
    errors: dict[str, str] = {}

    def _show_link_error(self, error: DomainError) -> None:
        self.page = error.kind if isinstance(error, LinkError) else "limited" if isinstance(error, RateLimited) \
            else "invalid"
        self.message = error.message
        self.greeting = self.masked_plate = self.shop = self.order_day = ""

    @rx.var
    def page_title(self) -> str:
        return PAGE_TITLES.get(self.page, "服务评价")

    @rx.event
    async def load(self):
        """``on_load``: show the form for a link that can still be answered, or say clearly why not."""
        self.errors = {}
        self.ratings = {}
        self.problem_unsolved = False
        try:
            view = await run_in_read(lambda db: follow_ups.public_view(db, follow_ups.verify_token(db, self.token)))
        except DomainError as error:
            self._show_link_error(error)
            return
        self.page = "form"
        self.message = ""
        self.greeting, self.masked_plate, self.shop = view.greeting, view.masked_plate, view.shop
        self.order_day = f"{view.order_day:%Y年%m月%d日}"

    @rx.event
    def rate(self, field: str, value: int):
        """A star tapped: kept on the page until submitted (the server validates what arrives)."""
        if field in RATED and value in (1, 2, 3, 4, 5):
            self.ratings = {**self.ratings, field: value}
            self.errors = {key: text for key, text in self.errors.items() if key != field}

    @rx.event
    def toggle_unsolved(self, checked: bool):
        self.problem_unsolved = bool(checked)

    @rx.event
    async def submit(self, form: dict):
        """Count the submit against the rate limits in a unit of work of its own, then record the answer in another:
        a refused answer (bad input, a second tab) rolls back its own unit and is still counted."""
        if self.page != "form":
            return None
        given = Answer(**{field: self.ratings.get(field) for field in RATED}, comment=form.get("comment", ""),
                       problem_unsolved=self.problem_unsolved)
        self.errors = {}
        try:
            client = client_address.of_router(self.router)
            await run_in_unit(lambda db: follow_ups.count_submit(db, self.token, client))
            raised_complaint = await run_in_unit(
                lambda db: follow_ups.needs_complaint(follow_ups.answer(db, self.token, given)))
        except FormErrors as errors:
            self.errors = errors.errors
            return None
        except DomainError as error:
            self._show_link_error(error)
            return None
        self.page = "thanks"
        self.message = "我们已收到您的反馈，门店负责人会尽快与您联系。" if raised_complaint else "期待再次为您服务。"
        return None
