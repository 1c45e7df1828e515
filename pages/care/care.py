"""The reminder centre (``/care``, 客户关怀中心): band counters that filter, a type filter, and a card per customer to
contact with the band badge, what is due and when, tap-to-call, and 已联系 / 推迟 / 发送提醒 (回访 for follow-ups).
Cards stack on a phone; the counters sit four abreast on a tablet."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, empty_note, plate
from pages.layout import page
from state.care.care import BandCount, CareState, ReminderRow

S = CareState


def _counter(item: BandCount) -> rx.Component:
    chosen = S.band_filter == item.band
    return rx.button(
        rx.vstack(rx.text(item.count, size="6", weight="bold"), rx.text(item.label, size="2"), spacing="0",
                  align="center"),
        variant=rx.cond(chosen, "solid", "soft"), color_scheme=item.colour, size="4", height="auto",
        padding_y="0.6em", width="100%", on_click=S.filter_band(rx.cond(chosen, "", item.band)),
        aria_pressed=rx.cond(chosen, "true", "false"), id="band-" + item.band,
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.grid(rx.foreach(S.counts, _counter), columns=rx.breakpoints(initial="2", sm="4"), spacing="2",
                width="100%", id="band-counts"),
        rx.hstack(
            rx.el.select(rx.foreach(S.kind_options, lambda o: rx.el.option(o[1], value=o[0])),
                         value=S.kind_filter, on_change=S.filter_kind, class_name="native-select",
                         aria_label="提醒类型", id="kind-filter", max_width="14em"),
            rx.cond(S.band_filter != "",
                    rx.button(rx.icon("x"), "全部紧急程度", size="3", variant="ghost", on_click=S.filter_band(""))),
            rx.spacer(),
            rx.text("共 ", S.total, " 条待联系", size="2", color_scheme="gray"),
            width="100%", align="center", wrap="wrap",
        ),
        width="100%", spacing="3",
    )


def _contact_form(row: ReminderRow) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.input(name="result", placeholder="联系结果，如：已预约周五到店", size="3", width="100%", max_length=200,
                     aria_label="联系结果", auto_focus=True, id="contact-result"),
            rx.cond(S.contact_error != "",
                    rx.text(S.contact_error, color_scheme="red", size="2", role="alert", class_name="field-error")),
            rx.el.input(type="hidden", name="reminder_id", value=row.id.to_string()),
            rx.hstack(
                rx.button(rx.icon("check"), "保存", size="3", type="submit", id="save-contact"),
                rx.button("取消", size="3", variant="soft", color_scheme="gray", type="button",
                          on_click=S.close_contact),
                spacing="2",
            ),
            spacing="2", width="100%",
        ),
        on_submit=S.mark_contacted, reset_on_submit=False, width="100%",
    )


def _actions(row: ReminderRow) -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("phone-outgoing"), "已联系", size="3", variant="soft", color_scheme="green",
                  on_click=S.open_contact(row.id), class_name="care-action"),
        rx.menu.root(
            rx.menu.trigger(rx.button(rx.icon("alarm-clock"), "推迟", size="3", variant="soft", color_scheme="gray",
                                      class_name="care-action")),
            rx.menu.content(rx.foreach(S.snooze_options, lambda days: rx.menu.item(
                "推迟 ", days.to_string(), " 天", on_click=S.snooze(row.id, days), class_name="menu-item"))),
        ),
        rx.button(rx.icon("send"), "发送提醒", size="3", variant="soft", on_click=S.send(row.id, row.send_key),
                  class_name="care-action"),
        rx.cond(row.follow_up_url != "",
                rx.link(rx.button(rx.icon("message-square-text"), "回访", size="3", variant="outline",
                                  class_name="care-action"), href=row.follow_up_url)),
        spacing="2", wrap="wrap", width="100%",
    )


def _entry(row: ReminderRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(row.band_label, color_scheme=row.colour, size="2", variant="solid"),
                rx.text(row.kind_label, weight="bold", size="4"),
                rx.spacer(),
                rx.text(row.due, size="2", weight="medium", color_scheme=rx.cond(row.band == "overdue", "red", "gray")),
                align="center", width="100%", wrap="wrap",
            ),
            rx.hstack(
                rx.text(row.customer, weight="medium", size="4"),
                rx.link(rx.hstack(rx.icon("phone", size=18), rx.text(row.mobile), align="center", spacing="1"),
                        href=row.tel, class_name="tel-link", aria_label="拨打 " + row.customer),
                rx.cond(row.plate != "", plate(row.plate)),
                align="center", spacing="3", wrap="wrap", width="100%",
            ),
            rx.cond(row.detail != "", rx.text(row.detail, size="2", color_scheme="gray")),
            rx.cond(row.notice != "", rx.hstack(rx.icon("mail", size=16),
                                                rx.text(row.notice, size="2", color_scheme=row.notice_colour),
                                                align="center", spacing="1", class_name="care-notice")),
            rx.cond(S.contacting_id == row.id, _contact_form(row), _actions(row)),
            spacing="2", width="100%",
        ),
        width="100%", class_name="care-card",
        border_left=rx.cond(row.band == "overdue", "4px solid var(--red-9)", "none"),
    )


@page("客户关怀中心")
def care_page():
    return [
        _filters(),
        banner_error(S.error),
        rx.cond(S.rows.length() > 0,
                rx.vstack(rx.foreach(S.rows, _entry), spacing="3", width="100%", id="care-list"),
                rx.cond(S.error == "", empty_note("没有需要联系的客户"))),
    ]

