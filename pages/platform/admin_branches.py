"""``/admin/branches``: the chain's branches as cards (one column on a phone), a dialog to create or edit one, and
停业 / 恢复营业."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, field_error, labelled
from pages.layout import page
from state.platform.branches import BranchesAdminState, BranchRow

S = BranchesAdminState
ERRORS = S.errors


def _detail(label: str, value: rx.Var) -> rx.Component:
    return rx.cond(value != "", rx.text(rx.text.span(label, "：", color_scheme="gray"), value, size="2"))


def _branch_card(row: BranchRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row.name, weight="bold", size="4"),
                rx.spacer(),
                rx.cond(row.is_open, rx.badge(row.status_label, color_scheme="green"),
                        rx.badge(row.status_label, " ", row.closed_at, color_scheme="gray")),
                width="100%",
                align="center",
            ),
            rx.text(rx.text.span("编码：", color_scheme="gray"), row.code, size="2"),
            rx.text(rx.text.span("抬头：", color_scheme="gray"), row.printed_header, size="2"),
            _detail("地址", row.address),
            _detail("电话", row.phone),
            _detail("税号", row.tax_id),
            _detail("开户行及账号", row.bank_account),
            rx.hstack(
                rx.button("编辑", size="3", variant="soft", on_click=S.open_edit(row.id)),
                rx.cond(row.is_open,
                        rx.button("停业", size="3", variant="soft", color_scheme="red", on_click=S.ask_close(row.id)),
                        rx.button("恢复营业", size="3", variant="soft", color_scheme="green",
                                  on_click=S.reopen_branch(row.id))),
                wrap="wrap",
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        opacity=rx.cond(row.is_open, "1", "0.7"),
        class_name="branch-card",
        id="branch-" + row.code,
    )


def _field(label: str, name: str, value: rx.Var, required: bool = False, **props) -> rx.Component:
    return labelled(label, rx.input(name=name, default_value=value, size="3", width="100%", id=f"branch-{name}",
                                    **props),
                    ERRORS, name, required=required)


def branch_dialog() -> rx.Component:
    editing = S.editing
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing_id == -1, "新建门店", "编辑门店")),
            rx.form(
                rx.vstack(
                    field_error(ERRORS, "form"),
                    _field("门店编码", "code", editing.code, required=True, auto_capitalize="characters",
                           placeholder="例如 SZ02"),
                    _field("门店名称", "name", editing.name, required=True),
                    _field("地址", "address", editing.address),
                    _field("电话", "phone", editing.phone, input_mode="tel", placeholder="例如 0755-86001234"),
                    _field("税号", "tax_id", editing.tax_id, auto_capitalize="characters",
                           placeholder="统一社会信用代码，18位"),
                    _field("开户行及账号", "bank_account", editing.bank_account),
                    _field("抬头（结算单和车辆标签上印的名称，留空即门店名称）", "header", editing.header),
                    rx.hstack(
                        rx.button("取消", type="button", variant="soft", color_scheme="gray", size="3",
                                  on_click=S.close_dialogs),
                        rx.button("保存", type="submit", size="3", id="branch-save"),
                        justify="end", width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=S.save,
                reset_on_submit=False,
                # A fresh form for each branch opened, so its fields show that branch's values.
                key=S.editing_id,
            ),
        ),
        open=S.editing_id != 0,
        on_open_change=lambda _open: S.close_dialogs(),
    )


def close_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("停业：", S.closing_name),
            rx.alert_dialog.description(
                "停业后该店员工立即退出登录、不能再登录，也不能向该店添加用户；历史单据和数据全部保留，"
                "仍计入经营数据和查询。可随时恢复营业。"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("取消", variant="soft", color_scheme="gray", size="3")),
                rx.alert_dialog.action(rx.button("确认停业", color_scheme="red", size="3",
                                                 on_click=S.close_branch(S.closing_id))),
                justify="end", spacing="3", margin_top="1em",
            ),
        ),
        open=S.closing_id != 0,
        on_open_change=lambda _open: S.close_dialogs(),
    )


@page("门店管理")
def branches_page():
    return [
        rx.hstack(rx.spacer(), rx.button(rx.icon("store"), "新建门店", size="3", on_click=S.open_new,
                                         id="new-branch"), width="100%"),
        banner_error(S.error),
        rx.grid(rx.foreach(S.rows, _branch_card), columns=rx.breakpoints(initial="1", md="2"), spacing="3",
                width="100%", id="branch-list"),
        branch_dialog(),
        close_dialog(),
    ]
