from __future__ import annotations

import reflex as rx

from pages.components import banner_error, empty_note
from pages.layout import page
from state.parts import PartRow, PartsCatalogueState


def part_row(row: PartRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.code),
        rx.table.cell(row.name),
        rx.table.cell(row.brand),
        rx.table.cell(row.unit),
        rx.table.cell(row.price, text_align="right"),
    )


@page("配件目录")
def parts_page():
    return [
        rx.form(
            rx.hstack(
                rx.input(name="query", placeholder="配件编码或名称", size="3", flex="1", aria_label="搜索配件"),
                rx.button(rx.icon("search"), "查找", size="3", type="submit"),
                width="100%",
            ),
            on_submit=PartsCatalogueState.search,
            width="100%",
        ),
        banner_error(PartsCatalogueState.error),
        rx.cond(
            PartsCatalogueState.results.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               ("编码", "名称", "品牌", "单位", "售价")])),
                rx.table.body(rx.foreach(PartsCatalogueState.results, part_row)),
                width="100%",
            ),
            rx.cond(PartsCatalogueState.searched, empty_note("没有找到匹配的配件")),
        ),
    ]
