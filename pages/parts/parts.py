"""``/parts``: the parts clerk's workbench on a phone (待领料 / 入库 / 库存 / 仓库); others with parts access see the
catalogue with on hand."""

from __future__ import annotations

import reflex as rx

from pages.components import (
    banner_error,
    card,
    empty_note,
    field_error,
    labelled,
    page_loading,
    plate,
)
from pages.layout import page
from pages.parts.part_search import part_search
from pages.parts.safety_stock import low_stock_links
from state.parts.parts import PartRow, PartsCatalogueState
from state.platform.session import SessionState
from state.parts.stock import LowStockView, PendingView, StockState, WarehouseView

RECEIPT_ERRORS = StockState.receipt_errors
WAREHOUSE_ERRORS = StockState.warehouse_errors


def part_row(row: PartRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(rx.text(row.name, weight="bold", size="4"),
                          rx.text(row.code, " · ", row.brand, " · ", row.unit, size="2", color_scheme="gray"),
                          spacing="0"),
                rx.spacer(),
                rx.text(row.price, weight="medium"),
                width="100%",
                align="start",
            ),
            rx.hstack(rx.icon("warehouse", size=16), rx.text(row.stock, size="3"), align="center", spacing="2"),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def stock_section() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(name="query", placeholder="配件编码、名称或条码", size="3", flex="1", aria_label="搜索配件"),
                rx.button(rx.icon("search"), "查找", size="3", type="submit"),
                width="100%",
            ),
            on_submit=PartsCatalogueState.search,
            reset_on_submit=False,
            width="100%",
        ),
        banner_error(PartsCatalogueState.error),
        rx.cond(
            PartsCatalogueState.results.length() > 0,
            rx.vstack(rx.foreach(PartsCatalogueState.results, part_row), width="100%", spacing="2"),
            rx.cond(PartsCatalogueState.searched, empty_note("没有找到匹配的配件"),
                    empty_note("输入编码或名称，查看各仓库的库存")),
        ),
        width="100%",
        spacing="3",
    )


def pending_card(item: PendingView) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(plate(item.plate), rx.text(item.title, weight="bold"), rx.spacer(), rx.badge(item.status),
                          align="center", width="100%", wrap="wrap"),
                rx.foreach(item.requests, lambda text: rx.hstack(
                    rx.icon("hand", size=16, color="var(--orange-9)"), rx.text("技师申请：", text, size="3"),
                    align="center", spacing="1")),
                rx.text(item.to_pick, size="3"),
                rx.hstack(rx.text(item.number, size="2", color_scheme="gray"), rx.spacer(),
                          rx.text("去领料", rx.icon("chevron-right", size=16), size="3", color_scheme="blue"),
                          width="100%", align="center"),
                spacing="2",
                width="100%",
            ),
            class_name="tap-card",
            width="100%",
        ),
        href=item.url,
        underline="none",
        width="100%",
    )


def pending_section() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("待领料的工单（技师申请的排在前面）", size="2", color_scheme="gray"),
            rx.spacer(),
            rx.button(rx.icon("refresh-cw"), "刷新", variant="soft", size="3", on_click=StockState.refresh),
            width="100%",
            align="center",
        ),
        rx.cond(StockState.pending.length() > 0,
                rx.vstack(rx.foreach(StockState.pending, pending_card), width="100%", spacing="2"),
                empty_note("没有待领料的工单")),
        width="100%",
        spacing="3",
    )


def warehouse_select(name: str, **props) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="选择仓库", width="100%", aria_label="仓库"),
        rx.select.content(rx.foreach(StockState.warehouses,
                                     lambda w: rx.select.item(w.name, value=w.id))),
        name=name,
        size="3",
        **props,
    )


def receive_section() -> rx.Component:
    return rx.vstack(
        card(
            rx.heading("选择配件", size="4"),
            rx.cond(
                StockState.receipt_part_id != 0,
                rx.hstack(rx.icon("package-check", color="var(--green-9)"),
                          rx.text(StockState.receipt_part_label, weight="bold", size="4"),
                          align="center", id="receipt-part"),
            ),
            *part_search(StockState.search_receipt_parts, RECEIPT_ERRORS, StockState.receipt_choices,
                         StockState.choose_receipt_part, aria_label="搜索入库配件"),
            field_error(RECEIPT_ERRORS, "part_id"),
        ),
        rx.form(
            card(
                rx.heading("入库信息", size="4"),
                field_error(RECEIPT_ERRORS, "form"),
                labelled("类型", rx.radio_group.root(
                    rx.hstack(
                        rx.radio_group.item("入库", value="receipt", class_name="fuel-option"),
                        rx.radio_group.item("期初库存", value="opening", class_name="fuel-option"),
                        spacing="3",
                    ),
                    name="kind", default_value="receipt", size="3"), RECEIPT_ERRORS, "kind"),
                labelled("仓库", warehouse_select("warehouse_id", default_value=StockState.first_warehouse,
                                                  key=StockState.first_warehouse),
                         RECEIPT_ERRORS, "warehouse_id", required=True),
                rx.grid(
                    labelled("数量", rx.input(name="quantity", placeholder="如 10", size="3", input_mode="decimal",
                                              key=StockState.receipt_key), RECEIPT_ERRORS, "quantity",
                             required=True),
                    labelled("单位成本（元）", rx.input(name="unit_cost", default_value=StockState.receipt_cost,
                                                     key=StockState.receipt_key + StockState.receipt_cost,
                                                     size="3", input_mode="decimal"),
                             RECEIPT_ERRORS, "unit_cost", required=True),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                labelled("备注", rx.input(name="note", placeholder="供应商、单号等（可不填）", size="3",
                                          key=StockState.receipt_key), RECEIPT_ERRORS, "note"),
                rx.el.input(type="hidden", name="request_key", value=StockState.receipt_key, read_only=True),
                rx.button(rx.icon("package-plus"), "确认入库", type="submit", size="4", width="100%",
                          disabled=StockState.receipt_part_id == 0, id="receive-submit"),
            ),
            on_submit=StockState.receive,
            reset_on_submit=False,
            width="100%",
        ),
        rx.cond(StockState.recent_receipts.length() > 0, card(
            rx.heading("本次入库", size="4"),
            rx.foreach(StockState.recent_receipts, lambda text: rx.text(text, size="3", class_name="line-row")),
        )),
        width="100%",
        spacing="3",
    )


def _warehouse_row(w: WarehouseView) -> rx.Component:
    return rx.hstack(rx.badge(w.code, size="2"), rx.text(w.name, size="4"), align="center", class_name="line-row",
                     width="100%")


def warehouses_section() -> rx.Component:
    return rx.vstack(
        card(
            rx.heading("本店仓库", size="4"),
            rx.cond(StockState.warehouses.length() > 0, rx.foreach(StockState.warehouses, _warehouse_row),
                    empty_note("还没有仓库，请先新建")),
        ),
        rx.form(
            card(
                rx.heading("新建仓库", size="4"),
                field_error(WAREHOUSE_ERRORS, "form"),
                rx.grid(
                    labelled("编码", rx.input(name="code", placeholder="如 ZK", size="3", max_length=16),
                             WAREHOUSE_ERRORS, "code", required=True),
                    labelled("名称", rx.input(name="name", placeholder="如 主仓库", size="3", max_length=32),
                             WAREHOUSE_ERRORS, "name", required=True),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                rx.button(rx.icon("plus"), "新建仓库", type="submit", size="3", width="100%"),
            ),
            on_submit=StockState.create_warehouse,
            reset_on_submit=True,
            width="100%",
        ),
        width="100%",
        spacing="3",
    )


def _low_stock_row(row: LowStockView) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text(row.part, weight="bold"), rx.text(row.warehouse, size="2", color_scheme="gray"),
                  align="baseline", wrap="wrap", spacing="2"),
        rx.text(row.figures, size="2"),
        rx.foreach(row.surplus, lambda offer: rx.link(rx.badge(offer[0], " · 申请调拨", color_scheme="green", size="2"),
                                                      href=offer[1])),
        spacing="1",
        class_name="line-row",
        width="100%",
    )


def low_stock_alert() -> rx.Component:
    """Parts below their safety stock, each with other branches' surplus; to the purchase plan and 安全库存."""
    return rx.cond(StockState.low_stock.length() > 0, rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert")),
        rx.vstack(
            rx.text("低于安全库存（", StockState.low_stock_count, "项）", weight="bold"),
            rx.foreach(StockState.low_stock, _low_stock_row),
            low_stock_links(StockState.can_set_limits),
            spacing="2",
            width="100%",
        ),
        color_scheme="orange",
        width="100%",
        id="low-stock",
    ))


def _tab(label: str, value: str) -> rx.Component:
    return rx.tabs.trigger(label, value=value, class_name="stock-tab")


@page("配件")
def parts_page():
    return [
        rx.hstack(
            rx.cond(SessionState.can_compare_suppliers,
                    rx.link(rx.icon("scale", size=18), "供应商比价", href="/parts/prices", id="supplier-prices-link",
                            class_name="back-link")),
            rx.cond(StockState.can_set_limits,
                    rx.link(rx.icon("gauge", size=18), "安全库存", href="/parts/safety-stock", id="safety-stock-link",
                            class_name="back-link")),
            rx.cond(StockState.can_move_stock,
                    rx.link(rx.icon("package-minus", size=18), "内部领料/赠品", href="/parts/issues",
                            id="issues-link", class_name="back-link")),
            rx.cond(SessionState.can_adjust_prices,
                    rx.link(rx.icon("tag", size=18), "调价", href="/parts/prices/adjust", id="adjust-link",
                            class_name="back-link")),
            spacing="4", wrap="wrap",
        ),
        banner_error(StockState.error),
        rx.cond(~StockState.loaded, page_loading()),
        low_stock_alert(),
        rx.cond(
            StockState.loaded & StockState.can_move_stock,
            rx.tabs.root(
                rx.tabs.list(_tab("待领料", "pending"), _tab("入库", "receive"), _tab("库存", "stock"),
                             _tab("仓库", "warehouses"), size="2", width="100%"),
                rx.tabs.content(pending_section(), value="pending", padding_top="1rem"),
                rx.tabs.content(receive_section(), value="receive", padding_top="1rem"),
                rx.tabs.content(stock_section(), value="stock", padding_top="1rem"),
                rx.tabs.content(warehouses_section(), value="warehouses", padding_top="1rem"),
                value=StockState.tab,
                on_change=StockState.set_tab,
                width="100%",
            ),
            rx.cond(StockState.loaded, stock_section()),
        ),
    ]
