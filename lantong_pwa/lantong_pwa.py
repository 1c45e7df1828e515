"""The Reflex app: pages, their guards, the JSON/file routes and the document head."""

import reflex as rx

from lantong_pwa.api import api
from lantong_pwa.event_guard import EventGuard, backend_exception_handler, check_message
from lantong_pwa.notifications.config import get_notify_config
from lantong_pwa.reflex_internals import OVERLAY_APP_WRAP, guard_event_receiver, serve_built_site
from lantong_pwa.scheduler import scheduler_lifespan
from lantong_pwa.security_headers import add_security_headers, head_script
from lantong_pwa.static_pages import serve_pages_in_place
from lantong_pwa.web_session import bind_states_to_sessions
from pages.platform.admin_branches import branches_page
from pages.platform.account import password_page
from pages.platform.admin_users import users_page
from pages.platform.audit_log import audit_log_page
from pages.workshop.board import board_page
from pages.care.care import care_page
from pages.cashier.cashier import cashier_page, settle_page, settlement_sheet_page
from pages.cashier.cash_close import cash_close_page, cash_close_sheet_page
from pages.cashier.receipt import payment_receipt_page
from pages.finance.expenses import (
    expense_categories_page,
    expense_detail_page,
    expense_statistics_page,
    expenses_page,
    profit_page,
)
from pages.finance.counterparties import counterparties_page
from pages.finance.invoices import invoices_page
from pages.finance.money_accounts import account_journal_page, money_accounts_page
from pages.care.complaints import complaint_detail_page, complaints_page
from pages.components import page_loading
from pages.form_errors import SCROLL_TO_FIRST_ERROR
from pages.connection import overlay
from pages.care.customers import customer_file_page, customers_page
from pages.platform.figures import figures_page
from pages.care.follow_up_detail import follow_up_detail_page
from pages.care.follow_up_form import follow_up_form_page
from pages.workshop.intake import intake_page
from pages.platform.login import login_page
from pages.care.messages import messages_page
from pages.parts.catalogue import catalogue_page
from pages.parts.imports import import_page
from pages.parts.ledger import ledger_detail_page, ledger_page
from pages.parts.parts import parts_page
from pages.parts.suppliers import suppliers_page
from pages.parts.pick import pick_page
from pages.parts.safety_stock import safety_stock_page
from pages.parts.stocktake import count_print_page, count_sheet_page, stocktake_page
from pages.parts.supplier_prices import supplier_prices_page
from pages.parts.transfers import transfer_page, transfer_print_page, transfers_page
from pages.parts.price_adjustments import price_adjust_page
from pages.parts.stock_issues import delivery_notes_page, issue_page, issue_print_page, issues_page
from pages.finance.payables import payables_page, statement_sheet_page, supplier_payables_page
from pages.finance.receivables import (
    receivable_party_page,
    receivable_sheet_page,
    receivables_page,
    statement_confirm_page,
)
from pages.parts.purchasing import (
    purchase_order_page,
    purchase_order_print_page,
    purchasing_page,
    receipt_page,
    receive_page,
    supplier_order_page,
)
from pages.workshop.reports import reports_page
from pages.care.satisfaction import satisfaction_page
from pages.platform.settings import settings_page
from pages.workshop.tasks import tasks_page
from pages.workshop.vehicles import vehicle_card_page, vehicle_label_page, vehicles_page
from state.platform.account import PasswordState
from state.platform.admin_users import UsersAdminState
from state.platform.audit_log import AuditLogState
from state.platform.branches import BranchesAdminState
from state.workshop.board import BoardState
from state.care.care import CareState
from state.cashier.cashier import CashierState, SettlementSheetState, SettleState
from state.cashier.cash_close import CashCloseSheetState, CashCloseState
from state.cashier.receipt import PaymentReceiptState
from state.finance.expenses import (
    ExpenseCategoriesState,
    ExpenseDetailState,
    ExpensesState,
    ExpenseStatisticsState,
    ProfitState,
)
from state.finance.counterparties import CounterpartiesState
from state.finance.invoices import InvoicesState
from state.finance.money_accounts import AccountJournalState, MoneyAccountsState
from state.care.complaints import ComplaintDetailState, ComplaintsState
from state.care.customers import CustomerFileState, CustomerSearchState
from state.platform.figures import FiguresState
from state.care.follow_up_detail import FollowUpDetailState
from state.care.follow_up_form import FollowUpFormState
from state.workshop.intake import IntakeState
from state.platform.login import LoginState
from state.care.messages import MessagesState
from state.workshop.reports import ReportsState
from state.care.satisfaction import SatisfactionState
from state.platform.session import SessionState
from state.platform.settings import SettingsState
from state.parts.catalogue import CatalogueState
from state.parts.imports import ImportState
from state.parts.ledger import LedgerDetailState, LedgerState
from state.parts.purchasing import (
    PurchaseOrderPrintState,
    PurchaseOrderState,
    PurchasingState,
    ReceiptState,
    ReceiveState,
    SupplierOrderState,
)
from state.parts.safety_stock import SafetyStockState
from state.parts.stock import PickState, StockState
from state.parts.stocktake import CountPrintState, CountReviewState, CountSheetState, StocktakeState
from state.parts.suppliers import SuppliersState
from state.parts.supplier_prices import SupplierPricesState
from state.parts.transfers import TransferPrintState, TransfersState, TransferState
from state.parts.price_adjustments import PriceAdjustState
from state.parts.stock_issues import DeliveryNotesState, IssueSheetState, IssuesState
from state.finance.payables import PayablesState, StatementSheetState, SupplierPayablesState
from state.finance.receivables import ReceivablePartyState, ReceivablesState, ReceivableSheetState
from state.finance.statement_confirm import StatementConfirmState
from state.workshop.tasks import TasksState
from state.workshop.vehicles import VehicleCardState

# Registered after the page has loaded, so the worker's precache never competes with the first paint.
_REGISTER_SERVICE_WORKER = """
if ("serviceWorker" in navigator) {
  const register = () => navigator.serviceWorker.register("/sw.js");
  document.readyState === "complete" ? register() : window.addEventListener("load", register);
}
"""

app = rx.App(
    # serve_built_site first: it adds the built site to Reflex's own routes when this process did not build it.
    # add_security_headers inside serve_pages_in_place: it sees the address of the page file served.
    api_transformer=[serve_built_site, api, add_security_headers, serve_pages_in_place],
    html_lang="zh-CN",
    stylesheets=["/app.css"],
    extra_app_wraps={OVERLAY_APP_WRAP: overlay},  # our Chinese connection banner instead of Reflex's English toast
    # Messages show at the top, away from the thumb's reach where the main actions sit (and app.css lets taps
    # through them), so a toast never covers the next button to press; one at a time, so quick taps never stack
    # them down over the plate under the page title.
    toaster=rx.toast.provider(position="top-center", visible_toasts=1),
    # An event that fails logs one line and tells the person in Chinese (lantong_pwa/event_guard.py).
    backend_exception_handler=backend_exception_handler,
    head_components=[
        rx.el.meta(name="viewport", content="width=device-width, initial-scale=1, viewport-fit=cover"),
        rx.el.meta(name="theme-color", content="#1d4ed8"),
        # Installable PWA: the manifest, the home-screen icon on iOS, and the worker in assets/sw.js (scope /).
        rx.el.link(rel="manifest", href="/manifest.json"),
        rx.el.link(rel="apple-touch-icon", href="/icons/apple-touch-icon.png"),
        # head_script, not rx.script: its hash goes into the Content-Security-Policy (security_headers.py).
        head_script(_REGISTER_SERVICE_WORKER),
        head_script(SCROLL_TO_FIRST_ERROR),  # a refused form's first error is scrolled into view (pages/form_errors.py)
    ],
)


def _redirecting() -> rx.Component:
    return page_loading(min_height="100dvh")


# Each browser tab's state is bound to the session cookie its websocket connects with (web_session.py).
bind_states_to_sessions()

# What a browser sends is checked before any handler runs: the message, then the payload (event_guard.py).
guard_event_receiver(check_message)
app.add_middleware(EventGuard())

# The scheduled jobs (reminders each morning, message delivery each minute) run in one worker: see scheduler.py.
app.register_lifespan_task(scheduler_lifespan)
# A bad notification setting stops the app here, at start, instead of failing the first message sent.
get_notify_config()

app.add_page(_redirecting, route="/", title="蓝通维修", on_load=SessionState.go_home)
app.add_page(login_page, route="/login", title="登录 · 蓝通维修", on_load=LoginState.on_load)
app.add_page(intake_page, route="/intake", title="接车开单 · 蓝通维修", on_load=IntakeState.load)
app.add_page(vehicles_page, route="/vehicles", title="车辆 · 蓝通维修", on_load=SessionState.guard_staff)
app.add_page(vehicle_card_page, route="/v/[token]", title="车辆卡 · 蓝通维修", on_load=VehicleCardState.load)
app.add_page(vehicle_label_page, route="/v/[token]/label", title="车辆卡标签 · 蓝通维修",
             on_load=VehicleCardState.load)
app.add_page(board_page, route="/orders", title="在修车辆 · 蓝通维修", on_load=BoardState.load)
app.add_page(tasks_page, route="/tasks", title="我的任务 · 蓝通维修", on_load=TasksState.load)
app.add_page(parts_page, route="/parts", title="配件 · 蓝通维修", on_load=StockState.load)
app.add_page(catalogue_page, route="/parts/catalogue", title="配件档案 · 蓝通维修", on_load=CatalogueState.load)
app.add_page(suppliers_page, route="/suppliers", title="供应商 · 蓝通维修", on_load=SuppliersState.load)
app.add_page(import_page, route="/parts/import", title="导入 · 蓝通维修", on_load=ImportState.load)
app.add_page(ledger_page, route="/parts/ledger", title="进销存 · 蓝通维修", on_load=LedgerState.load)
app.add_page(ledger_detail_page, route="/parts/ledger/[ledger_part]", title="进销存明细 · 蓝通维修",
             on_load=LedgerDetailState.load)
app.add_page(pick_page, route="/parts/orders/[pick_order]", title="领料 · 蓝通维修", on_load=PickState.load)
app.add_page(safety_stock_page, route="/parts/safety-stock", title="安全库存 · 蓝通维修",
             on_load=SafetyStockState.load)
app.add_page(stocktake_page, route="/parts/stocktake", title="盘点 · 蓝通维修", on_load=StocktakeState.load)
app.add_page(count_sheet_page, route="/parts/stocktake/[sheet_id]", title="盘点单 · 蓝通维修",
             on_load=[CountSheetState.load, CountReviewState.load])
app.add_page(count_print_page, route="/parts/stocktake/[sheet_id]/print", title="盘点表 · 蓝通维修",
             on_load=CountPrintState.load)
app.add_page(delivery_notes_page, route="/parts/orders/[pick_order]/delivery", title="出库单 · 蓝通维修",
             on_load=DeliveryNotesState.load)
app.add_page(issues_page, route="/parts/issues", title="内部领料 · 蓝通维修", on_load=IssuesState.load)
app.add_page(issue_page, route="/parts/issues/[issue_id]", title="出库单 · 蓝通维修", on_load=IssueSheetState.load)
app.add_page(issue_print_page, route="/parts/issues/[issue_id]/print", title="出库单 · 蓝通维修",
             on_load=IssueSheetState.load)
app.add_page(price_adjust_page, route="/parts/prices/adjust", title="调价 · 蓝通维修", on_load=PriceAdjustState.load)
app.add_page(purchasing_page, route="/purchasing", title="采购 · 蓝通维修", on_load=PurchasingState.load)
app.add_page(purchase_order_page, route="/purchasing/orders/[po_id]", title="采购单 · 蓝通维修",
             on_load=PurchaseOrderState.load)
app.add_page(receive_page, route="/purchasing/orders/[po_id]/receive", title="收货 · 蓝通维修",
             on_load=ReceiveState.load)
app.add_page(purchase_order_print_page, route="/purchasing/orders/[po_id]/print", title="采购订单 · 蓝通维修",
             on_load=PurchaseOrderPrintState.load)
app.add_page(receipt_page, route="/purchasing/receipts/[receipt_id]", title="入库单 · 蓝通维修",
             on_load=ReceiptState.load)
app.add_page(transfers_page, route="/parts/transfers", title="调拨 · 蓝通维修", on_load=TransfersState.load)
app.add_page(transfer_page, route="/parts/transfers/[transfer_id]", title="调拨单 · 蓝通维修",
             on_load=TransferState.load)
app.add_page(transfer_print_page, route="/parts/transfers/[transfer_id]/print", title="调拨单 · 蓝通维修",
             on_load=TransferPrintState.load)
app.add_page(supplier_order_page, route="/po/[token]", title="采购订单", on_load=SupplierOrderState.load)
app.add_page(users_page, route="/admin/users", title="用户管理 · 蓝通维修", on_load=UsersAdminState.load)
app.add_page(audit_log_page, route="/admin/audit", title="审计日志 · 蓝通维修", on_load=AuditLogState.load)
app.add_page(password_page, route="/account/password", title="修改密码 · 蓝通维修", on_load=PasswordState.load)
app.add_page(branches_page, route="/admin/branches", title="门店管理 · 蓝通维修", on_load=BranchesAdminState.load)
app.add_page(cashier_page, route="/cashier", title="收银 · 蓝通维修", on_load=CashierState.load)
app.add_page(settle_page, route="/cashier/[order_no]", title="结算收款 · 蓝通维修", on_load=SettleState.load)
app.add_page(settlement_sheet_page, route="/settlements/[settlement_no]/print", title="结算单 · 蓝通维修",
             on_load=SettlementSheetState.load)
app.add_page(payment_receipt_page, route="/payments/[payment_no]/print", title="收据 · 蓝通维修",
             on_load=PaymentReceiptState.load)
app.add_page(cash_close_page, route="/cashier/close", title="交班 · 蓝通维修", on_load=CashCloseState.load)
app.add_page(cash_close_sheet_page, route="/cashier/close/[close_id]/print", title="交班单 · 蓝通维修",
             on_load=CashCloseSheetState.load)
app.add_page(counterparties_page, route="/finance/parties", title="往来单位 · 蓝通维修",
             on_load=CounterpartiesState.load)
app.add_page(money_accounts_page, route="/finance/accounts", title="资金账户 · 蓝通维修",
             on_load=MoneyAccountsState.load)
app.add_page(account_journal_page, route="/finance/accounts/[money_account]", title="日记账 · 蓝通维修",
             on_load=AccountJournalState.load)
app.add_page(expenses_page, route="/finance/expenses", title="费用 · 蓝通维修", on_load=ExpensesState.load)
app.add_page(expense_detail_page, route="/finance/expenses/[expense_id]", title="费用单 · 蓝通维修",
             on_load=ExpenseDetailState.load)
app.add_page(expense_categories_page, route="/finance/expense-categories", title="费用类别 · 蓝通维修",
             on_load=ExpenseCategoriesState.load)
app.add_page(expense_statistics_page, route="/finance/expense-statistics", title="费用统计 · 蓝通维修",
             on_load=ExpenseStatisticsState.load)
app.add_page(profit_page, route="/finance/profit", title="月度利润 · 蓝通维修", on_load=ProfitState.load)
app.add_page(invoices_page, route="/finance/invoices", title="发票 · 蓝通维修", on_load=InvoicesState.load)
app.add_page(figures_page, route="/figures", title="经营数据 · 蓝通维修", on_load=FiguresState.load)
app.add_page(reports_page, route="/reports", title="查询统计 · 蓝通维修", on_load=ReportsState.load)
app.add_page(care_page, route="/care", title="客户关怀中心 · 蓝通维修", on_load=CareState.load)
app.add_page(customers_page, route="/customers", title="客户 · 蓝通维修", on_load=CustomerSearchState.load)
app.add_page(customer_file_page, route="/customers/[customer_id]", title="客户档案 · 蓝通维修",
             on_load=CustomerFileState.load)
app.add_page(satisfaction_page, route="/satisfaction", title="满意度与流失 · 蓝通维修",
             on_load=SatisfactionState.load)
app.add_page(settings_page, route="/settings", title="门店设置 · 蓝通维修", on_load=SettingsState.load)
app.add_page(messages_page, route="/messages", title="发送记录 · 蓝通维修", on_load=MessagesState.load)
app.add_page(complaints_page, route="/complaints", title="客户投诉 · 蓝通维修", on_load=ComplaintsState.load)
app.add_page(complaint_detail_page, route="/complaints/[complaint_id]", title="投诉详情 · 蓝通维修",
             on_load=ComplaintDetailState.load)
app.add_page(follow_up_detail_page, route="/follow-ups/[follow_up_id]", title="回访详情 · 蓝通维修",
             on_load=FollowUpDetailState.load)
app.add_page(follow_up_form_page, route="/f/[token]", title="服务评价", on_load=FollowUpFormState.load)
app.add_page(payables_page, route="/payables", title="应付账款 · 蓝通维修", on_load=PayablesState.load)
app.add_page(supplier_payables_page, route="/payables/[payee]", title="供应商应付 · 蓝通维修",
             on_load=SupplierPayablesState.load)
app.add_page(statement_sheet_page, route="/payables/[payee]/statement", title="供应商对账单 · 蓝通维修",
             on_load=StatementSheetState.load)
app.add_page(receivables_page, route="/finance/receivables", title="应收账款 · 蓝通维修", on_load=ReceivablesState.load)
app.add_page(receivable_party_page, route="/finance/receivables/[debtor]", title="往来应收 · 蓝通维修",
             on_load=ReceivablePartyState.load)
app.add_page(receivable_sheet_page, route="/finance/receivables/[debtor]/statement", title="往来对账单 · 蓝通维修",
             on_load=ReceivableSheetState.load)
app.add_page(statement_confirm_page, route="/s/[token]", title="对账确认", on_load=StatementConfirmState.load)
app.add_page(supplier_prices_page, route="/parts/prices", title="供应商比价 · 蓝通维修", on_load=SupplierPricesState.load)
