"""Role-check cases for the workshop screens (my tasks, job clock on the vehicle card, dispatch, progress board):
``run_*`` drives a handler as the cookie's owner, ``refused_*`` checks a refused visitor saw nothing and was told.
Listed in tests/state/test_role_checks.py's PROTECTED table."""

from __future__ import annotations

from sqlmodel import Session, select

import models
from lantong_pwa import db as app_db
from lantong_pwa.services.workshop.vehicle_cards import card_url
from state.workshop.board import BoardState
from state.workshop.dispatch import DispatchState
from state.workshop.tasks import PartChoice, TaskLineView, TasksState
from state.workshop.vehicles import VehicleCardState
from state.platform.views import VehicleView
from tests.state.harness import drive, is_toast, make_state, redirects_in, toast_text


def line_id(w) -> int:
    """The first job line of the scene's open order."""
    with Session(app_db.get_engine()) as db:
        return db.exec(select(models.JobLine.id).where(models.JobLine.work_order_id == w.order.id)
                       .order_by(models.JobLine.position)).first()


def _tasks(cookie: str) -> TasksState:
    return make_state(TasksState, token=cookie, path="/tasks")


def run_tasks_load(cookie, w):
    s = _tasks(cookie)
    return s, drive(s.load())


def refused_tasks_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/tasks")
    assert s.groups == []


def run_tasks_refresh(cookie, w):
    s = _tasks(cookie)
    return s, drive(s.refresh())


def refused_tasks_refresh(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.groups == []


def _clock_runner(action: str):
    def run(cookie, w):
        s = _tasks(cookie)
        return s, drive(getattr(s, action)(line_id(w)))
    run.__name__ = f"run_tasks_{action}"
    return run


run_tasks_start, run_tasks_pause, run_tasks_finish = (_clock_runner(a) for a in ("start", "pause", "finish"))


def refused_toast(s, result, w, visitor):
    toasts = [spec for spec in (result if isinstance(result, list) else [result]) if is_toast(spec, "error")]
    assert toasts, "the refused person is told"
    visitor.was_told(toast_text(toasts[0]))


def refused_tasks_clock(s, result, w, visitor):
    refused_toast(s, result, w, visitor)
    assert s.groups == []


def run_tasks_open_scanned(cookie, w):
    s = _tasks(cookie)
    return s, drive(s.open_scanned(card_url(w.vehicle.qr_token)))


def refused_tasks_open_scanned(s, result, w, visitor):
    refused_toast(s, result, w, visitor)
    assert redirects_in(result) == [], "no card is opened"


def _sheet(cookie, w) -> TasksState:
    """The line sheet as a browser could forge it: a line id set with ``setvar``, nothing loaded."""
    s = _tasks(cookie)
    s.line = TaskLineView(id=line_id(w), name="检查发动机")
    return s


def run_tasks_save_note(cookie, w):
    s = _sheet(cookie, w)
    return s, drive(s.save_note({"note": "被改的备注"}))


def refused_tasks_save_note(s, result, w, visitor):
    visitor.was_told(s.note_error)
    assert s.groups == []


def run_tasks_search_parts(cookie, w):
    s = _sheet(cookie, w)
    return s, drive(s.search_parts({"part_query": "机油"}))


def refused_tasks_search_parts(s, result, w, visitor):
    visitor.was_told(s.part_error)
    assert s.part_choices == []


def run_tasks_request_part(cookie, w):
    s = _sheet(cookie, w)
    s.chosen_part = PartChoice(id=w.part.id, code=w.part.code, name=w.part.name)
    return s, drive(s.request_part({"quantity": "1", "part_note": ""}))


def refused_tasks_request_part(s, result, w, visitor):
    visitor.was_told(s.part_error)
    assert s.chosen_part.id == w.part.id, "the choice stays for a second try"


def _card(cookie, w) -> VehicleCardState:
    token = w.vehicle.qr_token
    s = make_state(VehicleCardState, token=cookie, path=f"/v/{token}", route="/v/[token]", query={"token": token})
    s.vehicle = VehicleView(id=w.vehicle.id, qr_token=token)
    return s


def run_card_refresh(cookie, w):
    s = _card(cookie, w)
    return s, drive(s.refresh())


def refused_card_refresh(s, result, w, visitor):
    visitor.was_told(s.not_found_message)
    assert s.found is False and s.open_orders == [] and s.history == [] and s.my_tasks == []


def _card_clock_runner(action: str):
    def run(cookie, w):
        s = _card(cookie, w)
        return s, drive(getattr(s, f"{action}_line")(line_id(w)))
    run.__name__ = f"run_card_{action}_line"
    return run


run_card_start_line, run_card_pause_line, run_card_finish_line = (
    _card_clock_runner(a) for a in ("start", "pause", "finish"))


def refused_card_clock(s, result, w, visitor):
    refused_toast(s, result, w, visitor)
    assert s.my_tasks == []


def _dispatch(cookie, w, path="/orders") -> DispatchState:
    return make_state(DispatchState, token=cookie, path=path)


def run_dispatch_open(cookie, w):
    s = _dispatch(cookie, w)
    return s, drive(s.open(w.order.id))


def refused_dispatch_open(s, result, w, visitor):
    refused_toast(s, result, w, visitor)
    assert s.order_id == 0 and s.lines == [] and s.targets == []


def run_dispatch_assign_order(cookie, w):
    s = _dispatch(cookie, w)
    s.order_id = w.order.id
    return s, drive(s.assign_order({"target": f"t:{w.shop.technician.id}"}))


def refused_dispatch_assign_order(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.lines == [] and s.targets == []


def run_dispatch_assign_line(cookie, w):
    s = _dispatch(cookie, w)
    s.order_id = w.order.id
    return s, drive(s.assign_line({"line_id": str(line_id(w)), f"share_{w.shop.technician.id}": "100"}))


def refused_dispatch_assign_line(s, result, w, visitor):
    [message] = s.line_errors.values()
    visitor.was_told(message)
    assert s.lines == []


def run_board_refresh(cookie, w):
    s = make_state(BoardState, token=cookie, path="/orders")
    return s, drive(s.refresh())


def refused_board_refresh(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.rows == []


UI_ONLY = {
    "TasksState.open_line": (1,),
    "TasksState.close_line": (),
    "TasksState.choose_part": (1,),
    "DispatchState.close": (),
}
