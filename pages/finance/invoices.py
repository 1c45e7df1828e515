"""发票: the invoices issued and received, the amounts not yet invoiced both ways, and the issue, 红冲 and receive
forms. Lists are cards (a phone reads them top to bottom; a tablet shows two columns of forms beside them)."""

from __future__ import annotations

import reflex as rx

from pages.components import (
    banner_error,
    card,
    download_button,
    empty_note,
    field_error,
    hidden_input,
    labelled,
)
from pages.layout import page
from state.finance.invoices import InvoicesState, InvoiceView, ReceiptOption, ShareOption, TodoView

S = InvoicesState


def _kind_select(element_id: str) -> rx.Component:
    return rx.el.select(rx.foreach(S.kind_options, lambda o: rx.el.option(o[1], value=o[0])), name="kind",
                        default_value="normal", class_name="native-select", id=element_id, aria_label="发票类型")


def _number_input(element_id: str, label: str = "数电票号码") -> rx.Component:
    return labelled(label, rx.input(name="number", input_mode="numeric", max_length=24, size="3", width="100%",
                                    placeholder="20位数字", id=element_id), S.errors, "number", required=True)


def _filters() -> rx.Component:
    return rx.form(
        rx.grid(
            labelled("从", rx.input(name="from", type="date", size="3", default_value=S.date_from, key=S.date_from,
                                    width="100%", id="invoices-from"), S.errors, "from"),
            labelled("至", rx.input(name="to", type="date", size="3", default_value=S.date_to, key=S.date_to,
                                    width="100%", id="invoices-to"), S.errors, "to"),
            labelled(rx.cond(S.listing, "发票号/抬头/单号", "客户/保险公司/供应商"),
                     rx.input(name="text", size="3", default_value=S.text, width="100%", id="invoices-text",
                              max_length=40)),
            columns=rx.breakpoints(initial="2", md="4"), spacing="2", width="100%", align_items="end",
        ),
        rx.hstack(rx.button(rx.icon("search"), "查询", type="submit", size="3", variant="soft"),
                  download_button(S.export_url, "invoices-export"), spacing="2", margin_top="0.5em", wrap="wrap"),
        on_submit=S.search, reset_on_submit=False, width="100%",
    )


def _invoice_card(row: InvoiceView) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.vstack(
                rx.hstack(rx.text(row.number, weight="bold", font_family="monospace"),
                          rx.badge(row.kind, size="1"),
                          rx.cond(row.red, rx.badge("红字", color_scheme="red", size="1")), wrap="wrap", spacing="2"),
                rx.text(row.title, rx.cond(row.tax_id != "", " · " + row.tax_id, ""), size="2"),
                rx.text(row.documents, " · ", row.when, size="1", color_scheme="gray"),
                rx.cond(row.note != "", rx.text(row.note, size="1", color_scheme="gray")),
                spacing="1", align="start",
            ),
            rx.spacer(),
            rx.vstack(
                rx.text(row.amount, weight="bold", size="4", white_space="nowrap",
                        color_scheme=rx.cond(row.red, "red", "gray"), high_contrast=True),
                rx.text("税额 ", row.tax, size="1", color_scheme="gray", white_space="nowrap"),
                rx.cond(S.can_reverse & (row.reversible != ""),
                        rx.button("红冲", size="2", variant="soft", color_scheme="red", type="button",
                                  on_click=S.open_reverse(row.id), id="reverse-" + row.number)),
                spacing="1", align="end",
            ),
            align="start", width="100%",
        ),
        class_name="line-row", width="100%", id="invoice-" + row.number,
    )


def _todo_card(row: TodoView) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.vstack(
                rx.text(row.number, weight="bold"),
                rx.text(row.party, " · ", row.share, size="2"),
                rx.text(row.day, " · 应开", row.amount, " · 已开", row.invoiced, size="1", color_scheme="gray"),
                spacing="1", align="start",
            ),
            rx.spacer(),
            rx.vstack(
                rx.text(row.remaining, weight="bold", size="4", white_space="nowrap"),
                rx.cond((S.tab == "to_issue") & S.can_issue,
                        rx.button("开票", size="2", type="button", on_click=S.open_issue(row.source_id, row.share_key),
                                  id="issue-" + row.number + "-" + row.share_key)),
                spacing="1", align="end",
            ),
            align="start", width="100%",
        ),
        class_name="line-row", width="100%",
    )


def _share_option(share: ShareOption) -> rx.Component:
    return rx.el.option(share.label, value=share.key)


def _issue_form() -> rx.Component:
    return card(
        rx.hstack(rx.heading("开票 · ", S.settlement_number, size="4", id="issue-title"), rx.spacer(),
                  rx.icon_button(rx.icon("x"), variant="ghost", type="button", on_click=S.close_forms,
                                 aria_label="关闭")),
        rx.cond(
            S.shares.length() > 0,
            rx.form(
                rx.vstack(
                    hidden_input("request_key", S.issue_key),
                    labelled("开票对象", rx.el.select(rx.foreach(S.shares, _share_option), name="share",
                                                  value=S.share_key, on_change=S.choose_share,
                                                  class_name="native-select", id="issue-share"), S.errors, "share"),
                    rx.grid(
                        labelled("发票类型", _kind_select("issue-kind"), S.errors, "kind", required=True),
                        labelled("金额（含税）", rx.input(name="amount", input_mode="decimal", size="3", width="100%",
                                                     default_value=S.share_remaining, id="issue-amount"),
                                 S.errors, "amount"),
                        columns="2", spacing="2", width="100%",
                    ),
                    _number_input("issue-number"),
                    labelled("抬头（购买方名称）", rx.input(name="title", size="3", width="100%", max_length=100,
                                                    default_value=S.share_title, id="issue-title-input"),
                             S.errors, "title", required=True),
                    labelled("购买方统一社会信用代码（专票必填）",
                             rx.input(name="tax_id", size="3", width="100%", max_length=20,
                                      default_value=S.share_tax_id, id="issue-tax-id"), S.errors, "tax_id"),
                    field_error(S.errors, "form"),
                    rx.button(rx.icon("receipt-text"), "确认开票", type="submit", size="3", width="100%",
                              id="issue-submit"),
                    spacing="3", width="100%",
                ),
                on_submit=S.issue, reset_on_submit=False, key=S.form_version.to_string(), width="100%",
            ),
            empty_note("该结算单已全部开票"),
        ),
        id="issue-form",
    )


def _reverse_form() -> rx.Component:
    return card(
        rx.hstack(rx.heading("红冲 · ", S.reversing_number, size="4"), rx.spacer(),
                  rx.icon_button(rx.icon("x"), variant="ghost", type="button", on_click=S.close_forms,
                                 aria_label="关闭")),
        rx.text("开具红字发票冲销原发票，冲销的金额可以重新开票。未红冲金额 ", S.reversing_left, size="2",
                color_scheme="gray"),
        rx.form(
            rx.vstack(
                hidden_input("request_key", S.reverse_key),
                _number_input("reverse-number", "红字发票号码"),
                labelled("红冲金额（空为全部）", rx.input(name="amount", input_mode="decimal", size="3", width="100%",
                                                  id="reverse-amount"), S.errors, "amount"),
                labelled("原因", rx.input(name="reason", size="3", width="100%", max_length=200, id="reverse-reason"),
                         S.errors, "reason", required=True),
                field_error(S.errors, "form"),
                rx.button("确认红冲", type="submit", size="3", width="100%", color_scheme="red", id="reverse-submit"),
                spacing="3", width="100%",
            ),
            on_submit=S.reverse, reset_on_submit=False, key=S.form_version.to_string(), width="100%",
        ),
        id="reverse-form",
    )


def _receipt_choice(row: ReceiptOption) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="checkbox", name="item." + row.id.to_string(), id="receipt-" + row.number),
            rx.text(row.number, weight="medium"), rx.text(row.day, size="1", color_scheme="gray"), rx.spacer(),
            rx.text(row.remaining, white_space="nowrap"),
            align="center", width="100%", class_name="line-row",
        ),
        width="100%",
    )


def _receive_form() -> rx.Component:
    return card(
        rx.heading("收票（供应商发票）", size="4"),
        rx.text("勾选发票对应的入库单；金额与入库单、采购订单价相差超过¥1.00时须填写差异原因，"
                "或勾选部分收票（其余留待下次）。", size="2", color_scheme="gray"),
        labelled("供应商", rx.el.select(rx.el.option("请选择", value=""),
                                      rx.foreach(S.suppliers, lambda o: rx.el.option(o[1], value=o[0])),
                                      value=S.supplier_id, on_change=S.choose_supplier, class_name="native-select",
                                      id="receive-supplier")),
        rx.cond(
            S.supplier_id != "",
            rx.cond(
                S.receipts.length() > 0,
                rx.form(
                    rx.vstack(
                        hidden_input("request_key", S.receive_key),
                        rx.vstack(rx.foreach(S.receipts, _receipt_choice), spacing="1", width="100%"),
                        field_error(S.errors, "receipts"),
                        rx.grid(
                            labelled("发票类型", _kind_select("receive-kind"), S.errors, "kind", required=True),
                            labelled("金额（含税）", rx.input(name="amount", input_mode="decimal", size="3",
                                                         width="100%", id="receive-amount"), S.errors, "amount",
                                     required=True),
                            labelled("税额", rx.input(name="tax", input_mode="decimal", size="3", width="100%",
                                                    id="receive-tax"), S.errors, "tax", required=True),
                            labelled("销售方统一社会信用代码", rx.input(name="tax_id", size="3", width="100%",
                                                                max_length=20, id="receive-tax-id"),
                                     S.errors, "tax_id"),
                            columns="2", spacing="2", width="100%",
                        ),
                        _number_input("receive-number"),
                        labelled("差异原因（超出允差时）", rx.input(name="reason", size="3", width="100%",
                                                           max_length=200, id="receive-reason"), S.errors, "reason"),
                        rx.el.label(rx.hstack(rx.el.input(type="checkbox", name="partial", id="receive-partial"),
                                              rx.text("部分收票：金额少于入库单时按先后冲抵，余额留待下次", size="2"),
                                              align="center")),
                        field_error(S.errors, "form"),
                        rx.button(rx.icon("inbox"), "确认收票", type="submit", size="3", width="100%",
                                  id="receive-submit"),
                        spacing="3", width="100%",
                    ),
                    on_submit=S.receive, reset_on_submit=False, key=S.form_version.to_string(), width="100%",
                ),
                empty_note("该供应商没有未收票的入库单"),
            ),
        ),
        id="receive-form",
    )


def _receipt_issue_form() -> rx.Component:
    """按收款开票: a counter payment's amount, or what a collection settled (a fleet's month), as one invoice."""
    return card(
        rx.hstack(rx.heading("按收款开票", size="4"), rx.spacer(),
                  rx.icon_button(rx.icon("x"), variant="ghost", type="button", on_click=S.close_forms,
                                 aria_label="关闭")),
        rx.text("填写收据上的收款单号：柜台收款按其金额开票；往来收款（如车队月结）按它核销的各结算单开一张票，"
                "每张结算单不超过其未开票金额。", size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                hidden_input("request_key", S.receipt_key),
                labelled("收款单号", rx.input(name="receipt_number", size="3", width="100%", max_length=20,
                                          placeholder="SK…", id="receipt-issue-receipt"),
                         S.errors, "receipt_number", required=True),
                labelled("发票类型", _kind_select("receipt-issue-kind"), S.errors, "kind", required=True),
                _number_input("receipt-issue-number"),
                labelled("抬头（购买方名称）", rx.input(name="title", size="3", width="100%", max_length=100,
                                                id="receipt-issue-title"), S.errors, "title", required=True),
                labelled("购买方统一社会信用代码（专票必填）",
                         rx.input(name="tax_id", size="3", width="100%", max_length=20, id="receipt-issue-tax-id"),
                         S.errors, "tax_id"),
                field_error(S.errors, "form"),
                rx.button(rx.icon("receipt-text"), "确认开票", type="submit", size="3", width="100%",
                          id="receipt-issue-submit"),
                spacing="3", width="100%",
            ),
            on_submit=S.issue_receipt, reset_on_submit=False, key=S.form_version.to_string(), width="100%",
        ),
        id="receipt-issue-form",
    )


@page("发票")
def invoices_page():
    return [
        banner_error(S.error),
        rx.cond(S.issuing, _issue_form()),
        rx.cond(S.receipt_issuing, _receipt_issue_form()),
        rx.cond(S.can_issue & ~S.receipt_issuing & ((S.tab == "issued") | (S.tab == "to_issue")),
                rx.button(rx.icon("receipt-text"), "按收款开票", variant="soft", size="3", width="100%",
                          on_click=S.open_receipt_issue, id="receipt-issue-open")),
        rx.cond(S.reversing_id != 0, _reverse_form()),
        card(
            rx.heading("发票", size="5"),
            rx.hstack(
                rx.foreach(S.tabs, lambda t: rx.button(t[1], type="button", size="2",
                                                       variant=rx.cond(S.tab == t[0], "solid", "soft"),
                                                       on_click=S.choose_tab(t[0]), id="tab-" + t[0])),
                wrap="wrap", spacing="2",
            ),
            _filters(),
            rx.cond(
                S.listing,
                rx.cond(S.rows.length() > 0, rx.vstack(rx.foreach(S.rows, _invoice_card), spacing="1", width="100%"),
                        empty_note("期间内没有发票")),
                rx.vstack(
                    rx.hstack(rx.text("未开票合计", weight="medium"), rx.spacer(),
                              rx.text(S.todo_total, weight="bold", size="4", id="todo-total"), width="100%"),
                    rx.cond(S.todo_truncated, rx.text("只显示前2000条，请缩小期间或按对象查询", size="1",
                                                      color_scheme="orange")),
                    rx.cond(S.todo.length() > 0, rx.vstack(rx.foreach(S.todo, _todo_card), spacing="1", width="100%"),
                            empty_note("期间内没有未开票的单据")),
                    spacing="2", width="100%",
                ),
            ),
            id="invoices-list",
        ),
        rx.cond(S.can_receive & (S.tab == "received") | S.can_receive & (S.tab == "to_receive"), _receive_form()),
    ]
