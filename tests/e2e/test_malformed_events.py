"""Malformed events from an anonymous socket, against the production server: each gets a Chinese message (at most
ten a minute per client), nothing is written to the log but one line each, and the server answers on as before."""

from __future__ import annotations

import pytest

from lantong_pwa.event_guard import FAILED, MALFORMED, REFUSALS_PER_MINUTE, TOO_LONG
from lantong_pwa.reflex_internals import event_message
from lantong_pwa.socket_phone import SocketPhone
from state.workshop.intake import IntakeState
from state.workshop.vehicles import VehicleSearchState
from tests.e2e.conftest import run_async

pytestmark = pytest.mark.e2e


def said(answers: list[dict]) -> list[str]:
    """The text of every event the server sent (a toast's JavaScript, its escapes undone)."""
    texts = []
    for answer in answers:
        for event in answer.get("events") or []:
            text = str(event.get("payload"))
            while "\\u" in text:
                text = text.encode().decode("unicode_escape")
            texts.append(text)
    return texts


SEARCH = {"form": {"query": "粤B1"}}  # anonymous: answered with 请先登录
MALFORMED_MESSAGES = [
    "not an event",
    ["a", "list"],
    {"name": "state.nowhere.handler", "payload": {}},
    event_message(VehicleSearchState, "search", {"form": "粤B1"}, "/vehicles"),
    event_message(VehicleSearchState, "search", {"form": {"query": ["粤B1"]}}, "/vehicles"),
    event_message(VehicleSearchState, "search", {}, "/vehicles"),
    event_message(IntakeState, "photo_uploaded", {"photo_id": "9" * 5000}, "/intake"),
]


def test_malformed_events_get_a_chinese_message_one_log_line_and_no_traceback(server):
    async def scenario():
        phone = SocketPhone(server.url)
        await phone.connect()
        try:
            await phone.send(VehicleSearchState, "search", SEARCH, path="/vehicles")  # the tab's state, as a page load makes it
            answered = [said(await phone.send_raw(message, path="/vehicles")) for message in MALFORMED_MESSAGES]
            long = said(await phone.send_raw(event_message(VehicleSearchState, "search", {"form": {
                "query": "a" * 100_000}}, "/vehicles"), path="/vehicles"))
            flood = [said(await phone.send_raw(event_message(VehicleSearchState, "search", {"form": 7}, "/vehicles")))
                     for _ in range(2 * REFUSALS_PER_MINUTE)]
            still = await phone.send(VehicleSearchState, "search", SEARCH, path="/vehicles")
            return answered, long, flood, still
        finally:
            await phone.close()

    log_before = server.log.read_text(errors="replace")
    answered, long, flood, still = run_async(scenario())
    for message, texts in zip(MALFORMED_MESSAGES, answered):
        # A form whose fields are not text passes the check of the payload's shape; its handler fails, and says so.
        assert any(MALFORMED in text or FAILED in text for text in texts), message
    assert any(TOO_LONG in text for text in long)
    answered_in_flood = sum(any(MALFORMED in text for text in texts) for texts in flood)
    assert answered_in_flood <= REFUSALS_PER_MINUTE
    assert still.seconds > 0, "the server still answers the same socket"
    log = server.log.read_text(errors="replace")[len(log_before):]
    assert "Traceback" not in log and "aaaaaaaaaa" not in log
    assert log.count("refused event") <= 2 * REFUSALS_PER_MINUTE  # per socket and per tab, within the limit
