"""The customer's follow-up form (``/f/<token>``): phone-sized, no sign-in, big stars to tap."""

from __future__ import annotations

import reflex as rx

from lantong_pwa.services.care.follow_ups import ASPECTS, COMMENT_MAX, RATING_LABELS
from pages.components import field_error, page_loading
from state.care.follow_up_form import FollowUpFormState

F = FollowUpFormState
STAR_WORDS = {1: "很不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "非常满意"}


def _stars(field: str) -> rx.Component:
    chosen = F.ratings[field]
    return rx.vstack(
        rx.text(RATING_LABELS[field], weight="bold", size=rx.cond(field == "overall", "5", "3")),
        rx.hstack(
            *[rx.el.button(
                rx.icon("star", size=30, fill=rx.cond(chosen >= n, "currentColor", "none")),
                type="button",
                on_click=F.rate(field, n),
                class_name=rx.cond(chosen >= n, "star star-on", "star"),
                aria_label=f"{RATING_LABELS[field]}{n}星（{STAR_WORDS[n]}）",
                aria_pressed=rx.cond(chosen == n, "true", "false"),
                id=f"{field}-{n}",
            ) for n in range(1, 6)],
            spacing="1",
        ),
        rx.text(rx.match(chosen, *[(n, STAR_WORDS[n]) for n in range(1, 6)], "请点击星星打分"), size="2",
                color_scheme="gray"),
        field_error(F.errors, field),
        spacing="1",
        width="100%",
        class_name="rating-row",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(F.greeting, "，您好！", size="4", weight="medium"),
            rx.text("感谢您于", F.order_day, "在", rx.text.strong(F.shop), "维修保养车辆（", F.masked_plate,
                    "）。请为本次服务打分：", size="3"),
            _stars("overall"),
            rx.divider(),
            *[_stars(field) for field in ASPECTS],
            rx.divider(),
            rx.el.label(rx.text("留言（选填）", weight="bold"), html_for="comment"),
            rx.text_area(name="comment", id="comment", max_length=COMMENT_MAX, rows="4", width="100%", size="3",
                         placeholder="您的意见和建议"),
            field_error(F.errors, "comment"),
            rx.el.label(
                rx.checkbox(checked=F.problem_unsolved, on_change=F.toggle_unsolved, size="3"),
                rx.text("问题未解决，需要门店联系我", size="3"),
                class_name="unsolved-tick",
            ),
            rx.button("提交评价", type="submit", size="4", width="100%", id="submit-follow-up"),
            spacing="4",
            width="100%",
        ),
        on_submit=F.submit,
        reset_on_submit=False,
        width="100%",
    )


def _notice(icon: str, colour: str) -> rx.Component:
    return rx.vstack(
        rx.icon(icon, size=56, color=f"var(--{colour}-9)"),
        rx.heading(F.page_title, size="6"),
        rx.text(F.message, size="4", align="center"),
        align="center",
        spacing="4",
        padding_y="3em",
        width="100%",
        id="follow-up-notice",
    )


def follow_up_form_page() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading("服务评价", size="7", as_="h1"),
            rx.match(
                F.page,
                ("loading", page_loading(padding="3em")),
                ("form", _form()),
                ("thanks", rx.vstack(
                    rx.icon("circle-check", size=56, color="var(--green-9)"),
                    rx.heading("感谢您的评价！", size="6"),
                    rx.text(F.message, size="4", align="center"),
                    align="center", spacing="4", padding_y="3em", width="100%", id="follow-up-thanks",
                )),
                ("answered", _notice("circle-check", "green")),
                ("limited", _notice("clock", "orange")),
                _notice("link-2-off", "red"),
            ),
            spacing="4",
            width="100%",
        ),
        class_name="public-form",
    )
