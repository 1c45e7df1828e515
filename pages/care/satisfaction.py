"""``/satisfaction`` (满意度与流失): the satisfaction rate of a period with its aspects, by advisor and by
technician, the monthly trend; the churn segments and the customers at risk, downloadable as Excel."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, card, empty_note, labelled
from pages.layout import page
from state.care.satisfaction import CHURN_EXPORT_URL, AtRiskRow, PersonRow, SatisfactionState, SegmentRow


def period_form() -> rx.Component:
    s = SatisfactionState
    return rx.form(
        rx.grid(
            labelled("从", rx.input(name="from", type="date", size="3", default_value=s.date_from, key=s.date_from,
                                    width="100%", id="sat-from")),
            labelled("至", rx.input(name="to", type="date", size="3", default_value=s.date_to, key=s.date_to,
                                    width="100%", id="sat-to")),
            columns="2",
            spacing="2",
            width="100%",
        ),
        rx.button(rx.icon("bar-chart-3"), "统计", size="3", type="submit", id="sat-submit", margin_top="0.5rem"),
        on_submit=SatisfactionState.run,
        reset_on_submit=False,
        width="100%",
    )


def big_figure(label: str, value: rx.Var, element_id: str, *below: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(label, size="2", color_scheme="gray"),
                  rx.text(value, size="7", weight="bold", class_name="figure-value"), *below, spacing="1"),
        id=element_id,
    )


def rate_cards() -> rx.Component:
    s = SatisfactionState
    return rx.grid(
        big_figure("满意率", s.rate, "sat-rate",
                   rx.text(s.satisfied, " / ", s.answered, " 条回访评分≥4", size="1", color_scheme="gray")),
        big_figure("平均总评", s.average, "sat-average", rx.text("满分 5 分", size="1", color_scheme="gray")),
        big_figure("期间投诉", s.complaints_opened, "sat-complaints",
                   rx.text("仍未处理完 ", s.complaints_open, size="1", color_scheme="gray")),
        columns=rx.breakpoints(initial="2", sm="3"),
        spacing="2",
        width="100%",
    )


def aspects() -> rx.Component:
    return card(
        rx.heading("分项评分（平均）", size="4"),
        rx.foreach(SatisfactionState.aspects, lambda row: rx.hstack(
            rx.text(row[0]), rx.spacer(), rx.text(row[1], weight="medium"), width="100%", class_name="line-row")),
        id="sat-aspects",
    )


def trend() -> rx.Component:
    return card(
        rx.heading("近6个月满意率", size="4"),
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
            rx.recharts.x_axis(data_key="name", interval=0, font_size=11),
            rx.recharts.y_axis(width=40, domain=[0, 100]),
            rx.recharts.graphing_tooltip(),
            rx.recharts.bar(data_key="rate", name="满意率 %", fill="var(--accent-9)"),
            data=SatisfactionState.trend,
            width="100%",
            height=220,
        ),
    )


def person_row(row: PersonRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.name, white_space="nowrap"),
        rx.table.cell(row.answered, text_align="right"),
        rx.table.cell(rx.text(row.rate, color_scheme=rx.cond(row.low, "red", "gray"),
                              weight=rx.cond(row.low, "bold", "regular")), text_align="right"),
        rx.table.cell(row.average, text_align="right"),
        rx.table.cell(row.complaints, text_align="right"),
    )


def people(title: str, rows: rx.Var, element_id: str, note: str) -> rx.Component:
    return card(
        rx.heading(title, size="4"),
        rx.cond(
            rows.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("姓名"),
                    rx.table.column_header_cell("回访", text_align="right"),
                    rx.table.column_header_cell("满意率", text_align="right"),
                    rx.table.column_header_cell("均分", text_align="right"),
                    rx.table.column_header_cell("投诉", text_align="right"),
                )),
                rx.table.body(rx.foreach(rows, person_row)),
                width="100%",
                size="1",
                id=element_id,
            ),
            empty_note("该期间没有回访评分"),
        ),
        rx.text(note, size="1", color_scheme="gray"),
    )


def segment_tile(row: SegmentRow) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(row.label, size="2", color_scheme="gray"), rx.text(row.count, size="5", weight="bold"),
                  spacing="0"),
        id="segment-" + row.key,
    )


def at_risk_row(row: AtRiskRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(row.name, href="/customers/" + row.customer_id.to_string(), weight="medium"),
            rx.text(row.plates, size="1", color_scheme="gray"),
            rx.text(row.mobile, size="1", color_scheme="gray"),
        ),
        rx.table.cell(rx.text(row.last_visit, white_space="nowrap"),
                      rx.text(row.days_since, " 天未到店 · 平常 ", row.usual_interval, " 天", size="1",
                              color_scheme="red")),
        rx.table.cell(rx.text(row.spending, white_space="nowrap"),
                      rx.text(row.visits, " 次 · ", row.segment, size="1", color_scheme="gray"), text_align="right"),
    )


def churn_section() -> rx.Component:
    s = SatisfactionState
    return card(
        rx.hstack(
            rx.heading("客户流失分析", size="5"),
            rx.spacer(),
            # A document navigation (not the client router), so the browser saves the workbook the route sends.
            rx.link(rx.button(rx.icon("file-spreadsheet"), "导出Excel", variant="soft", size="3", type="button"),
                    href=CHURN_EXPORT_URL, download="", reload_document=True, id="churn-export"),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        banner_error(s.churn_error),
        rx.text("共 ", s.customers_scored, " 位有结算记录的客户；消费高低以人均消费 ", s.monetary_threshold,
                " 为界，近期 = 180 天内到店，高频 = 近一年到店 2 次及以上。", size="1", color_scheme="gray"),
        rx.grid(rx.foreach(s.segments, segment_tile), columns=rx.breakpoints(initial="2", sm="4"), spacing="2",
                width="100%"),
        rx.heading("流失风险客户（", s.at_risk_total, "）", size="4"),
        rx.text("超过平常到店间隔的 1.5 倍仍未到店（只来过一次的按 180 天计），按消费从高到低；最多显示 50 位，"
                "导出Excel包含全部。", size="1", color_scheme="gray"),
        rx.cond(
            s.at_risk.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("客户"),
                    rx.table.column_header_cell("最近到店"),
                    rx.table.column_header_cell("消费", text_align="right"),
                )),
                rx.table.body(rx.foreach(s.at_risk, at_risk_row)),
                width="100%",
                size="1",
                id="at-risk",
            ),
            empty_note("暂无流失风险客户"),
        ),
    )


@page("满意度与流失")
def satisfaction_page():
    s = SatisfactionState
    return [
        card(rx.heading("客户满意率", size="5"), period_form(), banner_error(s.error), rate_cards()),
        rx.grid(
            aspects(),
            trend(),
            people("按服务顾问", s.advisors, "sat-advisors", "按工单的服务顾问统计。"),
            people("按维修技师", s.technicians, "sat-technicians", "参与该工单维修项目的每位技师各计一次。"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        churn_section(),
    ]
