"""My tasks (``/tasks``): a technician's phone home. Lines by vehicle, the plate large, big clock buttons."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, card, empty_note, plate
from pages.drafts import draft_hint, form_draft
from pages.layout import page
from pages.photo_capture import photo_capture
from pages.scanner import scan_button
from state.workshop.tasks import PartChoice, TaskGroupView, TaskLineView, TasksState

STATUS_COLOURS = {"pending": "gray", "in_progress": "green", "paused": "amber", "finished": "blue"}


def status_badge(label, value) -> rx.Component:
    return rx.badge(label, size="2", color_scheme=rx.match(value, *STATUS_COLOURS.items(), "gray"))


def clock_buttons(line: TaskLineView, start, pause, finish) -> rx.Component:
    """开工/继续 or 暂停, and 完工: big enough for a gloved thumb."""
    return rx.cond(
        line.finished,
        rx.fragment(),
        rx.hstack(
            rx.cond(
                line.running,
                rx.button(rx.icon("pause", size=22), "暂停", size="4", color_scheme="amber", flex="1",
                          on_click=pause(line.id), id="pause-" + line.id.to_string(), class_name="clock-button"),
                rx.button(rx.icon("play", size=22), line.start_label, size="4", color_scheme="green", flex="1",
                          on_click=start(line.id), id="start-" + line.id.to_string(), class_name="clock-button"),
            ),
            rx.button(rx.icon("circle-check", size=22), "完工", size="4", variant="soft", flex="1",
                      on_click=finish(line.id), id="finish-" + line.id.to_string(), class_name="clock-button"),
            width="100%",
            spacing="2",
        ),
    )


def line_facts(line: TaskLineView) -> rx.Component:
    return rx.hstack(
        status_badge(line.status, line.status_value),
        rx.cond(line.clocked != "", rx.text("已用时 ", line.clocked, size="2", color_scheme="gray")),
        rx.cond(line.share != "", rx.text("分成 ", line.share, size="2", color_scheme="gray")),
        rx.cond(line.others != "", rx.text("同组 ", line.others, size="2", color_scheme="gray")),
        rx.cond(line.waiting_parts, rx.badge(rx.icon("package", size=14), "待配件", color_scheme="orange", size="2")),
        wrap="wrap",
        spacing="2",
        align="center",
    )


def task_line(line: TaskLineView, start, pause, finish, more=None) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(line.name, size="5", weight="bold"),
            rx.spacer(),
            more(line.id) if more is not None else rx.fragment(),
            width="100%",
            align="center",
        ),
        line_facts(line),
        rx.cond(line.note != "", rx.text(line.note, size="2", class_name="line-note")),
        clock_buttons(line, start, pause, finish),
        spacing="2",
        width="100%",
        class_name="task-line",
    )


def group_header(group: TaskGroupView) -> rx.Component:
    return rx.hstack(
        plate(group.plate, size="7"),
        rx.vstack(
            rx.text(group.title, weight="bold", size="4"),
            rx.text(group.order_number,
                    rx.cond(group.promised != "", rx.text.span(" · 交车 ", group.promised)), size="2",
                    color_scheme="gray"),
            spacing="0",
        ),
        align="center",
        spacing="3",
        wrap="wrap",
    )


def _more_button(line_id) -> rx.Component:
    return rx.button(rx.icon("ellipsis", size=20), "备注/照片/配件", size="3", variant="soft", color_scheme="gray",
                     on_click=TasksState.open_line(line_id), id="more-" + line_id.to_string())


def task_group(group: TaskGroupView) -> rx.Component:
    return card(
        rx.link(group_header(group), href=group.card_url, underline="none"),
        rx.foreach(group.lines, lambda line: task_line(line, TasksState.start, TasksState.pause, TasksState.finish,
                                                       _more_button)),
        class_name="task-group",
    )


def _part_choice(choice: PartChoice) -> rx.Component:
    return rx.button(
        rx.hstack(rx.text(choice.name, weight="medium"), rx.text(choice.code, size="1", color_scheme="gray"),
                  rx.spacer(), rx.text(choice.price, size="2"), width="100%", align="center"),
        variant=rx.cond(TasksState.chosen_part.id == choice.id, "solid", "outline"),
        size="3", width="100%", on_click=TasksState.choose_part(choice.id), type="button",
    )


def part_request() -> rx.Component:
    chosen = TasksState.chosen_part
    return rx.vstack(
        rx.heading("申请配件", size="4"),
        rx.form(
            rx.hstack(
                rx.input(name="part_query", placeholder="配件名称或编码", size="3", flex="1", aria_label="查找配件",
                         enter_key_hint="search"),
                rx.button(rx.icon("search"), "查找", size="3", type="submit"),
                width="100%",
            ),
            on_submit=TasksState.search_parts,
            reset_on_submit=False,
            width="100%",
        ),
        rx.vstack(rx.foreach(TasksState.part_choices, _part_choice), width="100%", spacing="1"),
        rx.cond(
            chosen.id != 0,
            rx.form(
                rx.vstack(
                    rx.text("已选：", chosen.name, "（", chosen.code, "）", weight="medium"),
                    rx.hstack(
                        rx.input(name="quantity", default_value="1", input_mode="decimal", size="3", width="6em",
                                 aria_label="数量"),
                        rx.text(chosen.unit),
                        rx.input(name="part_note", placeholder="说明（可选）", size="3", flex="1",
                                 aria_label="说明"),
                        width="100%",
                        align="center",
                    ),
                    rx.button(rx.icon("send"), "向配件员申请", size="4", type="submit", width="100%",
                              id="request-part"),
                    width="100%",
                    spacing="2",
                ),
                on_submit=TasksState.request_part,
                width="100%",
            ),
        ),
        rx.cond(TasksState.part_error != "",
                rx.text(TasksState.part_error, color_scheme="red", size="2", role="alert")),
        width="100%",
        spacing="2",
    )


def line_sheet() -> rx.Component:
    line = TasksState.line
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(TasksState.line_plate, " · ", line.name),
            rx.vstack(
                draft_hint(TasksState.note_draft_restored, TasksState.discard_note_draft),
                form_draft(TasksState.note_draft_key, "note-form", TasksState.restore_note_draft),
                rx.form(
                    rx.vstack(
                        rx.text_area(name="note", default_value=TasksState.note_text,
                                     placeholder="发现的问题、处理情况……", rows="3", width="100%", aria_label="项目备注",
                                     key=line.id.to_string() + "-" + TasksState.note_form_version.to_string()),
                        rx.cond(TasksState.note_error != "",
                                rx.text(TasksState.note_error, color_scheme="red", size="2", role="alert")),
                        rx.button(rx.icon("save"), "保存备注", size="3", type="submit"),
                        width="100%",
                        spacing="2",
                    ),
                    on_submit=TasksState.save_note,
                    reset_on_submit=False,
                    width="100%",
                    id="note-form",
                ),
                rx.divider(),
                rx.heading("照片", size="4"),
                photo_capture(id="line-photos", prompt="拍下磨损件或故障部位，照片随工单保存。",
                              upload_url="/api/job-lines/" + line.id.to_string() + "/photos"),
                rx.divider(),
                part_request(),
                rx.dialog.close(rx.button("关闭", size="3", variant="soft", color_scheme="gray", width="100%",
                                          on_click=TasksState.close_line)),
                spacing="3",
                width="100%",
            ),
            max_width="560px",
        ),
        open=line.id != 0,
        on_open_change=lambda _open: TasksState.close_line(),
    )


@page("我的任务")
def tasks_page():
    return [
        banner_error(TasksState.error),
        rx.hstack(
            scan_button(TasksState.open_scanned),
            rx.text("扫描车辆二维码可直接开工。", color_scheme="gray", size="2", flex="1"),
            rx.button(rx.icon("refresh-cw"), "刷新", size="2", variant="soft", on_click=TasksState.refresh),
            width="100%",
            align="center",
        ),
        rx.cond(
            TasksState.groups.length() > 0,
            rx.vstack(rx.foreach(TasksState.groups, task_group), width="100%", spacing="3"),
            rx.cond(TasksState.loaded, empty_note("目前没有派给您的维修项目")),
        ),
        line_sheet(),
    ]
