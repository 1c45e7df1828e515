"""Malformed events: refused before any handler runs with a Chinese message, logged in one line without the payload
or a traceback, and at most ``REFUSALS_PER_MINUTE`` a minute per client answered and logged."""

from __future__ import annotations

import asyncio
import logging

import pytest

import lantong_pwa.lantong_pwa  # noqa: F401 - registers the app's handlers
from lantong_pwa import event_guard
from lantong_pwa.event_guard import FAILED, MALFORMED, TOO_LONG, RefusalLimit, payload_problem
from lantong_pwa.reflex_internals import Event, is_toast_of_kind
from state.workshop.vehicles import VehicleSearchState
from state.workshop.intake import IntakeState

SEARCH = VehicleSearchState.search.fn  # anyone may send it, signed in or not
PHOTO_UPLOADED = IntakeState.photo_uploaded.fn
SAVE_NOTE = IntakeState.save_photo_note.fn


@pytest.fixture(autouse=True)
def fresh_limit(monkeypatch):
    monkeypatch.setattr(event_guard, "limit", RefusalLimit())


@pytest.mark.parametrize(("fn", "payload"), [
    (SEARCH, {"form": {"query": "粤B1"}}),
    (PHOTO_UPLOADED, {"photo_id": 12}),
    (PHOTO_UPLOADED, {"photo_id": "12"}),  # Reflex turns it into 12
    (SAVE_NOTE, {"photo_id": 3, "note": "左前门凹陷"}),
])
def test_a_well_formed_payload_passes(fn, payload):
    assert payload_problem(fn, payload) is None


@pytest.mark.parametrize(("fn", "payload", "why"), [
    (SEARCH, "form", "not an object"),
    (SEARCH, {"form": "粤B1"}, "form is not dict"),
    (SEARCH, {"form": ["粤B1"]}, "form is not dict"),
    (SEARCH, {}, "missing"),
    (SEARCH, {"form": {}, "extra": 1}, "unknown"),
    (PHOTO_UPLOADED, {"photo_id": "abc"}, "photo_id is not int"),
    (PHOTO_UPLOADED, {"photo_id": True}, "photo_id is not int"),
    (PHOTO_UPLOADED, {"photo_id": "9" * 5000}, "photo_id is not int"),
    (PHOTO_UPLOADED, {"photo_id": {"$gt": 1}}, "photo_id is not int"),
    (SAVE_NOTE, {"photo_id": 3, "note": None}, "note is not str"),
    (SAVE_NOTE, {"photo_id": 3, "note": "长" * 10_001}, "too long"),
    (SEARCH, {"form": {"query": "a" * 100_000}}, "too long"),
    (SEARCH, {"form": {str(i): "" for i in range(2000)}}, "too long"),
])
def test_a_malformed_payload_is_named(fn, payload, why):
    assert why in payload_problem(fn, payload)


def run_guard(handler, payload):
    """``EventGuard.preprocess`` for an event of ``handler`` (a State's event handler) with ``payload``."""
    event = Event(name=f"{handler.state_full_name}.{handler.fn.__name__}", payload=payload)
    return asyncio.run(event_guard.EventGuard().preprocess(None, None, event))


def toasts(update) -> list[str]:
    """The text of each event the answer sends (a toast's JavaScript, its escapes undone)."""
    texts = []
    for event in update.events:
        text = str(event.payload.get("function"))
        while "\\u" in text:
            text = text.encode().decode("unicode_escape")
        texts.append(text)
    return texts


def test_the_middleware_answers_a_malformed_event_with_a_chinese_message_and_lets_the_rest_through(caplog):
    caplog.set_level(logging.WARNING, "lantong.events")
    assert run_guard(VehicleSearchState.search, {"form": {"query": "粤B1"}}) is None
    refused = run_guard(VehicleSearchState.search, {"form": "13800138000"})
    assert MALFORMED in toasts(refused)[0]
    long = run_guard(IntakeState.save_photo_note, {"photo_id": 1, "note": "长" * 20_000})
    assert TOO_LONG in toasts(long)[0]
    [first, second] = [r.getMessage() for r in caplog.records]
    assert "VehicleSearchState.search" in first and "13800138000" not in first and "长长" not in second
    assert not any(r.exc_info for r in caplog.records)


def test_refusals_are_answered_and_logged_at_most_ten_a_minute_per_client(caplog):
    caplog.set_level(logging.WARNING, "lantong.events")
    answers = [run_guard(VehicleSearchState.search, {"form": 1}) for _ in range(25)]
    assert [bool(a.events) for a in answers] == [True] * 10 + [False] * 15
    assert len(caplog.records) == 10
    limit = RefusalLimit(per_minute=2, window=0.05)
    assert [limit.allows("x") for _ in range(3)] == [True, True, False]
    assert limit.allows("y")
    asyncio.run(asyncio.sleep(0.06))
    assert limit.allows("x")


def test_a_message_that_is_no_event_or_names_no_handler_is_dropped_with_a_message():
    for data in ("not json", ["a"], {"name": 5}, {"name": "state.nowhere.handler", "payload": {}},
                 {"name": f"{VehicleSearchState.get_full_name()}.search", "payload": "x"},
                 {"name": f"{VehicleSearchState.get_full_name()}.search", "payload": {}, "router_data": "x"}):
        handed_on, answer = event_guard.check_message("sid-1", data)
        assert handed_on is None and is_toast_of_kind(answer, "error"), data
    good = {"name": f"{VehicleSearchState.get_full_name()}.search", "payload": {"form": {}}, "router_data": {}}
    assert event_guard.check_message("sid-1", good) == (good, None)


def test_a_handler_that_fails_anyway_logs_one_line_and_tells_the_person(caplog):
    caplog.set_level(logging.ERROR, "lantong.events")
    try:
        int("13800138000x")
    except ValueError as error:
        answer = event_guard.backend_exception_handler(error)
    assert is_toast_of_kind(answer, "error") and FAILED in repr(answer.args)
    [record] = caplog.records
    assert record.exc_info is None and "ValueError" in record.getMessage()
    assert "13800138000" not in record.getMessage() and "test_event_guard.py" in record.getMessage()
