"""``/suppliers`` (供应商) on a phone: the list and search, a supplier's form with its payment terms, and the parts it
offers (price, minimum quantity, lead time)."""

from __future__ import annotations

import reflex as rx

from pages.components import card, empty_note, field_error, labelled
from pages.layout import page
from pages.parts.part_search import part_search
from pages.parts.record_screen import active_switch, form_header, search_list, text_field
from state.parts.suppliers import OfferRow, SupplierRow, SuppliersState

ERRORS = SuppliersState.errors
VALUES = SuppliersState.values
OFFER_ERRORS = SuppliersState.offer_errors


def _row(row: SupplierRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(row.name, weight="bold", size="4"),
                      rx.cond(~row.active, rx.badge("已停用", color_scheme="gray")), align="center"),
            rx.text(row.code, " · ", row.detail, size="2", color_scheme="gray"),
            spacing="0",
        ),
        class_name="tap-card",
        width="100%",
        on_click=SuppliersState.open_supplier(row.id),
    )


def _text(label: str, key: str, **props) -> rx.Component:
    return text_field(VALUES, ERRORS, SuppliersState.form_key, "supplier", label, key, **props)


def _offer(row: OfferRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(row.part, weight="medium"),
                  rx.text(row.price, " · 起订 ", row.min_quantity, " · ", row.lead_days, " 天到货", size="2",
                          color_scheme="gray"),
                  spacing="0"),
        rx.spacer(),
        rx.button(rx.icon("pencil"), variant="ghost", size="3", aria_label="修改报价", type="button",
                  on_click=SuppliersState.edit_offer(row.id)),
        rx.button(rx.icon("trash-2"), variant="ghost", color_scheme="red", size="3", aria_label="删除报价",
                  type="button", on_click=SuppliersState.remove_offer(row.id)),
        width="100%",
        align="center",
        class_name="line-row",
    )


def _offer_input(label: str, key: str, input_mode: str, required: bool = False) -> rx.Component:
    return labelled(label, rx.input(name=key, default_value=SuppliersState.offer_values[key], size="3",
                                    input_mode=input_mode, key=SuppliersState.form_key, id=f"offer-{key}"),
                    OFFER_ERRORS, key, required=required)


def offers_card() -> rx.Component:
    return card(
        rx.heading("供应的配件", size="4"),
        rx.cond(SuppliersState.offers.length() > 0, rx.foreach(SuppliersState.offers, _offer),
                empty_note("还没有报价")),
        *part_search(SuppliersState.search_offer_parts, OFFER_ERRORS, SuppliersState.part_choices,
                     SuppliersState.choose_offer_part, aria_label="搜索报价配件"),
        field_error(OFFER_ERRORS, "part_id"),
        rx.cond(SuppliersState.offer_part_id != 0, rx.form(
            rx.vstack(
                rx.text(SuppliersState.offer_part_label, weight="bold"),
                rx.grid(
                    _offer_input("单价（元）", "price", "decimal", required=True),
                    _offer_input("最小订量", "min_quantity", "decimal"),
                    _offer_input("供货周期（天）", "lead_days", "numeric"),
                    columns="3",
                    spacing="2",
                    width="100%",
                ),
                field_error(OFFER_ERRORS, "form"),
                rx.button(rx.icon("save"), "保存报价", type="submit", size="3", width="100%"),
                spacing="2",
                width="100%",
            ),
            on_submit=SuppliersState.save_offer,
            reset_on_submit=False,
            width="100%",
        )),
    )


def supplier_form() -> rx.Component:
    editing = SuppliersState.editing_id > 0
    return rx.vstack(
        rx.form(
            card(
                form_header(editing=editing, active=SuppliersState.active, edit_title="编辑供应商",
                            new_title="新建供应商", on_close=SuppliersState.close_form),
                field_error(ERRORS, "form"),
                rx.grid(
                    _text("名称", "name", required=True, placeholder="如 广州宏达汽配"),
                    _text("编码", "code", placeholder="不填自动编号", max_length=20),
                    _text("联系人", "contact", max_length=32),
                    _text("电话", "phone", max_length=32, input_mode="tel"),
                    _text("税号", "tax_id", max_length=20),
                    _text("开户行及账号", "bank_account", max_length=100),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                _text("地址", "address", max_length=200),
                labelled("结算方式", rx.radio_group.root(
                    rx.hstack(
                        rx.radio_group.item("现结", value="cash", class_name="fuel-option"),
                        rx.radio_group.item("月结", value="monthly", class_name="fuel-option"),
                        rx.radio_group.item("账期", value="days", class_name="fuel-option"),
                        spacing="3",
                    ),
                    name="terms", value=VALUES["terms"], on_change=SuppliersState.choose_terms, size="3"),
                    ERRORS, "terms"),
                rx.cond(VALUES["terms"] != "cash", labelled(
                    rx.cond(VALUES["terms"] == "monthly", "月结天数（月底后N天）", "账期天数（单据后N天）"),
                    rx.input(name="terms_days", default_value=VALUES["terms_days"], key=SuppliersState.form_key,
                             size="3", input_mode="numeric", id="supplier-terms_days"),
                    ERRORS, "terms_days")),
                rx.button(rx.icon("save"), "保存", type="submit", size="4", width="100%", id="supplier-save"),
            ),
            on_submit=SuppliersState.save,
            reset_on_submit=False,
            width="100%",
        ),
        rx.cond(editing, offers_card()),
        active_switch(editing=editing, active=SuppliersState.active, on_set=SuppliersState.set_active,
                      retire_label="停用供应商"),
        width="100%",
        spacing="3",
    )


def supplier_list() -> rx.Component:
    return rx.vstack(
        *search_list(on_search=SuppliersState.search, errors=ERRORS, placeholder="名称、编码、联系人或电话",
                     aria_label="搜索供应商", new_label="新建供应商", on_new=SuppliersState.new_supplier,
                     rows=SuppliersState.rows, render_row=_row, empty="还没有供应商", input_id="supplier-query",
                     new_id="new-supplier"),
        width="100%",
        spacing="3",
    )


@page("供应商")
def suppliers_page():
    return [
        rx.cond(SuppliersState.editing_id == 0, field_error(ERRORS, "form")),
        rx.cond(SuppliersState.editing_id != 0, supplier_form(), supplier_list()),
    ]
