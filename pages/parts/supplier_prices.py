"""供应商比价: one part's suppliers side by side — last prices, lead time seen, return rate — and the suggestion."""

from __future__ import annotations

import reflex as rx

from pages.components import back_link, banner_error, card, empty_note, labelled
from pages.layout import page
from state.parts.supplier_prices import SupplierPriceView, SupplierPricesState

S = SupplierPricesState


def _supplier(row: SupplierPriceView) -> rx.Component:
    return card(
        rx.hstack(
            rx.text(row.name, weight="bold", size="4"),
            rx.cond(row.suggested, rx.badge("建议", color_scheme="green")),
            rx.cond(row.inactive, rx.badge("已停用", color_scheme="gray")),
            align="center",
        ),
        rx.cond(row.prices.length() > 0,
                rx.vstack(rx.text("最近进价", size="1", color_scheme="gray"),
                          rx.foreach(row.prices, lambda p: rx.text(p, size="2")), spacing="0"),
                rx.text("尚无进货记录", size="2", color_scheme="gray")),
        rx.cond(row.offer != "", rx.text(row.offer, size="2")),
        rx.grid(
            rx.vstack(rx.text("平均到货", size="1", color_scheme="gray"), rx.text(row.lead, size="2"), spacing="0"),
            rx.vstack(rx.text("退货率", size="1", color_scheme="gray"), rx.text(row.return_rate, size="2"), spacing="0"),
            rx.vstack(rx.text("进货次数", size="1", color_scheme="gray"), rx.text(row.receipts, size="2"), spacing="0"),
            columns="3", width="100%",
        ),
        class_name="supplier-price",
    )


@page("供应商比价")
def supplier_prices_page():
    return [
        back_link("配件", "/parts"),
        card(
            rx.heading("供应商比价", size="5"),
            rx.form(
                rx.hstack(
                    labelled("配件编码", rx.input(name="code", default_value=S.code, key=S.code, size="3",
                                              width="100%", placeholder="如 JL-001", id="price-code")),
                    rx.button(rx.icon("search"), "比价", size="3", type="submit", id="price-submit"),
                    align="end", width="100%",
                ),
                on_submit=S.search,
                reset_on_submit=False,
                width="100%",
            ),
            banner_error(S.error),
            rx.text("建议规则：在退货率不超过10%的供应商中选最近进价（无进货时用报价）最低的；价格相同时选平均到货最快的。",
                    size="1", color_scheme="gray"),
        ),
        rx.cond(
            S.part_title != "",
            rx.vstack(
                rx.heading(S.part_title, size="4", id="price-part"),
                rx.cond(S.reason != "", rx.callout("建议：" + S.reason, icon="lightbulb", color_scheme="green",
                                                   id="price-reason")),
                rx.cond(S.suppliers.length() > 0, rx.foreach(S.suppliers, _supplier),
                        empty_note("这个配件还没有供应商的进货或报价记录")),
                spacing="3", width="100%",
            ),
        ),
    ]
