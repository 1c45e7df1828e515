"""开单 never drops a job line that was typed but not added, and a refused line keeps what was typed."""

from __future__ import annotations

from sqlmodel import select

import models
from tests.state.harness import as_list, drive, is_toast
from tests.state.platform.test_draft_states import intake_on, order_count, scene  # noqa: F401 - the fixture

ORDER = {"mileage_in": "42100", "fuel_level": "2", "complaint": "刹车异响"}


def cleared_fields(result) -> set[str]:
    """The inputs the handler's ``rx.set_value`` events empty."""
    return {dict((k._js_expr, v._var_value) for k, v in spec.args).get("ref", "").removeprefix("ref_")
            for spec in as_list(result) if spec.handler.fn.__qualname__ == "_set_value"}


def test_a_line_typed_but_not_added_is_added_by_open_order(scene, session):
    s = intake_on(scene["cookie"], scene["vehicle"])
    s.type_job("job_name", "检查刹车")
    s.type_job("job_fixed", "88")
    result = drive(s.open_order(dict(ORDER)))
    assert s.step == "photos" and [row.name for row in s.job_rows] == ["检查刹车"]
    assert {"job_name", "job_fixed"} <= cleared_fields(result)
    lines = session.exec(select(models.JobLine).where(models.JobLine.work_order_id == s.order_id)).all()
    assert [(line.name, str(line.amount)) for line in lines] == [("检查刹车", "88.00")]


def test_a_typed_line_that_cannot_be_added_stops_open_order_beside_it(scene, session):
    s = intake_on(scene["cookie"], scene["vehicle"])
    s.type_job("job_name", "检查刹车")  # no hours, rate or price
    result = drive(s.open_order(dict(ORDER)))
    assert is_toast(result, "error") and s.job_error.startswith("这一行维修项目还没有添加：")
    assert s.step == "order" and s.job_rows == [] and order_count(session, scene["vehicle"].id) == 0


def test_a_refused_line_keeps_what_was_typed_and_an_added_one_is_cleared(scene):
    s = intake_on(scene["cookie"], scene["vehicle"])
    typed = {"job_name": "检查刹车", "job_hours": "abc", "job_rate": "120", "job_fixed": ""}
    assert drive(s.add_job_line(dict(typed))) is None, "nothing is cleared: the four fields keep what was typed"
    assert s.job_error != "" and s.job_rows == []
    result = drive(s.add_job_line({**typed, "job_hours": "1"}))
    assert s.job_error == "" and cleared_fields(result) == {"job_name", "job_hours", "job_rate", "job_fixed"}
    s.type_job("job_name", "")  # emptied again: nothing pending
    drive(s.open_order(dict(ORDER)))
    assert s.step == "photos" and [row.name for row in s.job_rows] == ["检查刹车"]
