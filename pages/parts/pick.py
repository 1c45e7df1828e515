"""``/parts/orders/<id>``: one order's pick list for the parts clerk's phone — pick, return, or scan a code."""

from __future__ import annotations

import reflex as rx

from pages.components import back_link, banner_error, empty_note, plate
from pages.layout import page
from pages.scanner import scan_button
from state.parts.stock import PickLineView, PickState


def _hidden(name: str, value) -> rx.Component:
    return rx.el.input(type="hidden", name=name, value=value, read_only=True)


def _figure(label: str, value, **props) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.text(value, size="5", weight="bold", **props),
                     spacing="0", align="center", min_width="3.5em")


def _return_form(line: PickLineView) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="quantity", default_value=line.out, size="3", input_mode="decimal", width="6em",
                     aria_label="退料数量", key=PickState.move_key + "-r-" + line.id.to_string()),
            rx.text(line.unit),
            rx.button(rx.icon("undo-2"), "退回", type="submit", size="3", color_scheme="orange", flex="1"),
            rx.button("取消", type="button", size="3", variant="soft", color_scheme="gray",
                      on_click=PickState.close_return),
            _hidden("line_id", line.id),
            _hidden("request_key", PickState.move_key),
            width="100%",
            align="center",
        ),
        on_submit=PickState.return_part,
        reset_on_submit=False,
        width="100%",
    )


def _pick_scanned(code) -> list:
    """A scanned code goes through the typed path: into the code box, then the same form is submitted (its quantity,
    its request key, ``PickState.scan`` checking who is asking)."""
    return [rx.set_value("scan-code", code),
            rx.call_script("document.getElementById('scan-code').form.requestSubmit()")]


def _warehouse_choice(line: PickLineView) -> rx.Component:
    """The line's own warehouse, each choice with its on hand of the part."""
    return rx.hstack(
        rx.text("仓库", size="3", weight="medium"),
        rx.select.root(
            rx.select.trigger(placeholder="选择仓库", flex="1", aria_label="领料仓库 " + line.code,
                              id="pick-warehouse-" + line.id.to_string()),
            rx.select.content(rx.foreach(line.choices, lambda w: rx.select.item(w.label, value=w.id))),
            value=line.warehouse_id,
            on_change=lambda value: PickState.choose_warehouse(line.id, value),
            size="3",
        ),
        align="center",
        width="100%",
    )


def line_card(line: PickLineView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(rx.text(line.name, size="5", weight="bold"),
                          rx.text(line.code, size="2", color_scheme="gray"), spacing="0"),
                rx.spacer(),
                rx.cond(line.requested, rx.badge("技师申请", color_scheme="orange", size="2")),
                rx.cond(line.done, rx.badge("已领齐", color_scheme="green", size="2")),
                width="100%",
                align="start",
            ),
            rx.hstack(
                _figure("计划", line.planned),
                _figure("已领", line.picked),
                _figure("已退", line.returned),
                _figure("本仓库存", line.on_hand),
                rx.cond(line.in_transit != "", _figure("在途", line.in_transit)),
                rx.text(line.unit, size="2", color_scheme="gray"),
                spacing="4",
                align="end",
                wrap="wrap",
            ),
            rx.cond(PickState.can_pick, _warehouse_choice(line)),
            rx.cond(PickState.can_pick,
                    rx.cond(PickState.returning_id == line.id, _return_form(line), _move_buttons(line))),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="pick-line-" + line.id.to_string(),
        class_name=rx.cond(PickState.highlight_id == line.id, "pick-line picked", "pick-line"),
    )


def _move_buttons(line: PickLineView) -> rx.Component:
    return rx.hstack(
        rx.form(
            rx.hstack(
                rx.input(name="quantity", default_value=line.remaining, size="3", input_mode="decimal",
                         width="6em", aria_label="领料数量", disabled=line.done,
                         key=PickState.move_key + "-p-" + line.id.to_string()),
                rx.button(rx.icon("package-minus"), "领料", type="submit", size="3", flex="1", disabled=line.done),
                _hidden("line_id", line.id),
                _hidden("request_key", PickState.move_key),
                width="100%",
                align="center",
            ),
            on_submit=PickState.pick,
            reset_on_submit=False,
            flex="1",
        ),
        rx.button(rx.icon("undo-2"), "退料", type="button", size="3", variant="soft", color_scheme="orange",
                  disabled=~line.can_return, on_click=PickState.open_return(line.id)),
        width="100%",
        align="center",
    )


@page("领料")
def pick_page():
    return [
        back_link("待领料", "/parts"),
        banner_error(PickState.error),
        rx.cond(
            PickState.found,
            rx.vstack(
                rx.hstack(plate(PickState.plate, size="9"), rx.vstack(
                    rx.text(PickState.title, weight="bold", size="4"),
                    rx.text(PickState.number, " · ", PickState.status, size="2", color_scheme="gray"),
                    spacing="0"), align="center", wrap="wrap", spacing="3"),
                rx.link(rx.icon("printer", size=18), "出库单（按仓库打印）",
                        href="/parts/orders/" + PickState.pick_id.to_string() + "/delivery", id="delivery-link",
                        class_name="back-link"),
                rx.cond(~PickState.can_pick,
                        rx.callout("工单" + PickState.status + "，不能领料或退料", icon="info", color_scheme="gray",
                                   width="100%", id="pick-closed")),
                rx.cond(PickState.can_pick, scan_button(_pick_scanned, "扫码领料")),
                rx.cond(PickState.can_pick, rx.form(
                    rx.hstack(
                        rx.input(name="code", id="scan-code", placeholder="输入或扫描配件编码", size="3", flex="1",
                                 auto_focus=True, aria_label="配件编码", auto_complete="off"),
                        rx.input(name="quantity", default_value="1", size="3", width="4em", input_mode="decimal",
                                 aria_label="扫码领料数量"),
                        rx.button(rx.icon("scan-barcode"), "领料", type="submit", size="3"),
                        _hidden("request_key", PickState.move_key),
                        width="100%",
                        align="center",
                    ),
                    on_submit=PickState.scan,
                    reset_on_submit=False,
                    width="100%",
                )),
                rx.cond(PickState.lines.length() > 0,
                        rx.vstack(rx.foreach(PickState.lines, line_card), width="100%", spacing="3"),
                        empty_note("这张工单没有配件")),
                width="100%",
                spacing="3",
            ),
        ),
    ]
