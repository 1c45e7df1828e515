"""``/parts/import`` (导入) on a phone or a desk: choose what to import, download its template, upload the file with a
progress bar, read the dry run (every error by row and column), then 确认导入."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, card, sideways_scroll
from pages.file_upload import file_upload
from pages.layout import page
from state.parts.imports import ErrorRow, ImportState, KindOption

ACCEPT = ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"


def _kind(option: KindOption) -> rx.Component:
    return rx.radio_group.item(option.label, value=option.value, class_name="fuel-option")


def _error(row: ErrorRow) -> rx.Component:
    return rx.table.row(rx.table.cell(row.row), rx.table.cell(row.column), rx.table.cell(row.message))


def result_card() -> rx.Component:
    return card(
        rx.heading("检查结果", size="4"),
        rx.text(ImportState.summary, size="3", id="import-summary",
                color_scheme=rx.cond(ImportState.error_rows.length() > 0, "red", "green")),
        rx.cond(ImportState.error_rows.length() > 0, rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(rx.table.column_header_cell("行"), rx.table.column_header_cell("列"),
                                             rx.table.column_header_cell("问题"))),
                rx.table.body(rx.foreach(ImportState.error_rows, _error)),
                size="1",
                id="import-errors",
            ),
            **sideways_scroll("错误列表"),
        )),
        rx.cond(ImportState.more_errors > 0,
                rx.text("还有 ", ImportState.more_errors, " 处错误未列出", size="2", color_scheme="gray")),
        rx.cond(ImportState.can_commit,
                rx.button(rx.icon("check"), "确认导入", size="4", width="100%", id="import-commit",
                          disabled=ImportState.busy != "",
                          on_click=[ImportState.mark_busy("commit"), ImportState.commit])),
    )


@page("导入")
def import_page():
    return [
        banner_error(ImportState.error),
        card(
            rx.heading("1. 选择要导入的内容", size="4"),
            rx.radio_group.root(
                rx.flex(rx.foreach(ImportState.kinds, _kind), gap="3", wrap="wrap"),
                value=ImportState.kind, on_change=ImportState.set_kind, size="3", name="kind",
            ),
            rx.link(rx.icon("download", size=18), "下载模板（xlsx）", href=ImportState.template_url, size="3",
                    id="import-template", is_external=True, display="inline-flex", align_items="center", gap="2",
                    min_height="48px"),
            rx.text("编码已有的记录会被更新；同一文件导入两次不会重复。也可上传UTF-8或GBK编码的CSV。", size="2",
                    color_scheme="gray"),
        ),
        card(
            rx.heading("2. 上传文件并检查", size="4"),
            rx.box(file_upload(upload_url="/api/imports", accept=ACCEPT, label="选择文件上传",
                               on_uploaded=lambda token: [ImportState.mark_busy("check"),
                                                          ImportState.uploaded(token)],
                               id="import-upload"),
                   key=ImportState.kind, width="100%"),
            rx.text("上传后先检查每一行，不会改动任何数据；确认后一次全部导入，有任何错误则都不导入。", size="2",
                    color_scheme="gray"),
        ),
        rx.cond(ImportState.busy != "", card(
            rx.text(ImportState.busy, size="3", role="status"),
            rx.progress(size="3", width="100%", aria_label="处理进度"),
            id="import-busy",
        )),
        rx.cond(ImportState.checked, result_card()),
        rx.cond(ImportState.done != "", rx.callout(ImportState.done, icon="circle_check", color_scheme="green",
                                                    width="100%", id="import-done")),
    ]
