"""``/parts/catalogue`` (配件档案) on a phone: search or scan, the list, and one part's form with its barcodes,
default warehouse and shelf, 停用/启用, and the minimum and maximum per warehouse."""

from __future__ import annotations

import reflex as rx

from pages.components import card, field_error, labelled
from pages.layout import page
from pages.parts.record_screen import active_switch, form_header, search_list, text_field
from pages.scanner import scan_button
from state.parts.catalogue import CatalogueRow, CatalogueState, LimitRow, WarehouseOption

ERRORS = CatalogueState.errors
VALUES = CatalogueState.values


def _row(row: CatalogueRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.hstack(rx.text(row.name, weight="bold", size="4"),
                          rx.cond(~row.active, rx.badge("已停用", color_scheme="gray")), align="center"),
                rx.text(row.code, size="2", color_scheme="gray"),
                rx.cond(row.detail != "", rx.text(row.detail, size="2", color_scheme="gray")),
                spacing="0",
            ),
            rx.spacer(),
            rx.text(row.price, weight="medium"),
            width="100%",
            align="start",
        ),
        class_name="tap-card catalogue-row",
        width="100%",
        on_click=CatalogueState.open_part(row.id),
    )


def _text(label: str, key: str, **props) -> rx.Component:
    return text_field(VALUES, ERRORS, CatalogueState.form_key, "part", label, key, **props)


def _warehouse_option(option: WarehouseOption) -> rx.Component:
    return rx.el.option(option.name, value=option.id)


def _limit_row(row: LimitRow) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(rx.text(row.warehouse, weight="medium"), rx.spacer(),
                      rx.text(row.figures, size="2", color_scheme="gray"), width="100%"),
            rx.hstack(
                rx.input(name="minimum", default_value=row.minimum, key=CatalogueState.form_key, placeholder="最低",
                         size="3", input_mode="decimal", aria_label=row.warehouse + "最低库存", flex="1"),
                rx.input(name="maximum", default_value=row.maximum, key=CatalogueState.form_key, placeholder="最高",
                         size="3", input_mode="decimal", aria_label=row.warehouse + "最高库存", flex="1"),
                rx.button("保存", size="3", type="submit", variant="soft"),
                width="100%",
            ),
            field_error(CatalogueState.limit_errors, row.warehouse_id + "-minimum"),
            field_error(CatalogueState.limit_errors, row.warehouse_id + "-maximum"),
            rx.el.input(type="hidden", name="warehouse_id", value=row.warehouse_id, read_only=True),
            spacing="1",
            width="100%",
            class_name="line-row",
        ),
        on_submit=CatalogueState.save_limit,
        reset_on_submit=False,
        width="100%",
    )


def part_form() -> rx.Component:
    editing = CatalogueState.editing_id > 0
    return rx.vstack(
        rx.form(
            card(
                form_header(editing=editing, active=CatalogueState.active, edit_title="编辑配件",
                            new_title="新建配件", on_close=CatalogueState.close_form),
                field_error(ERRORS, "form"),
                rx.grid(
                    _text("编码", "code", required=True, placeholder="如 JL-001", max_length=40),
                    _text("名称", "name", required=True, placeholder="如 机油滤清器"),
                    _text("品牌", "brand", max_length=40),
                    _text("规格型号", "spec"),
                    _text("单位", "unit", max_length=8),
                    _text("分类", "category", max_length=40),
                    _text("原厂编号（OE）", "oe_number", max_length=40),
                    _text("库位", "shelf", placeholder="如 A-01-02", max_length=20),
                    _text("售价（元）", "sale_price", input_mode="decimal", max_length=24),
                    _text("成本（元）", "cost", input_mode="decimal", max_length=24),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                labelled("默认仓库", rx.el.select(
                    rx.el.option("（不指定）", value=""),
                    rx.foreach(CatalogueState.warehouses, _warehouse_option),
                    name="default_warehouse_id", default_value=VALUES["default_warehouse_id"],
                    key=CatalogueState.form_key, class_name="native-select", id="part-default_warehouse_id"),
                    ERRORS, "default_warehouse_id"),
                labelled("条码（每行一个，可多个）", rx.text_area(
                    name="barcodes", default_value=CatalogueState.barcodes, key=CatalogueState.form_key, rows="3",
                    size="3", placeholder="扫描或输入条码", id="part-barcodes", input_mode="numeric"),
                    ERRORS, "barcodes"),
                rx.button(rx.icon("save"), "保存", type="submit", size="4", width="100%", id="part-save"),
            ),
            on_submit=CatalogueState.save,
            reset_on_submit=False,
            width="100%",
        ),
        rx.cond(editing, card(
            rx.heading("库存与安全库存（最低 / 最高）", size="4"),
            rx.text("低于最低库存时，采购计划建议补到最高库存；都不填则取消。", size="2", color_scheme="gray"),
            field_error(CatalogueState.limit_errors, "form"),
            rx.foreach(CatalogueState.limits, _limit_row),
        )),
        active_switch(editing=editing, active=CatalogueState.active, on_set=CatalogueState.set_active,
                      retire_label="停用配件"),
        width="100%",
        spacing="3",
    )


def catalogue_list() -> rx.Component:
    return rx.vstack(
        *search_list(on_search=CatalogueState.search, errors=ERRORS,
                     placeholder="编码、名称、品牌、规格、OE号、分类或条码", aria_label="搜索配件档案",
                     new_label="新建配件", on_new=CatalogueState.new_part, rows=CatalogueState.rows,
                     render_row=_row, empty="没有找到匹配的配件", input_id="catalogue-query", new_id="new-part"),
        scan_button(CatalogueState.scan, "扫码找配件"),
        width="100%",
        spacing="3",
    )


@page("配件档案")
def catalogue_page():
    return [
        rx.cond(CatalogueState.editing_id == 0, field_error(ERRORS, "form")),
        rx.cond(CatalogueState.editing_id != 0, part_form(), catalogue_list()),
    ]
