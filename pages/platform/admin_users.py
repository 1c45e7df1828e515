from __future__ import annotations

import reflex as rx

from pages.components import banner_error, labelled
from pages.layout import page
from state.platform.admin_users import UserRow, UsersAdminState


def _row(row: UserRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.display_name, weight="medium"), rx.text(row.username, size="1", color_scheme="gray")),
        rx.table.cell(row.role_label),
        rx.table.cell(row.branch_name),
        rx.table.cell(rx.cond(row.active, rx.badge("在用", color_scheme="green"), rx.badge("已停用", color_scheme="gray"))),
        rx.table.cell(row.last_login),
        rx.table.cell(
            rx.hstack(
                rx.button("编辑", size="2", variant="soft", on_click=UsersAdminState.open_edit(row.id)),
                rx.button("重置密码", size="2", variant="soft", on_click=UsersAdminState.open_password(row.id)),
                rx.button("强制下线", size="2", variant="soft", color_scheme="orange",
                          on_click=UsersAdminState.end_sessions(row.id)),
                rx.cond(row.active,
                        rx.button("停用", size="2", variant="soft", color_scheme="red",
                                  on_click=UsersAdminState.set_active(row.id, False)),
                        rx.button("启用", size="2", variant="soft", color_scheme="green",
                                  on_click=UsersAdminState.set_active(row.id, True))),
                wrap="wrap",
            )
        ),
    )


def _select(name: str, label: str, options: rx.Var, value: rx.Var) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", aria_label=label),
        rx.select.content(rx.foreach(options, lambda option: rx.select.item(option[1], value=option[0]))),
        name=name, default_value=value, size="3",
    )


def user_dialog() -> rx.Component:
    editing = UsersAdminState.editing
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(UsersAdminState.editing_id == -1, "新建用户", "编辑用户")),
            rx.form(
                rx.vstack(
                    banner_error(UsersAdminState.form_error),
                    rx.cond(UsersAdminState.editing_id == -1,
                            labelled("用户名", rx.input(name="username", size="3", auto_capitalize="none", width="100%"),
                                     required=True),
                            rx.text("用户名：", editing.username)),
                    labelled("姓名", rx.input(name="display_name", default_value=editing.display_name, size="3", width="100%"),
                             required=True),
                    labelled("角色", _select("role", "角色", UsersAdminState.role_options, editing.role)),
                    labelled("所属门店", _select("branch_id", "所属门店", UsersAdminState.branches, editing.branch_id)),
                    rx.cond(UsersAdminState.editing_id == -1,
                            labelled("初始密码（至少10位）", rx.input(name="password", type="password", size="3", width="100%",
                                                              auto_complete="new-password"), required=True)),
                    rx.hstack(
                        rx.button("取消", type="button", variant="soft", color_scheme="gray", size="3",
                                  on_click=UsersAdminState.close_dialogs),
                        rx.button("保存", type="submit", size="3"),
                        justify="end", width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=UsersAdminState.save,
                reset_on_submit=False,
            ),
        ),
        open=UsersAdminState.editing_id != 0,
        on_open_change=lambda _open: UsersAdminState.close_dialogs(),
    )


def password_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("重置密码：", UsersAdminState.password_for_name),
            rx.form(
                rx.vstack(
                    banner_error(UsersAdminState.form_error),
                    labelled("新密码（至少10位）", rx.input(name="password", type="password", size="3", width="100%",
                                                       auto_complete="new-password"), required=True),
                    rx.hstack(
                        rx.button("取消", type="button", variant="soft", color_scheme="gray", size="3",
                                  on_click=UsersAdminState.close_dialogs),
                        rx.button("重置", type="submit", size="3"),
                        justify="end", width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=UsersAdminState.reset_password,
            ),
        ),
        open=UsersAdminState.password_for_id != 0,
        on_open_change=lambda _open: UsersAdminState.close_dialogs(),
    )


@page("用户管理")
def users_page():
    return [
        rx.hstack(rx.spacer(), rx.button(rx.icon("user-plus"), "新建用户", size="3", on_click=UsersAdminState.open_new),
                  width="100%"),
        banner_error(UsersAdminState.error),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               ("姓名", "角色", "门店", "状态", "最近登录", "操作")])),
                rx.table.body(rx.foreach(UsersAdminState.rows, _row)),
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        user_dialog(),
        password_dialog(),
    ]
