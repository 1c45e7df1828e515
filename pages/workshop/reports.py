"""``/reports``: find work orders by number, plate, dates, status, technician or part; the technician performance
report; both downloadable as Excel."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, card, download_button, empty_note, labelled, sideways_scroll
from pages.layout import page
from state.workshop.reports import OrderResultRow, ReportsState, TechnicianReportRow


def _select(name: str, label: str, options: rx.Var, element_id: str) -> rx.Component:
    return labelled(label, rx.el.select(
        rx.el.option("全部", value=""),
        rx.foreach(options, lambda option: rx.el.option(option[1], value=option[0])),
        name=name, class_name="native-select", id=element_id,
    ))


def search_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.grid(
                labelled("工单号", rx.input(name="number", placeholder="如 WX20261126", size="3", width="100%", id="q-number")),
                labelled("车牌", rx.input(name="plate", placeholder="可输后3–4位", size="3", width="100%", id="q-plate")),
                labelled("开单日期从", rx.input(name="from", type="date", size="3", width="100%", id="q-from")),
                labelled("至", rx.input(name="to", type="date", size="3", width="100%", id="q-to")),
                _select("status", "状态", ReportsState.status_options, "q-status"),
                _select("technician", "技师", ReportsState.technician_options, "q-technician"),
                labelled("配件编码或名称", rx.input(name="part", placeholder="如 机油滤清器", size="3", width="100%", id="q-part")),
                columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.button(rx.icon("search"), "查询", size="3", type="submit", id="q-submit"),
                download_button(ReportsState.orders_export_url, "orders-export"),
                spacing="2",
                wrap="wrap",
            ),
            width="100%",
            spacing="3",
        ),
        on_submit=ReportsState.search,
        reset_on_submit=False,
        width="100%",
    )


def order_row(row: OrderResultRow) -> rx.Component:
    """Three narrow columns, so a phone shows a row without squeezing: the order with its status, the vehicle with
    its owner, the amount."""
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.number, weight="medium"),
                                 rx.text(row.opened, size="1", color_scheme="gray"),
                                 rx.badge(row.status, color_scheme=rx.cond(row.settled, "green", "gray"))),
        rx.table.cell(rx.text(row.plate, weight="bold", white_space="nowrap"),
                      rx.text(row.vehicle, " · ", row.customer, size="1", color_scheme="gray")),
        rx.table.cell(row.amount, text_align="right", white_space="nowrap"),
    )


def order_results() -> rx.Component:
    return rx.cond(
        ReportsState.results.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("工单 · 状态"),
                    rx.table.column_header_cell("车辆 · 客户"),
                    rx.table.column_header_cell("金额", text_align="right"),
                )),
                rx.table.body(rx.foreach(ReportsState.results, order_row)),
                width="100%",
                size="1",
                id="order-results",
            ),
            rx.text("最多显示最近50张工单；导出Excel包含全部匹配结果（至多5000张）。", size="1", color_scheme="gray"),
            **sideways_scroll("工单查询结果"),
        ),
        rx.cond(ReportsState.searched, empty_note("没有找到匹配的工单")),
    )


def technician_row(row: TechnicianReportRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.name, white_space="nowrap"),
        rx.table.cell(row.lines, text_align="right"),
        rx.table.cell(row.billed, text_align="right"),
        rx.table.cell(row.clocked, text_align="right"),
        rx.table.cell(row.efficiency, text_align="right"),
        rx.table.cell(row.revenue, text_align="right"),
    )


def performance() -> rx.Component:
    return card(
        rx.heading("技师绩效", size="5"),
        rx.form(
            rx.grid(
                labelled("从", rx.input(name="from", type="date", size="3", default_value=ReportsState.report_from,
                                        key=ReportsState.report_from, width="100%", id="perf-from")),
                labelled("至", rx.input(name="to", type="date", size="3", default_value=ReportsState.report_to,
                                        key=ReportsState.report_to, width="100%", id="perf-to")),
                columns="2",
                width="100%",
                spacing="2",
            ),
            rx.hstack(
                rx.button(rx.icon("bar-chart-3"), "统计", size="3", type="submit", id="perf-submit"),
                download_button(ReportsState.performance_export_url, "technicians-export"),
                spacing="2",
                margin_top="0.5rem",
            ),
            on_submit=ReportsState.run_performance,
            reset_on_submit=False,
            width="100%",
        ),
        banner_error(ReportsState.performance_error),
        rx.cond(
            ReportsState.performance.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("技师"),
                        rx.table.column_header_cell("项目数", text_align="right"),
                        rx.table.column_header_cell("结算工时", text_align="right"),
                        rx.table.column_header_cell("打卡工时", text_align="right"),
                        rx.table.column_header_cell("效率", text_align="right"),
                        rx.table.column_header_cell("工时产值", text_align="right"),
                    )),
                    rx.table.body(rx.foreach(ReportsState.performance, technician_row)),
                    width="100%",
                    min_width="30rem",  # six columns: a phone scrolls sideways rather than squeezing them
                    size="2",
                    id="technician-performance",
                ),
                **sideways_scroll("技师业绩"),
            ),
            empty_note("该期间没有结算工时或打卡记录"),
        ),
        rx.text("按结算日期统计：结算工单中技师所占份额的工时与工时产值（扣除行优惠）；打卡工时为期间内的计时。",
                size="1", color_scheme="gray"),
    )


@page("查询统计")
def reports_page():
    return [
        card(rx.heading("工单查询", size="5"), search_form(), banner_error(ReportsState.error), order_results()),
        rx.cond(ReportsState.shows_performance, performance()),
    ]
