"""往来单位: the branch's insurers and manufacturers, their terms and what each owes; create, edit, retire."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, card, empty_note, field_error, labelled
from pages.layout import page
from state.finance.counterparties import CounterpartiesState, PartyRowView

C = CounterpartiesState


def _party(row: PartyRowView) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.text(row.name, weight="bold"), rx.badge(row.kind_label),
                      rx.cond(~row.active, rx.badge("已停用", color_scheme="gray")), align="center", wrap="wrap"),
            rx.text(row.terms_text,
                    rx.cond(row.contact != "", " · " + row.contact, ""),
                    rx.cond(row.phone != "", " · " + row.phone, ""),
                    rx.cond(row.tax_id != "", " · 税号 " + row.tax_id, ""), size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.vstack(rx.text("未收 ", row.balance, weight="bold", white_space="nowrap"),
                  rx.hstack(rx.button("编辑", size="2", variant="soft", type="button", on_click=C.edit(row.id),
                                      aria_label="编辑 " + row.name),
                            rx.cond(row.active,
                                    rx.button("停用", size="2", variant="ghost", color_scheme="red", type="button",
                                              on_click=C.set_active(row.id, False), aria_label="停用 " + row.name),
                                    rx.button("启用", size="2", variant="ghost", type="button",
                                              on_click=C.set_active(row.id, True), aria_label="启用 " + row.name)),
                            spacing="2"),
                  align="end", spacing="1"),
        align="center", width="100%", class_name="line-row", id="party-" + row.id.to_string(),
    )


def _select(name: str, options, value, element_id: str, label: str) -> rx.Component:
    return rx.el.select(rx.foreach(options, lambda o: rx.el.option(o[1], value=o[0])), name=name,
                        default_value=value, class_name="native-select", id=element_id, aria_label=label)


def _text(name: str, label: str, value, required: bool = False, **props) -> rx.Component:
    return labelled(label, rx.input(name=name, default_value=value, size="3", width="100%", id="party-" + name,
                                    **props), C.errors, name, required=required)


def _form() -> rx.Component:
    e = C.editing
    return card(
        rx.hstack(rx.heading(rx.cond(C.editing_id != 0, "编辑往来单位", "新建往来单位"), size="4"), rx.spacer(),
                  rx.cond(C.editing_id != 0, rx.button("改为新建", size="2", variant="ghost", type="button",
                                                       on_click=C.new)), align="center", width="100%"),
        rx.form(
            rx.vstack(
                rx.grid(labelled("类别", _select("kind", C.kind_options, e.kind, "party-kind", "类别"), C.errors, "kind",
                                 required=True),
                        _text("name", "名称", e.name, required=True, max_length=48, placeholder="与结算单上填写的一致"),
                        columns="2", spacing="2", width="100%"),
                rx.grid(_text("contact", "联系人", e.contact, max_length=32),
                        _text("phone", "电话", e.phone, max_length=32, input_mode="tel"),
                        columns="2", spacing="2", width="100%"),
                _text("tax_id", "税号（统一社会信用代码）", e.tax_id, max_length=20),
                _text("address", "地址", e.address, max_length=200),
                rx.grid(labelled("结算方式", _select("terms", C.terms_options, e.terms, "party-terms", "结算方式"),
                                 C.errors, "terms"),
                        _text("terms_days", "天数", e.terms_days, input_mode="numeric"),
                        columns="2", spacing="2", width="100%"),
                rx.button(rx.icon("save"), "保存", type="submit", size="3", width="100%", id="party-save"),
                spacing="3", width="100%",
            ),
            on_submit=C.save, reset_on_submit=False, key=C.form_version.to_string(), width="100%",
        ),
    )


@page("往来单位")
def counterparties_page():
    return [
        banner_error(C.error),
        card(
            rx.hstack(rx.heading("往来单位", size="5"), rx.spacer(),
                      rx.hstack(rx.switch(checked=C.show_retired, on_change=C.toggle_retired, id="show-retired"),
                                rx.text("显示已停用", size="2"), align="center"),
                      align="center", width="100%", wrap="wrap"),
            rx.text("保险公司和厂家：结算单上保险、三包项目的付款方；未收为其尚未回款的金额。", size="2",
                    color_scheme="gray"),
            rx.cond(C.parties.length() > 0, rx.vstack(rx.foreach(C.parties, _party), width="100%", spacing="1"),
                    empty_note("还没有往来单位：结算时填写的保险公司或厂家会自动加入")),
        ),
        field_error(C.errors, "form"),
        _form(),
    ]
