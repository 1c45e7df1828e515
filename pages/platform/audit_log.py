from __future__ import annotations

import reflex as rx

from pages.components import banner_error, empty_note, sideways_scroll
from pages.layout import page
from state.platform.audit_log import AuditLogState, AuditRow


def _row(row: AuditRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.at, white_space="nowrap"),
        rx.table.cell(rx.cond(row.refused, rx.badge(row.action, color_scheme="red"), rx.text(row.action))),
        rx.table.cell(row.who),
        rx.table.cell(row.address),
        rx.table.cell(row.note),
    )


@page("审计日志")
def audit_log_page():
    return [
        rx.hstack(
            rx.switch(checked=AuditLogState.sign_ins_only, on_change=AuditLogState.show_sign_ins_only,
                      id="sign-ins-only", size="3"),
            rx.text("只看登录记录", as_="label", html_for="sign-ins-only", size="3"),
            rx.text("最近200条", size="2", color_scheme="gray"),
            align="center",
            spacing="3",
        ),
        banner_error(AuditLogState.error),
        rx.cond(
            AuditLogState.rows.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                                   ("时间", "操作", "人员", "地址", "说明")])),
                    rx.table.body(rx.foreach(AuditLogState.rows, _row)),
                    width="100%",
                ),
                **sideways_scroll("审计日志"),
            ),
            empty_note("暂无记录"),
        ),
    ]
