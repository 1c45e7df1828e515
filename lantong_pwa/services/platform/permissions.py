"""Who may do what. The one table every service, State handler and route consults."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from sqlmodel import Session

from lantong_pwa.errors import NotFound, PermissionDenied
from models import Role, User

T = TypeVar("T")


class Permission(StrEnum):
    VIEW_VEHICLES = "view_vehicles"  # find vehicles, open vehicle cards, see history and photos
    INTAKE = "intake"  # register customers and vehicles, open work orders
    ADD_PHOTOS = "add_photos"
    VIEW_PARTS = "view_parts"  # the parts catalogue
    MANAGE_USERS = "manage_users"
    MANAGE_BRANCHES = "manage_branches"  # create, edit, close and reopen the chain's branches
    DISPATCH = "dispatch"  # send lines to technicians or teams, reassign
    CLOCK_JOBS = "clock_jobs"  # start/pause/finish job lines (the assigned technician; leads for anyone's)
    LEAD_WORKSHOP = "lead_workshop"  # clock or reassign anyone's line
    REQUEST_PARTS = "request_parts"  # ask the parts clerk for a part from a job line
    MOVE_STOCK = "move_stock"  # receipts, picks, returns
    COMPLETE_ORDERS = "complete_orders"  # mark complete; quality check
    SETTLE = "settle"
    REOPEN_SETTLEMENT = "reopen_settlement"
    TAKE_PAYMENTS = "take_payments"  # payments and member-card top-ups
    VIEW_FIGURES = "view_figures"  # daily figures, technician performance
    VIEW_REPORTS = "view_reports"  # order queries and exports
    MANAGE_SETTINGS = "manage_settings"  # the branch's VAT rate, other-fee types, teams, follow-up delay
    VIEW_CUSTOMERS = "view_customers"  # the customer file: details, vehicles, orders, spending, follow-ups
    CUSTOMER_CARE = "customer_care"  # the reminder centre, phone follow-ups, sending reminders and links, complaints
    HANDLE_COMPLAINTS = "handle_complaints"  # assign any complaint, change its status, close it
    VIEW_CARE_FIGURES = "view_care_figures"  # satisfaction rates and churn analysis
    # The owner's mobile and every price on vehicle cards; technicians see them only where their branch allows it
    # (门店设置: 技师可见客户电话和价格, see vehicle_cards.card_disclosure).
    VIEW_CONTACT_AND_PRICES = "view_contact_and_prices"
    FIX_SETUP = "fix_setup"  # told about the installation's faults (QR codes pointing at localhost) and the fix
    # 配件采购: the catalogue, suppliers and their offers, stock limits, Excel imports
    MANAGE_CATALOGUE = "manage_catalogue"
    PURCHASE = "purchase"  # purchase plans and orders (receiving and returns move stock: MOVE_STOCK)
    APPROVE_PURCHASES = "approve_purchases"  # orders above the branch's approval amount
    VIEW_PAYABLES = "view_payables"  # what the shop owes suppliers: open items, statements, ageing
    PAY_SUPPLIERS = "pay_suppliers"
    # 应收: what customers, insurers and manufacturers owe: open items, ageing, statements and their links
    VIEW_RECEIVABLES = "view_receivables"
    COLLECT = "collect"  # 收款: record a receipt from a party and allocate it; send a statement's link
    # 库房管理 (transfers, internal use and special outbound move stock: MOVE_STOCK)
    VIEW_STOCK_REPORTS = "view_stock_reports"  # 进销存 summary and detail, low-stock alerts
    COUNT_STOCK = "count_stock"  # open count sheets and count on them (盘点)
    POST_STOCKTAKE = "post_stocktake"  # post a count sheet's variances to the ledger
    ADJUST_PRICES = "adjust_prices"  # 调价: change sale prices of a selection of parts
    WRITE_OFF_TRANSIT = "write_off_transit"  # 报损: write off goods lost on a transfer between branches
    # 资金: the money accounts and their journals
    VIEW_CASH_BOOK = "view_cash_book"  # accounts, balances, 现金/银行日记账
    MANAGE_MONEY_ACCOUNTS = "manage_money_accounts"  # open accounts, opening balances, which method goes where
    TRANSFER_MONEY = "transfer_money"  # move money between accounts (cash banked …)
    CLOSE_SHIFT = "close_shift"  # 日结/交班: count one's own cash blind and close one's shift
    # 费用 (F4): categories and the approval amount are settings (MANAGE_SETTINGS); the profit view is VIEW_FIGURES
    REQUEST_EXPENSES = "request_expenses"  # ask for an expense (报销), see and withdraw one's own
    VIEW_EXPENSES = "view_expenses"  # every expense of the branch, with internal use; statistics and export
    APPROVE_EXPENSES = "approve_expenses"  # the first approval (or rejection) of others' expenses
    APPROVE_LARGE_EXPENSES = "approve_large_expenses"  # head office's second approval above the branch's amount
    PAY_EXPENSES = "pay_expenses"  # pay an approved expense from a money account
    # 应收: insurers and manufacturers (往来单位), and letting a customer with overdue items put more on account
    MANAGE_COUNTERPARTIES = "manage_counterparties"  # list, create, edit and retire insurers and manufacturers
    # set customers' credit limits and terms (挂账额度, 账期); authorise one 挂账 despite overdue items
    CREDIT_CONTROL = "credit_control"
    # 发票: the invoice lists and the amounts not yet invoiced, both ways
    VIEW_INVOICES = "view_invoices"
    ISSUE_INVOICES = "issue_invoices"  # 开票 against settlements (the front desk issues them at the counter)
    RECEIVE_INVOICES = "receive_invoices"  # 收票: record suppliers' invoices against their goods receipts
    REVERSE_INVOICES = "reverse_invoices"  # 红冲: reverse an issued or received invoice (a manager's correction)
    OWN_ACCOUNT = "own_account"  # change one's own password: every signed-in person
    VIEW_AUDIT = "view_audit"  # the audit log: sign-ins with their address, and who changed what


_STAFF = frozenset(Role)
ROLES_BY_PERMISSION: dict[Permission, frozenset[Role]] = {
    Permission.VIEW_VEHICLES: _STAFF,
    Permission.INTAKE: frozenset({Role.ADMIN, Role.MANAGER, Role.ADVISOR}),
    Permission.ADD_PHOTOS: frozenset({Role.ADMIN, Role.MANAGER, Role.ADVISOR, Role.TECHNICIAN}),
    Permission.VIEW_PARTS: frozenset({Role.ADMIN, Role.MANAGER, Role.ADVISOR, Role.PARTS_CLERK}),
    Permission.MANAGE_USERS: frozenset({Role.ADMIN}),
    Permission.MANAGE_BRANCHES: frozenset({Role.ADMIN}),
    Permission.DISPATCH: frozenset({Role.ADMIN, Role.MANAGER, Role.ADVISOR}),
    Permission.CLOCK_JOBS: frozenset({Role.ADMIN, Role.MANAGER, Role.TECHNICIAN}),
    Permission.LEAD_WORKSHOP: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.REQUEST_PARTS: frozenset({Role.ADMIN, Role.MANAGER, Role.ADVISOR, Role.TECHNICIAN}),
    Permission.MOVE_STOCK: frozenset({Role.PARTS_CLERK}),
    Permission.COMPLETE_ORDERS: frozenset({Role.ADMIN, Role.MANAGER, Role.ADVISOR}),
    Permission.SETTLE: frozenset({Role.ADMIN, Role.MANAGER, Role.ADVISOR, Role.CASHIER}),
    Permission.REOPEN_SETTLEMENT: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.TAKE_PAYMENTS: frozenset({Role.CASHIER}),
    Permission.VIEW_FIGURES: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.VIEW_REPORTS: frozenset({Role.ADMIN, Role.MANAGER, Role.ADVISOR, Role.CASHIER}),
    Permission.MANAGE_SETTINGS: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.VIEW_CUSTOMERS: frozenset({Role.ADMIN, Role.MANAGER, Role.ADVISOR, Role.CASHIER}),
    Permission.CUSTOMER_CARE: frozenset({Role.ADMIN, Role.MANAGER, Role.ADVISOR}),
    Permission.HANDLE_COMPLAINTS: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.VIEW_CARE_FIGURES: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.VIEW_CONTACT_AND_PRICES: _STAFF - {Role.TECHNICIAN},
    Permission.FIX_SETUP: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.MANAGE_CATALOGUE: frozenset({Role.ADMIN, Role.MANAGER, Role.PARTS_CLERK}),
    Permission.PURCHASE: frozenset({Role.MANAGER, Role.PARTS_CLERK}),
    Permission.APPROVE_PURCHASES: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.VIEW_PAYABLES: frozenset({Role.ADMIN, Role.MANAGER, Role.PARTS_CLERK, Role.CASHIER}),
    Permission.PAY_SUPPLIERS: frozenset({Role.MANAGER, Role.CASHIER}),
    Permission.VIEW_RECEIVABLES: frozenset({Role.ADMIN, Role.MANAGER, Role.CASHIER}),
    Permission.COLLECT: frozenset({Role.CASHIER}),
    Permission.VIEW_STOCK_REPORTS: frozenset({Role.ADMIN, Role.MANAGER, Role.PARTS_CLERK}),
    Permission.COUNT_STOCK: frozenset({Role.MANAGER, Role.PARTS_CLERK}),
    Permission.POST_STOCKTAKE: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.ADJUST_PRICES: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.WRITE_OFF_TRANSIT: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.VIEW_CASH_BOOK: frozenset({Role.ADMIN, Role.MANAGER, Role.CASHIER}),
    Permission.MANAGE_MONEY_ACCOUNTS: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.TRANSFER_MONEY: frozenset({Role.MANAGER, Role.CASHIER}),
    Permission.CLOSE_SHIFT: frozenset({Role.CASHIER}),
    Permission.REQUEST_EXPENSES: _STAFF - {Role.TECHNICIAN},
    Permission.VIEW_EXPENSES: frozenset({Role.ADMIN, Role.MANAGER, Role.CASHIER}),
    Permission.APPROVE_EXPENSES: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.APPROVE_LARGE_EXPENSES: frozenset({Role.ADMIN}),
    Permission.PAY_EXPENSES: frozenset({Role.MANAGER, Role.CASHIER}),
    Permission.MANAGE_COUNTERPARTIES: frozenset({Role.ADMIN, Role.MANAGER, Role.CASHIER}),
    Permission.CREDIT_CONTROL: frozenset({Role.ADMIN, Role.MANAGER}),
    Permission.VIEW_INVOICES: frozenset({Role.ADMIN, Role.MANAGER, Role.CASHIER}),
    Permission.ISSUE_INVOICES: frozenset({Role.MANAGER, Role.CASHIER}),
    Permission.RECEIVE_INVOICES: frozenset({Role.MANAGER, Role.CASHIER}),
    Permission.REVERSE_INVOICES: frozenset({Role.MANAGER}),
    Permission.OWN_ACCOUNT: _STAFF,
    Permission.VIEW_AUDIT: frozenset({Role.ADMIN}),
}


def role_allows(role: str, permission: Permission) -> bool:
    return role in ROLES_BY_PERMISSION[permission]


def allows(user: User | None, permission: Permission) -> bool:
    return user is not None and user.is_active and role_allows(user.role, permission)


def require(user: User | None, permission: Permission) -> User:
    """Return ``user`` if it may do ``permission``; raise ``PermissionDenied`` otherwise (anonymous included)."""
    if user is None:
        raise PermissionDenied("请先登录")
    if not allows(user, permission):
        raise PermissionDenied()
    return user


def sees_all_branches(user: User) -> bool:
    return Role(user.role) == Role.ADMIN


def row_in_branch(session: Session, user: User, model: type[T], row_id: int, missing: str) -> T:
    """The row with that id, if it exists and the user may see its branch; ``NotFound(missing)`` otherwise."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(missing)
    require_branch(user, row.branch_id)
    return row


def require_branch(user: User, branch_id: int) -> None:
    """Rows of another branch look like missing rows to users bound to their own branch."""
    if not sees_all_branches(user) and user.branch_id != branch_id:
        raise NotFound("记录不存在或无权查看")
