"""Every State handler that touches shop data, tried as an anonymous visitor, as a disabled account, and as each
signed-in role that may not use it: the database must not change, no shop data may reach the state, and the person
is told why (a Chinese message) or sent to sign in / to their own home.

State vars are not trusted input: Reflex's built-in ``setvar`` event lets a browser set any of them, so the refused
cases start from state a client could have forged (a vehicle id, an order id, ``editing_id = -1``...).

A positive case per handler group, as a role that is allowed, proves the harness reaches the real database.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import pytest
import reflex as rx
from sqlmodel import Session, func, select

import models
import state as state_package
from lantong_pwa import db as app_db
from lantong_pwa.services.platform import auth
from lantong_pwa.services.workshop import photos, work_orders
from lantong_pwa.services.platform.permissions import ROLES_BY_PERMISSION, Permission
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from models import Role
from state.platform.account import PasswordState
from state.platform.admin_users import UserRow, UsersAdminState
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
from state.finance.payables import PayablesState, StatementSheetState, SupplierPayablesState
from state.finance.receivables import ReceivablePartyState, ReceivablesState, ReceivableSheetState
from state.finance.statement_confirm import StatementConfirmState
from state.parts.ledger import LedgerDetailState, LedgerState
from state.parts.supplier_prices import SupplierPricesState
from state.care.complaints import ComplaintDetailState, ComplaintsState
from state.care.customers import CustomerFileState, CustomerSearchState
from state.workshop.dispatch import DispatchState
from state.platform.figures import FiguresState
from state.care.follow_up_detail import FollowUpDetailState
from state.care.follow_up_form import FollowUpFormState
from state.workshop.intake import IntakeState, JobRow, PartRow
from state.platform.login import LoginState
from state.care.messages import MessagesState
from state.parts.catalogue import CatalogueState
from state.parts.imports import ImportState
from state.parts.parts import PartsCatalogueState
from state.parts.suppliers import SuppliersState
from state.workshop.reports import ReportsState
from state.care.satisfaction import SatisfactionState
from state.platform.session import ROLE_HOME, SessionState
from state.platform.settings import SettingsState
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
from state.parts.transfers import TransferPrintState, TransfersState, TransferState
from state.parts.stocktake import CountPrintState, CountReviewState, CountSheetState, StocktakeState
from state.parts.price_adjustments import PriceAdjustState
from state.parts.stock_issues import DeliveryNotesState, IssueSheetState, IssuesState
from state.workshop.tasks import TasksState
from state.workshop.vehicles import VehicleCardState, VehicleSearchState
from state.platform.views import PhotoView, VehicleView
from tests.conftest import Shop
from tests.factories import add_part, add_vehicle
from tests.state.care import complaint_cases as cpc
from tests.state.cashier import cashier_cases as cc
from tests.state.finance import expense_cases as exc
from tests.state.finance import invoices_cases as ivc
from tests.state.finance import money_cases as mnc
from tests.state.finance import party_cases as ptc
from tests.state.finance import payables_cases as pyc
from tests.state.finance import receivables_cases as rvc
from tests.state.platform import branch_cases as bc
from tests.state.platform import account_cases as ac
from tests.state.platform import draft_cases as dc
from tests.state.care import reminder_cases as rmc
from tests.state.care import customer_cases as cuc
from tests.state.care import messages_cases as mc
from tests.state.workshop import report_cases as rc
from tests.state.platform import settings_cases as stc
from tests.state.parts import catalogue_cases as pcc
from tests.state.parts import ledger_cases as lgc
from tests.state.parts import purchasing_cases as puc
from tests.state.parts import outbound_cases as obc
from tests.state.parts import stock_cases as sc
from tests.state.parts import safety_stock_cases as ssc
from tests.state.parts import transfer_cases as tfc
from tests.state.parts import stocktake_cases as stk
from tests.state.workshop import workshop_cases as ws
from tests.state.harness import (
    as_list,
    changed_tables,
    db_snapshot,
    drive,
    forgotten_drafts,
    has_chinese,
    is_toast,
    jpeg_bytes,
    make_state,
    redirects_in,
    stored_photo_files,
    toast_text,
    token_for,
)

SIGN_IN_FIRST = "请先登录"
ADMIN_ONLY = {Permission.MANAGE_USERS, Permission.MANAGE_BRANCHES, Permission.VIEW_AUDIT}
NO_PERMISSION = "您没有权限执行此操作"


# --- the scene --------------------------------------------------------------------------------------------------


@dataclass
class World:
    shop: Shop
    vehicle: models.Vehicle
    order: models.WorkOrder
    photo: models.Photo
    part: models.Part
    other_vehicle: models.Vehicle  # in the other branch
    fee_type_id: int = 0
    care_reminder_id: int = 0
    follow_up_id: int = 0
    complaint_id: int = 0
    failed_notification_id: int = 0


@pytest.fixture
def world(app_engine, shop, session) -> World:
    """A branch with a vehicle, an open order with a photo, a catalogue part; and a vehicle in another branch.

    ``app_engine`` comes first: it empties the tables the State handlers use, then ``shop`` fills them.
    """
    vehicle = add_vehicle(session, shop.branch.id, plate="粤B12345", mobile="13800138000", make="丰田",
                          model="卡罗拉", mileage=42000)
    part = add_part(session, shop.branch.id, code="JL-001", name="机油滤清器", price="58.00")
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="42100", fuel_level=2, complaint="发动机异响",
        job_lines=[JobLineInput(name="检查发动机", hours="1", rate="120")]))
    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=jpeg_bytes(), note="左前门划痕",
                             work_order_id=order.id)
    other_vehicle = add_vehicle(session, shop.other_branch.id, plate="粤A54321", mobile="13900139000",
                                owner_name="外店客户")
    with Session(app_engine) as check:  # the rows are where the handlers look
        assert check.get(models.Vehicle, vehicle.id) is not None
        assert check.exec(select(func.count()).select_from(models.User)).one() == len(Role) + 1
    follow_up_id, complaint_id = cpc.add_complaint_rows(session, order)
    return World(shop=shop, vehicle=vehicle, order=order, photo=photo, part=part, other_vehicle=other_vehicle,
                 follow_up_id=follow_up_id, complaint_id=complaint_id,
                 fee_type_id=stc.add_fee_type(session, shop.branch.id),
                 care_reminder_id=rmc.add_reminder(session, vehicle),
                 failed_notification_id=mc.add_failed_notification(session, shop.branch.id))


def count(session: Session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


# --- who is asking ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visitor:
    """``anonymous``, ``disabled`` (a session cookie of an account disabled since), or a signed-in role."""

    kind: str
    role: Role | None = None

    @property
    def signed_out(self) -> bool:
        return self.role is None

    def __str__(self) -> str:
        return self.role.value if self.role else self.kind

    def cookie(self, session: Session, world: World, permission: Permission) -> str:
        if self.kind == "anonymous":
            return ""
        if self.kind == "disabled":
            # An account that would be allowed, disabled after signing in (the worst case: its session row is kept).
            user = world.shop.admin if permission in ADMIN_ONLY else world.shop.advisor
            token = token_for(session, user)
            row = session.get(models.User, user.id)
            row.is_active = False
            session.add(row)
            session.commit()
            return token
        return token_for(session, world.shop.users[self.role.value])

    def was_told(self, text: str) -> None:
        """The message a refused person sees: sign in first, or no permission."""
        assert has_chinese(text), f"expected a Chinese message, got {text!r}"
        assert (SIGN_IN_FIRST if self.signed_out else NO_PERMISSION) in text

    def was_sent_away(self, result, here: str) -> None:
        """A page guard: strangers to sign in (coming back to ``here``), the wrong role to its own home."""
        events = as_list(result)
        if self.signed_out:
            assert redirects_in(events) == [f"/login?next={quote(here, safe='')}"]
        else:
            assert redirects_in(events) == [ROLE_HOME[self.role]]
            assert any(is_toast(e, "error") and "您没有权限访问该页面" in toast_text(e) for e in events)


def refused_visitors(permission: Permission) -> list[Visitor]:
    roles = [role for role in Role if role not in ROLES_BY_PERMISSION[permission]]
    return [Visitor("anonymous"), Visitor("disabled"), *(Visitor("role", role) for role in roles)]


# --- the protected handlers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Protected:
    name: str
    permission: Permission
    # (cookie, world) -> (state, what the handler returned), with the state as the handler left it
    run: Callable[[str, World], tuple[rx.State, object]]
    # (state, result, world, visitor): nothing leaked, and the visitor was told or sent away
    refused: Callable[[rx.State, object, World, Visitor], None]


def _intake(cookie: str, **query) -> IntakeState:
    return make_state(IntakeState, token=cookie, path="/intake", query=query)


def _nothing_selected(s: IntakeState) -> None:
    assert s.vehicle.id == 0 and s.vehicle.plate == "" and s.vehicle.owner_mobile == ""
    assert s.history == []


def run_intake_load(cookie, w):
    s = _intake(cookie, vehicle=w.vehicle.qr_token)
    return s, drive(s.load())


def refused_intake_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/intake?vehicle={w.vehicle.qr_token}")
    _nothing_selected(s)


def run_intake_search(cookie, w):
    s = _intake(cookie)
    return s, drive(s.search({"query": "2345"}))


def refused_intake_search(s, result, w, visitor):
    assert s.results == []
    visitor.was_told(s.error)


def run_select_vehicle(cookie, w):
    s = _intake(cookie)
    return s, drive(s.select_vehicle(w.vehicle.id))


def refused_select_vehicle(s, result, w, visitor):
    _nothing_selected(s)
    assert s.step == "search"
    visitor.was_told(s.error)


REGISTRATION = {"plate": "粤B99999", "make": "本田", "model": "雅阁", "customer_name": "王女士",
                "mobile": "13912345678", "kind": "individual", "mileage": "1000"}


def run_register(cookie, w):
    s = _intake(cookie)
    s.register_key = "register-1"
    s.step = "register"
    return s, drive(s.register(dict(REGISTRATION)))


def refused_register(s, result, w, visitor):
    assert set(s.register_errors) == {"form"}
    visitor.was_told(s.register_errors["form"])
    _nothing_selected(s)
    assert s.step == "register"


def run_add_job_line(cookie, w):
    s = _intake(cookie)
    return s, drive(s.add_job_line({"job_name": "更换机油", "job_hours": "1", "job_rate": "120"}))


def refused_add_job_line(s, result, w, visitor):
    assert s.job_rows == []
    visitor.was_told(s.job_error)


def run_intake_search_parts(cookie, w):
    s = _intake(cookie)
    return s, drive(s.search_parts({"part_query": "机油"}))


def refused_intake_search_parts(s, result, w, visitor):
    assert s.part_choices == []
    visitor.was_told(s.line_error)


def run_add_part(cookie, w):
    s = _intake(cookie)
    return s, drive(s.add_part(w.part.id))


def refused_add_part(s, result, w, visitor):
    assert s.part_rows == []
    visitor.was_told(s.line_error)


def _forged_part_row(w: World) -> PartRow:
    return PartRow(part_id=w.part.id, label="机油滤清器（JL-001）", unit="个", quantity="1", unit_price="¥58.00",
                   amount="¥58.00", value="58.00")


def run_set_part_quantity(cookie, w):
    s = _intake(cookie)
    s.part_rows = [_forged_part_row(w)]
    return s, drive(s.set_part_quantity(0, "3"))


def refused_set_part_quantity(s, result, w, visitor):
    assert s.part_rows == [_forged_part_row(w)], "the row must not be re-priced from the catalogue"
    visitor.was_told(s.line_error)


ORDER_FORM = {"mileage_in": "43000", "fuel_level": "2", "complaint": "刹车异响"}


def run_open_order(cookie, w):
    s = _intake(cookie)
    s.step = "order"
    s.vehicle = VehicleView(id=w.vehicle.id)
    s.job_rows = [JobRow(name="更换刹车片", hours="1.5", rate="120", value="180.00")]
    s.part_rows = [_forged_part_row(w)]
    s.order_key = "order-1"
    return s, drive(s.open_order(dict(ORDER_FORM)))


def refused_open_order(s, result, w, visitor):
    assert set(s.order_errors) == {"form"}
    visitor.was_told(s.order_errors["form"])
    assert s.order_id == 0 and s.order_number == "" and s.step == "order"


def run_photo_uploaded(cookie, w):
    s = _intake(cookie)
    s.step = "photos"
    s.vehicle = VehicleView(id=w.vehicle.id)
    s.order_id = w.order.id
    return s, drive(s.photo_uploaded(w.photo.id))


def refused_photo_uploaded(s, result, w, visitor):
    assert s.photos == []
    assert is_toast(result, "error")
    visitor.was_told(toast_text(result))


def run_save_photo_note(cookie, w):
    s = _intake(cookie)
    s.photos = [PhotoView(id=w.photo.id, note="左前门划痕")]
    return s, drive(s.save_photo_note(w.photo.id, "改成别的"))


def refused_save_photo_note(s, result, w, visitor):
    assert s.photos[0].note == "左前门划痕"
    assert is_toast(result, "error")
    visitor.was_told(toast_text(result))


def run_vehicle_search(cookie, w):
    s = make_state(VehicleSearchState, token=cookie, path="/vehicles")
    return s, drive(s.search({"query": "2345"}))


def refused_vehicle_search(s, result, w, visitor):
    assert s.results == []
    visitor.was_told(s.error)


def run_vehicle_card(cookie, w):
    token = w.vehicle.qr_token
    s = make_state(VehicleCardState, token=cookie, path=f"/v/{token}", route="/v/[token]", query={"token": token})
    assert s.token == token
    return s, drive(s.load())


def refused_vehicle_card(s, result, w, visitor):
    visitor.was_sent_away(result, f"/v/{w.vehicle.qr_token}")
    assert s.found is False
    assert s.vehicle == VehicleView() and s.open_orders == [] and s.history == [] and s.link == ""


def _card(cookie, w) -> VehicleCardState:
    """A card as a browser could forge it: the vehicle (and its owner) named in the state, nothing loaded."""
    s = make_state(VehicleCardState, token=cookie, path=f"/v/{w.vehicle.qr_token}")
    s.vehicle = VehicleView(id=w.vehicle.id, owner_id=w.vehicle.customer_id, qr_token=w.vehicle.qr_token)
    return s


def run_card_save_vehicle(cookie, w):
    s = _card(cookie, w)
    s.editing = "vehicle"
    return s, drive(s.save_vehicle({"plate": "粤B12345", "model": "被改车型", "mileage": "50000"}))


def run_card_save_customer(cookie, w):
    s = _card(cookie, w)
    s.editing = "customer"
    return s, drive(s.save_customer({"customer_name": "被改名", "mobile": "13800138000", "kind": "company"}))


def refused_card_save(s, result, w, visitor):
    assert set(s.edit_errors) == {"form"}
    visitor.was_told(s.edit_errors["form"])
    assert s.editing != "" and s.found is False and s.open_orders == []


def run_board(cookie, w):
    s = make_state(BoardState, token=cookie, path="/orders")
    return s, drive(s.load())


def refused_board(s, result, w, visitor):
    visitor.was_sent_away(result, "/orders")
    assert s.rows == []


def run_parts_search(cookie, w):
    s = make_state(PartsCatalogueState, token=cookie, path="/parts")
    return s, drive(s.search({"query": "机油"}))


def refused_parts_search(s, result, w, visitor):
    assert s.results == [] and s.searched is False
    visitor.was_told(s.error)


def _admin(cookie: str) -> UsersAdminState:
    return make_state(UsersAdminState, token=cookie, path="/admin/users")


def run_users_load(cookie, w):
    s = _admin(cookie)
    return s, drive(s.load())


def refused_users_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/admin/users")
    assert s.rows == [] and s.branches == []


NEW_ACCOUNT = {"username": "intruder", "display_name": "不速之客", "role": "admin", "password": "intruder-pass-1"}


def run_users_create(cookie, w):
    s = _admin(cookie)
    s.editing_id = -1  # the "new user" dialog (``open_new`` needs no permission, or ``setvar`` forges it)
    s.editing = UserRow(role=Role.TECHNICIAN.value, branch_id=str(w.shop.branch.id))
    return s, drive(s.save({**NEW_ACCOUNT, "branch_id": str(w.shop.branch.id)}))


def refused_users_save(s, result, w, visitor):
    visitor.was_told(s.form_error)
    assert s.rows == [] and s.branches == [], "the user list must not be loaded for a refused save"
    assert s.editing_id != 0, "the dialog stays open with the message"


def run_users_update(cookie, w):
    s = _admin(cookie)
    technician = w.shop.technician
    s.editing_id = technician.id
    s.editing = UserRow(id=technician.id, username=technician.username)
    return s, drive(s.save({"display_name": "被改名", "role": "admin", "branch_id": str(w.shop.other_branch.id)}))


def run_users_set_active(cookie, w):
    s = _admin(cookie)
    return s, drive(s.set_active(w.shop.technician.id, False))


def refused_users_set_active(s, result, w, visitor):
    assert is_toast(result, "error")
    visitor.was_told(toast_text(result))
    assert s.rows == []


def run_users_end_sessions(cookie, w):
    s = _admin(cookie)
    return s, drive(s.end_sessions(w.shop.technician.id))


def refused_users_end_sessions(s, result, w, visitor):
    assert is_toast(result, "error")
    visitor.was_told(toast_text(result))
    assert s.rows == []


def run_users_reset_password(cookie, w):
    s = _admin(cookie)
    s.password_for_id = w.shop.technician.id
    return s, drive(s.reset_password({"password": "brand-new-pass-9"}))


def refused_users_reset_password(s, result, w, visitor):
    visitor.was_told(s.form_error)
    assert s.password_for_id == w.shop.technician.id and s.rows == []


P = Permission
PROTECTED = [
    Protected("IntakeState.load", P.INTAKE, run_intake_load, refused_intake_load),
    # Finding and opening a vehicle on the intake page shows what /vehicles and /v/<token> show every staff role.
    Protected("IntakeState.search", P.VIEW_VEHICLES, run_intake_search, refused_intake_search),
    Protected("IntakeState.select_vehicle", P.VIEW_VEHICLES, run_select_vehicle, refused_select_vehicle),
    Protected("IntakeState.register", P.INTAKE, run_register, refused_register),
    Protected("IntakeState.add_job_line", P.INTAKE, run_add_job_line, refused_add_job_line),
    Protected("IntakeState.search_parts", P.VIEW_PARTS, run_intake_search_parts, refused_intake_search_parts),
    Protected("IntakeState.add_part", P.INTAKE, run_add_part, refused_add_part),
    Protected("IntakeState.set_part_quantity", P.INTAKE, run_set_part_quantity, refused_set_part_quantity),
    Protected("IntakeState.open_order", P.INTAKE, run_open_order, refused_open_order),
    Protected("IntakeState.photo_uploaded", P.ADD_PHOTOS, run_photo_uploaded, refused_photo_uploaded),
    Protected("IntakeState.save_photo_note", P.INTAKE, run_save_photo_note, refused_save_photo_note),
    Protected("VehicleSearchState.search", P.VIEW_VEHICLES, run_vehicle_search, refused_vehicle_search),
    Protected("VehicleCardState.load", P.VIEW_VEHICLES, run_vehicle_card, refused_vehicle_card),
    Protected("VehicleCardState.save_vehicle", P.INTAKE, run_card_save_vehicle, refused_card_save),
    Protected("VehicleCardState.save_customer", P.INTAKE, run_card_save_customer, refused_card_save),
    Protected("BoardState.load", P.VIEW_VEHICLES, run_board, refused_board),
    Protected("PartsCatalogueState.search", P.VIEW_PARTS, run_parts_search, refused_parts_search),
    # The parts clerk's workbench and pick list: only parts clerks move stock.
    Protected("StockState.load", P.VIEW_PARTS, sc.run_stock_load, sc.refused_stock_load),
    Protected("StockState.refresh", P.MOVE_STOCK, sc.run_stock_refresh, sc.refused_stock_refresh),
    Protected("StockState.search_receipt_parts", P.VIEW_PARTS, sc.run_receipt_search, sc.refused_receipt_search),
    Protected("StockState.receive", P.MOVE_STOCK, sc.run_receive, sc.refused_receive),
    Protected("StockState.create_warehouse", P.MOVE_STOCK, sc.run_create_warehouse, sc.refused_create_warehouse),
    Protected("PickState.load", P.MOVE_STOCK, sc.run_pick_load, sc.refused_pick_load),
    Protected("PickState.pick", P.MOVE_STOCK, sc.run_pick, sc.refused_move),
    Protected("PickState.return_part", P.MOVE_STOCK, sc.run_return, sc.refused_move),
    Protected("PickState.scan", P.MOVE_STOCK, sc.run_scan, sc.refused_move),
    Protected("SafetyStockState.load", P.MANAGE_CATALOGUE, ssc.run_load, ssc.refused_load),
    Protected("SafetyStockState.calculate", P.MANAGE_CATALOGUE, ssc.run_calculate, ssc.refused_calculate),
    Protected("SafetyStockState.apply_all", P.MANAGE_CATALOGUE, ssc.run_apply_all, ssc.refused_apply),
    Protected("SafetyStockState.apply_chosen", P.MANAGE_CATALOGUE, ssc.run_apply_chosen, ssc.refused_apply),
    Protected("SafetyStockState.save_limit", P.MANAGE_CATALOGUE, ssc.run_save_limit, ssc.refused_save_limit),
    Protected("UsersAdminState.load", P.MANAGE_USERS, run_users_load, refused_users_load),
    Protected("UsersAdminState.save", P.MANAGE_USERS, run_users_create, refused_users_save),
    Protected("UsersAdminState.save", P.MANAGE_USERS, run_users_update, refused_users_save),
    Protected("UsersAdminState.set_active", P.MANAGE_USERS, run_users_set_active, refused_users_set_active),
    Protected("UsersAdminState.end_sessions", P.MANAGE_USERS, run_users_end_sessions, refused_users_end_sessions),
    Protected("UsersAdminState.reset_password", P.MANAGE_USERS, run_users_reset_password,
              refused_users_reset_password),
    # The workshop: my tasks and the job clock, the clock on the vehicle card, dispatch, the progress board.
    Protected("TasksState.load", P.CLOCK_JOBS, ws.run_tasks_load, ws.refused_tasks_load),
    Protected("TasksState.refresh", P.CLOCK_JOBS, ws.run_tasks_refresh, ws.refused_tasks_refresh),
    Protected("TasksState.start", P.CLOCK_JOBS, ws.run_tasks_start, ws.refused_tasks_clock),
    Protected("TasksState.pause", P.CLOCK_JOBS, ws.run_tasks_pause, ws.refused_tasks_clock),
    Protected("TasksState.finish", P.CLOCK_JOBS, ws.run_tasks_finish, ws.refused_tasks_clock),
    Protected("TasksState.open_scanned", P.VIEW_VEHICLES, ws.run_tasks_open_scanned, ws.refused_tasks_open_scanned),
    Protected("TasksState.save_note", P.CLOCK_JOBS, ws.run_tasks_save_note, ws.refused_tasks_save_note),
    Protected("TasksState.search_parts", P.REQUEST_PARTS, ws.run_tasks_search_parts, ws.refused_tasks_search_parts),
    Protected("TasksState.request_part", P.REQUEST_PARTS, ws.run_tasks_request_part, ws.refused_tasks_request_part),
    Protected("VehicleCardState.refresh", P.VIEW_VEHICLES, ws.run_card_refresh, ws.refused_card_refresh),
    Protected("VehicleCardState.start_line", P.CLOCK_JOBS, ws.run_card_start_line, ws.refused_card_clock),
    Protected("VehicleCardState.pause_line", P.CLOCK_JOBS, ws.run_card_pause_line, ws.refused_card_clock),
    Protected("VehicleCardState.finish_line", P.CLOCK_JOBS, ws.run_card_finish_line, ws.refused_card_clock),
    Protected("DispatchState.open", P.DISPATCH, ws.run_dispatch_open, ws.refused_dispatch_open),
    Protected("DispatchState.assign_order", P.DISPATCH, ws.run_dispatch_assign_order, ws.refused_dispatch_assign_order),
    Protected("DispatchState.assign_line", P.DISPATCH, ws.run_dispatch_assign_line, ws.refused_dispatch_assign_line),
    Protected("BoardState.refresh", P.VIEW_VEHICLES, ws.run_board_refresh, ws.refused_board_refresh),
    # The till: queue, complete and quality check, settle, payments, member card, reopen, the printed sheet.
    *[Protected(*case) for case in cc.CASES],
    # The manager's daily figures and the queries with their exports.
    *[Protected(*case) for case in rc.CASES],
    # Branch settings: VAT rate, other-fee types, teams.
    *[Protected(*case) for case in stc.CASES],
    # The reminder centre: contacted, snooze, send.
    *[Protected(*case) for case in rmc.CASES],
    # The customer file, the satisfaction rate and the churn analysis.
    *[Protected(*case) for case in cuc.CASES],
    # The delivery log of customer messages.
    *[Protected(*case) for case in mc.CASES],
    # Complaints and the staff follow-up page.
    *[Protected(*case) for case in cpc.CASES],
    # Form drafts the browser kept, put back into the intake order form.
    *[Protected(*case) for case in dc.CASES],
    # The chain's branches: create, edit, close, reopen.
    *[Protected(*case) for case in bc.CASES],
    # 修改密码 (everyone's) and 审计日志 (admin).
    *[Protected(*case) for case in ac.CASES],
    # 配件档案, 供应商 and 导入.
    *[Protected(*case) for case in pcc.CASES],
    # 应付账款 and 供应商比价.
    *[Protected(*case) for case in pyc.CASES],
    # 往来单位 (insurers and manufacturers) and a customer's credit limit and terms.
    *[Protected(*case) for case in ptc.CASES],
    # 应收账款: collecting, statements and their links.
    *[Protected(*case) for case in rvc.CASES],
    *[Protected(*case) for case in lgc.CASES],
    # 资金: the money accounts, transfers and journals.
    *[Protected(*case) for case in mnc.CASES],
    *[Protected(*case) for case in exc.CASES],
    # 发票: issued and received, 红冲, the not-invoiced queries.
    *[Protected(*case) for case in ivc.CASES],
    # Buying parts: the plan, orders and their actions, receiving, returns, the printed order.
    *[Protected(*case) for case in puc.CASES],
    # Transfers: the lists and forms, one transfer's steps, the printed slip.
    *[Protected(*case) for case in tfc.CASES],
    # Stocktaking: sheets, counting, the manager's review and posting, the printed count list.
    *[Protected(*case) for case in stk.CASES],
    # Internal use and gifts, delivery notes per warehouse, price adjustments.
    *[Protected(*case) for case in obc.CASES],
]

REFUSALS = [
    pytest.param(handler, visitor, id=f"{handler.name}[{handler.run.__name__.removeprefix('run_')}]-{visitor}")
    for handler in PROTECTED
    for visitor in refused_visitors(handler.permission)
]


@pytest.mark.parametrize("handler,visitor", REFUSALS)
def test_a_refused_visitor_changes_nothing_and_sees_nothing(world, session, app_engine, handler, visitor):
    cookie = visitor.cookie(session, world, handler.permission)
    before = db_snapshot(app_engine)
    files_before = stored_photo_files()

    state, result = handler.run(cookie, world)

    assert changed_tables(before, db_snapshot(app_engine)) == {}, "the database must not change"
    assert db_snapshot(app_engine) == before
    assert stored_photo_files() == files_before, "no photo file may be written"
    handler.refused(state, result, world, visitor)


def test_every_permission_has_someone_to_refuse():
    """Each handler is tried by at least an anonymous visitor and a disabled account; all but the every-staff
    permissions also by a signed-in role without it."""
    for handler in PROTECTED:
        visitors = refused_visitors(handler.permission)
        assert {"anonymous", "disabled"} <= {v.kind for v in visitors}
        if ROLES_BY_PERMISSION[handler.permission] != frozenset(Role):  # not every staff member's
            assert any(v.role for v in visitors), handler.name


# --- the table covers every handler -----------------------------------------------------------------------------

# Handlers that only move the screen along with data already in the state (no database access; checked below).
UI_ONLY = {
    "IntakeState.start_over": (),
    "IntakeState.start_registration": (),
    "IntakeState.back_to_search": (),
    "IntakeState.remove_job_line": (0,),
    "IntakeState.type_job": ("job_name", "更换机油"),
    "IntakeState.remove_part_line": (0,),
    "UsersAdminState.open_new": (),
    "UsersAdminState.open_edit": (1,),
    "UsersAdminState.close_dialogs": (),
    "VehicleCardState.open_edit": ("vehicle",),
    "VehicleCardState.close_edit": (),
    "UsersAdminState.open_password": (1,),
    **ws.UI_ONLY,
    **sc.UI_ONLY,
    **ssc.UI_ONLY,
    **cc.UI_ONLY,
    **cuc.UI_ONLY,
    **rc.UI_ONLY,
    **stc.UI_ONLY,
    **rmc.UI_ONLY,
    **cpc.UI_ONLY,
    **mc.UI_ONLY,
    **dc.UI_ONLY,
    **bc.UI_ONLY,
    **pcc.UI_ONLY,
    **pyc.UI_ONLY,
    **ptc.UI_ONLY,
    **rvc.UI_ONLY,
    **mnc.UI_ONLY,
    **exc.UI_ONLY,
    **ivc.UI_ONLY,
    **puc.UI_ONLY,
    **tfc.UI_ONLY,
    **stk.UI_ONLY,
    **obc.UI_ONLY,
}
# Signing in and out and the page guards: tests/state/platform/test_session_and_login.py.
SESSION_HANDLERS = {"SessionState.go_home", "SessionState.sign_out", "SessionState.guard_staff",
                    "LoginState.on_load", "LoginState.answered"}
STATE_CLASSES = [SessionState, LoginState, IntakeState, VehicleSearchState, VehicleCardState, BoardState,
                 PartsCatalogueState, UsersAdminState, TasksState, DispatchState, StockState, PickState,
                 CashierState, SettleState, CareState, CustomerSearchState, CustomerFileState, SatisfactionState,
                 SettlementSheetState, FiguresState, ReportsState, SettingsState,
                 ComplaintsState, ComplaintDetailState, FollowUpDetailState, FollowUpFormState, MessagesState,
                 BranchesAdminState, PasswordState, AuditLogState, CatalogueState, SuppliersState, ImportState,
                 PayablesState, SupplierPayablesState, StatementSheetState, SupplierPricesState,
                 CounterpartiesState,
                 PurchasingState, PurchaseOrderState, ReceiveState, ReceiptState, PurchaseOrderPrintState,
                 SupplierOrderState, PaymentReceiptState, MoneyAccountsState, AccountJournalState, CashCloseState,
                 CashCloseSheetState, SafetyStockState, LedgerState, LedgerDetailState, TransfersState, TransferState,
                 TransferPrintState, StocktakeState, CountSheetState, CountReviewState, CountPrintState, IssuesState,
                 IssueSheetState, DeliveryNotesState, PriceAdjustState, ExpensesState, ExpenseDetailState,
                 ExpenseCategoriesState, ExpenseStatisticsState, ProfitState, ReceivablesState, ReceivablePartyState,
                 ReceivableSheetState, StatementConfirmState, InvoicesState]


def app_event_handlers() -> set[str]:
    """``Class.handler`` for every event handler defined in the ``state`` package."""
    names = set()
    for cls in STATE_CLASSES:
        for name, handler in cls.event_handlers.items():
            fn = handler.fn
            # A handler of the class itself, or of a mixin it is built on (state/finance/parties.py): the class's.
            owners = {cls.__name__} | {base.__name__ for base in cls.__mro__ if getattr(base, "_mixin", False)}
            owner, _, own_name = fn.__qualname__.rpartition(".")
            if getattr(fn, "__module__", "").startswith(state_package.__name__ + ".") and owner in owners and \
                    own_name == name:
                names.add(f"{cls.__name__}.{name}")
    return names


def test_every_state_class_is_listed():
    found = set()
    for info in pkgutil.walk_packages(state_package.__path__, prefix="state."):
        module = importlib.import_module(info.name)
        found |= {obj for obj in vars(module).values()
                  if inspect.isclass(obj) and issubclass(obj, rx.State) and obj.__module__ == module.__name__
                  and not obj._mixin}  # a mixin is no state of its own: the classes built on it are listed
    assert found == set(STATE_CLASSES)
    # Reflex names a state by its class name alone: two classes of one name would share one state in the browser.
    assert len({cls.get_name() for cls in found}) == len(found)


def test_every_handler_is_either_protected_or_screen_only():
    protected = {handler.name for handler in PROTECTED}
    assert app_event_handlers() == protected | set(UI_ONLY) | SESSION_HANDLERS | cpc.PUBLIC | puc.PUBLIC | \
        rvc.PUBLIC


def test_screen_only_handlers_never_touch_the_database(monkeypatch, world):
    def no_database():
        raise AssertionError("a screen-only handler opened a database session")

    monkeypatch.setattr(app_db, "get_engine", no_database)
    classes = {cls.__name__: cls for cls in STATE_CLASSES}
    for name, args in UI_ONLY.items():
        class_name, handler_name = name.split(".")
        s = make_state(classes[class_name])
        drive(getattr(s, handler_name)(*args))
    s = make_state(UsersAdminState)
    s.open_edit(world.shop.technician.id)
    assert s.editing == UserRow(), "with nothing loaded there is nothing to show"


# --- the same handlers across branches --------------------------------------------------------------------------


@pytest.mark.parametrize("handler", [
    pytest.param(h, id=h.name) for h in PROTECTED
    if h.name in {"IntakeState.select_vehicle", "IntakeState.open_order", "IntakeState.photo_uploaded",
                  "IntakeState.save_photo_note", "IntakeState.add_part", "IntakeState.set_part_quantity",
                  "IntakeState.load"}
])
def test_another_branchs_advisor_gets_nothing_of_this_branch(world, session, app_engine, handler):
    cookie = token_for(session, world.shop.other_branch_advisor)
    before = db_snapshot(app_engine)
    files_before = stored_photo_files()

    s, result = handler.run(cookie, world)

    assert changed_tables(before, db_snapshot(app_engine)) == {}
    assert stored_photo_files() == files_before
    if handler.name == "IntakeState.load":
        assert s.error == "记录不存在或无权查看"
        _nothing_selected(s)
        return
    messages = {
        "IntakeState.select_vehicle": lambda: s.error,
        "IntakeState.open_order": lambda: s.order_errors["form"],
        "IntakeState.photo_uploaded": lambda: toast_text(result),
        "IntakeState.save_photo_note": lambda: toast_text(result),
        "IntakeState.add_part": lambda: s.line_error,
        "IntakeState.set_part_quantity": lambda: s.line_error,
    }
    assert has_chinese(messages[handler.name]())
    assert s.vehicle.plate == "" and s.history == [] and s.order_number == ""
    if handler.name == "IntakeState.save_photo_note":
        assert [p.note for p in s.photos] == ["左前门划痕"]
    else:
        assert s.photos == []
    if handler.name == "IntakeState.add_part":
        assert s.part_rows == []
    if handler.name == "IntakeState.set_part_quantity":
        assert s.part_rows == [_forged_part_row(world)]


def test_another_branchs_advisor_cannot_open_this_branchs_vehicle_card(world, session):
    s, result = run_vehicle_card(token_for(session, world.shop.other_branch_advisor), world)
    assert result is None
    assert s.found is False and s.not_found_message == "记录不存在或无权查看"
    assert s.vehicle == VehicleView() and s.open_orders == [] and s.history == []


@pytest.mark.parametrize("run", [run_vehicle_search, run_intake_search], ids=["vehicles", "intake"])
def test_another_branchs_search_finds_nothing_here(world, session, run):
    s, _ = run(token_for(session, world.shop.other_branch_advisor), world)
    assert s.results == [] and s.error == "" and s.searched is True


def test_another_branchs_board_and_catalogue_are_their_own(world, session):
    cookie = token_for(session, world.shop.other_branch_advisor)
    board, result = run_board(cookie, world)
    assert result is None and board.rows == []
    catalogue, _ = run_parts_search(cookie, world)
    assert catalogue.results == [] and catalogue.error == ""


# --- the allowed roles: the harness really reaches the database ------------------------------------------------


def test_advisor_does_a_whole_intake(world, session):
    cookie = token_for(session, world.shop.advisor)
    vehicles_before, customers_before = count(session, models.Vehicle), count(session, models.Customer)
    files_before = stored_photo_files()

    s = _intake(cookie, vehicle=world.vehicle.qr_token)
    assert drive(s.load()) is None
    assert s.vehicle.id == world.vehicle.id and s.step == "order"
    assert [o.number for o in s.history] == [world.order.number]

    s.start_over()
    drive(s.search({"query": "2345"}))
    assert [r.plate for r in s.results] == ["粤B12345"]
    drive(s.select_vehicle(world.vehicle.id))
    assert s.vehicle.plate == "粤B12345" and s.error == ""

    s.start_over()
    s.start_registration()
    result = drive(s.register(dict(REGISTRATION)))
    assert s.register_errors == {}
    assert is_toast(result[-1], "success")
    assert forgotten_drafts(result) == [f"lantong-draft:{world.shop.advisor.id}:register"]
    assert count(session, models.Vehicle) == vehicles_before + 1
    assert count(session, models.Customer) == customers_before + 1
    assert s.vehicle.plate == "粤B99999" and s.step == "order"

    drive(s.add_job_line({"job_name": "更换刹车片", "job_hours": "1.5", "job_rate": "120"}))
    assert s.job_error == "" and [row.value for row in s.job_rows] == ["180.00"]
    drive(s.search_parts({"part_query": "机油"}))
    assert [c.code for c in s.part_choices] == ["JL-001"]
    drive(s.add_part(world.part.id))
    drive(s.set_part_quantity(0, "2"))
    assert s.line_error == "" and s.part_rows[0].quantity == "2" and s.part_rows[0].value == "116.00"

    result = drive(s.open_order(dict(ORDER_FORM, mileage_in="1200")))
    assert s.order_errors == {}, s.order_errors
    assert s.order_number.startswith("WX") and s.step == "photos"
    order = session.get(models.WorkOrder, s.order_id)
    assert order.number == s.order_number and order.advisor_id == world.shop.advisor.id
    assert count(session, models.JobLine) == 2 and count(session, models.PartLine) == 1

    # The photo control stores each shot through the upload route (tests/test_api_routes.py), then tells the
    # state its id; a second report of the same photo (a resend) shows it once.
    left, right = (photos.add_order_photo(session, world.shop.advisor, s.order_id, jpeg_bytes()) for _ in range(2))
    session.commit()  # each upload route's unit of work
    for photo_id in (left.id, right.id, right.id):
        assert drive(s.photo_uploaded(photo_id)) is None
    assert [p.id for p in s.photos] == [left.id, right.id]
    assert len(stored_photo_files() - files_before) == 4  # image and thumbnail each
    result = drive(s.photo_uploaded(world.photo.id))  # a photo of another order is not shown here
    assert is_toast(result, "error") and [p.id for p in s.photos] == [left.id, right.id]

    result = drive(s.save_photo_note(s.photos[0].id, "后保险杠凹陷"))
    assert is_toast(result, "success")
    session.expire_all()
    assert session.get(models.Photo, s.photos[0].id).note == "后保险杠凹陷"
    assert s.photos[0].note == "后保险杠凹陷"


def test_technician_sees_vehicles_and_the_board_and_photos(world, session):
    cookie = token_for(session, world.shop.technician)

    search, _ = run_vehicle_search(cookie, world)
    assert [r.plate for r in search.results] == ["粤B12345"] and search.error == ""

    card, result = run_vehicle_card(cookie, world)
    assert result is None and card.found is True
    assert card.vehicle.plate == "粤B12345" and [o.number for o in card.open_orders] == [world.order.number]
    assert card.link.endswith(f"/v/{world.vehicle.qr_token}")

    board, result = run_board(cookie, world)
    assert result is None and [row.number for row in board.rows] == [world.order.number]

    s, result = run_photo_uploaded(cookie, world)
    assert result is None and [p.id for p in s.photos] == [world.photo.id]
    assert s.photos[0].thumb_url == f"/api/photos/{world.photo.id}/thumb"
    s, result = run_save_photo_note(cookie, world)  # the damage note is intake's
    assert is_toast(result, "error") and s.photos[0].note == "左前门划痕"


def test_parts_clerk_searches_the_catalogue(world, session):
    cookie = token_for(session, world.shop.parts_clerk)
    s, _ = run_parts_search(cookie, world)
    assert [(r.code, r.price) for r in s.results] == [("JL-001", "¥58.00")] and s.searched is True
    s, _ = run_intake_search_parts(cookie, world)
    assert [c.code for c in s.part_choices] == ["JL-001"]


def test_admin_manages_users(world, session):
    cookie = token_for(session, world.shop.admin)
    technician_cookie = token_for(session, world.shop.technician)
    users_before = count(session, models.User)

    s, result = run_users_load(cookie, world)
    assert result is None and len(s.rows) == users_before
    assert {row.username for row in s.rows} >= {"admin", "technician", "otheradvisor"}

    s, result = run_users_create(cookie, world)
    assert s.form_error == "" and is_toast(result, "success") and s.editing_id == 0
    assert count(session, models.User) == users_before + 1
    created = session.exec(select(models.User).where(models.User.username == "intruder")).one()
    assert created.role == Role.ADMIN and created.branch_id == world.shop.branch.id
    assert auth.sign_in(session, "intruder", NEW_ACCOUNT["password"])
    session.commit()  # the sign-in is a unit of its own

    s, result = run_users_update(cookie, world)
    assert s.form_error == "" and is_toast(result, "success")
    session.expire_all()
    changed = session.get(models.User, world.shop.technician.id)
    assert (changed.display_name, changed.role, changed.branch_id) == ("被改名", Role.ADMIN, world.shop.other_branch.id)

    s, result = run_users_reset_password(cookie, world)
    assert s.form_error == "" and s.password_for_id == 0
    session.expire_all()
    assert auth.user_for_token(session, technician_cookie) is None, "a reset signs the user out everywhere"
    assert auth.sign_in(session, "technician", "brand-new-pass-9")
    session.commit()

    s, result = run_users_set_active(cookie, world)
    assert is_toast(result, "success")
    session.expire_all()
    assert session.get(models.User, world.shop.technician.id).is_active is False


def test_an_admin_cannot_be_impersonated_by_a_forged_role(world, session, app_engine):
    """``user_role`` is only a display hint: setting it (as ``setvar`` could) grants nothing."""
    s = _admin("")
    s.user_role = Role.ADMIN.value
    s.editing_id = -1
    before = db_snapshot(app_engine)
    drive(s.save({**NEW_ACCOUNT, "branch_id": str(world.shop.branch.id)}))
    assert db_snapshot(app_engine) == before
    assert s.form_error == SIGN_IN_FIRST



def test_advisor_corrects_vehicle_and_owner_on_the_card(world, session):
    s = _card(token_for(session, world.shop.advisor), world)
    s.open_edit("vehicle")
    drive(s.save_vehicle({"plate": "粤B12345", "model": "卡罗拉", "mileage": "100"}))
    assert "mileage" in s.edit_errors and s.editing == "vehicle", "a lower mileage is refused beside its field"
    result = drive(s.save_vehicle({"plate": "粤B12345", "make": "丰田", "model": "卡罗拉双擎", "mileage": "43000",
                             "insurer": "人保"}))
    assert is_toast(result, "success") and s.editing == ""
    assert s.found and s.vehicle.model == "卡罗拉双擎" and s.vehicle.insurer == "人保", "the card reloads"
    s.open_edit("customer")
    drive(s.save_customer({"customer_name": "刘建国", "mobile": "13800138000", "kind": "fleet", "notes": "月结客户"}))
    assert s.vehicle.owner_kind == "车队" and s.vehicle.owner_notes == "月结客户"
    session.expire_all()
    assert session.get(models.Vehicle, world.vehicle.id).mileage == 43000


def test_manager_changes_the_branch_settings(world, session):
    s = make_state(SettingsState, token=token_for(session, world.shop.manager), path="/settings")
    assert drive(s.load()) is None and s.vat_rate == "13.00"
    drive(s.save_vat_rate({"vat_rate": "9"}))
    drive(s.add_fee_type({"fee_name": "拖车费", "fee_amount": "150"}))
    drive(s.create_team({"team_name": "钣喷组", f"member_{world.shop.technician.id}": "on",
                   "leader": str(world.shop.technician.id)}))
    assert s.errors == {}
    assert s.vat_rate == "9.00"
    assert [f.name for f in s.fee_types] == ["管理费", "拖车费"]
    assert [(t.name, t.leader) for t in s.teams] == [("钣喷组", world.shop.technician.display_name)]
    drive(s.create_team({"team_name": "钣喷组"}))
    assert set(s.errors) == {"name", "members"}
