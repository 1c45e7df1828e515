"""进销存: the summary (a card per part on a phone, a table on a tablet) with its totals by kind, and one part's
moves with links to their documents."""

from __future__ import annotations

import reflex as rx

from pages.components import (
    back_link,
    banner_error,
    card,
    download_button,
    empty_note,
    labelled,
    page_loading,
    sideways_scroll,
)
from pages.layout import page
from pages.media_only import media_only
from state.parts.ledger import FigureView, LedgerDetailState, LedgerRowView, LedgerState, MoveView

S = LedgerState
PRESETS = (("today", "今天"), ("month", "本月"), ("last_month", "上月"), ("custom", "自定义"))
NARROW = "not all and (min-width: 48em)"
WIDE = "(min-width: 48em)"


def _figure(label: str, value: rx.Var) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.text(value, size="2"), spacing="0")


def _part_card(row: LedgerRowView) -> rx.Component:
    return rx.link(
        card(
            rx.hstack(rx.text(row.code, weight="bold"), rx.text(row.name), rx.spacer(),
                      rx.icon("chevron-right", size=18), align="center", width="100%"),
            rx.grid(_figure("期初", row.opening), _figure("入库", row.total_in), _figure("出库", row.total_out),
                    _figure("期末", row.closing), columns="2", spacing="2", width="100%"),
        ),
        href=row.url, underline="none", class_name="ledger-part", width="100%",
    )


def _part_row(row: LedgerRowView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.code, href=row.url, class_name="ledger-part-link")),
        rx.table.cell(row.name),
        rx.table.cell(row.opening, text_align="right"),
        rx.table.cell(row.total_in, text_align="right"),
        rx.table.cell(row.total_out, text_align="right"),
        rx.table.cell(row.closing, text_align="right"),
    )


def _kind_line(figure: FigureView) -> rx.Component:
    return rx.hstack(rx.text(figure.label, size="2"), rx.spacer(),
                     rx.text(figure.quantity, " · ", figure.value, size="2"), width="100%")


def _filters() -> rx.Component:
    return card(
        rx.hstack(
            *[rx.button(label, size="2", variant=rx.cond(S.preset == key, "solid", "soft"),
                        on_click=S.choose_preset(key), type="button", id=f"ledger-{key}")
              for key, label in PRESETS],
            wrap="wrap", spacing="2",
        ),
        rx.form(
            rx.grid(
                labelled("从", rx.input(name="from", type="date", size="3", default_value=S.date_from,
                                        key=S.date_from, width="100%", id="ledger-from",
                                        on_focus=S.choose_preset("custom"))),
                labelled("至", rx.input(name="to", type="date", size="3", default_value=S.date_to,
                                        key=S.date_to, width="100%", id="ledger-to",
                                        on_focus=S.choose_preset("custom"))),
                labelled("仓库", rx.select.root(
                    rx.select.trigger(width="100%", aria_label="仓库", id="ledger-warehouse"),
                    rx.select.content(rx.select.item("全部仓库", value="all"),
                                      rx.foreach(S.warehouses, lambda w: rx.select.item(w[1], value=w[0]))),
                    name="warehouse", default_value=rx.cond(S.warehouse == "", "all", S.warehouse),
                    key=S.warehouse, size="3")),
                labelled("配件", rx.input(name="q", default_value=S.search, key=S.search, size="3", width="100%",
                                        placeholder="编码或名称", id="ledger-q")),
                columns=rx.breakpoints(initial="2", md="4"), spacing="2", width="100%",
            ),
            rx.hstack(
                rx.button(rx.icon("search"), "查询", size="3", type="submit", id="ledger-submit"),
                download_button(S.export_url, "ledger-export"),
                spacing="2", margin_top="0.5rem",
            ),
            on_submit=S.apply, reset_on_submit=False, width="100%",
        ),
        banner_error(S.error),
    )


def _totals() -> rx.Component:
    return card(
        rx.heading("合计", size="4"),
        rx.grid(_figure("期初", S.total.opening), _figure("入库", S.total.total_in), _figure("出库", S.total.total_out),
                _figure("期末", S.total.closing), columns=rx.breakpoints(initial="2", md="4"), spacing="2",
                width="100%", id="ledger-total"),
        rx.grid(
            rx.vstack(rx.text("入库明细", size="1", color_scheme="gray"), rx.foreach(S.total_in, _kind_line),
                      spacing="1", width="100%", id="ledger-in-kinds"),
            rx.vstack(rx.text("出库明细", size="1", color_scheme="gray"), rx.foreach(S.total_out, _kind_line),
                      spacing="1", width="100%", id="ledger-out-kinds"),
            columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%",
        ),
        rx.text("金额按移动加权平均成本计；期末等于当前库存金额（结存数量×平均成本，精确到分）。",
                size="1", color_scheme="gray"),
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button("上一页", size="2", variant="soft", on_click=S.turn(-1), disabled=S.page == 0, id="ledger-prev"),
        rx.text(S.page_label, size="2"),
        rx.button("下一页", size="2", variant="soft", on_click=S.turn(1), disabled=S.page + 1 >= S.pages,
                  id="ledger-next"),
        align="center", justify="center", width="100%",
    )


def _parts() -> rx.Component:
    return rx.cond(
        S.rows.length() > 0,
        rx.vstack(
            media_only(NARROW, rx.vstack(rx.foreach(S.rows, _part_card), spacing="2", width="100%")),
            media_only(WIDE, rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("编码"), rx.table.column_header_cell("名称"),
                        *[rx.table.column_header_cell(h, text_align="right") for h in ("期初", "入库", "出库", "期末")],
                    )),
                    rx.table.body(rx.foreach(S.rows, _part_row)),
                    width="100%", size="2", id="ledger-table",
                ),
                **sideways_scroll("进销存汇总"),
            )),
            _pager(),
            spacing="2", width="100%",
        ),
        empty_note("该期间没有库存和出入库记录"),
    )


@page("进销存")
def ledger_page():
    return [
        back_link("配件", "/parts"),
        _filters(),
        rx.cond(S.loaded, rx.vstack(_totals(), _parts(), spacing="3", width="100%"), page_loading()),
    ]


D = LedgerDetailState


def _move(move: MoveView) -> rx.Component:
    return card(
        rx.hstack(rx.badge(move.kind), rx.text(move.when, size="2", color_scheme="gray"), rx.spacer(),
                  rx.text(move.warehouse, size="2"), align="center", width="100%"),
        rx.cond(move.url != "", rx.link(move.document, href=move.url, class_name="ledger-document"),
                rx.text(move.document, size="2")),
        rx.grid(_figure("入库", move.quantity_in), _figure("出库", move.quantity_out), _figure("金额", move.value),
                _figure("结存", move.running), columns=rx.breakpoints(initial="2", md="4"), spacing="2",
                width="100%"),
        class_name="ledger-move",
    )


@page("进销存明细")
def ledger_detail_page():
    return [
        back_link("进销存", D.back_url),
        banner_error(D.error),
        rx.cond(
            D.title != "",
            rx.vstack(
                rx.heading(D.title, size="5", id="ledger-detail-title"),
                rx.text(D.period, size="2", color_scheme="gray"),
                card(rx.hstack(_figure("期初", D.opening), rx.spacer(), _figure("期末", D.closing), width="100%"),
                     id="ledger-detail-figures"),
                rx.cond(D.moves.length() > 0, rx.foreach(D.moves, _move), empty_note("该期间没有出入库记录")),
                spacing="3", width="100%",
            ),
        ),
    ]
