"""A simulated phone: one browser tab's connection to the app's event socket, without a browser.

The stall test (``tests/e2e/test_never_stalls.py``) and the load benchmark (``benchmarks.load``) drive the production
server with many of these: a real browser per phone would cost more than the server it measures. Each phone has its
own Reflex client token, so the server keeps a state of its own for it, signs in as the login page does (a POST to
the sign-in route, whose session cookie it then sends in its websocket's handshake, reconnecting) and sends the
events a screen sends.

``send`` waits until the server has finished the event: it follows the event with a marker event whose answer is
always the same (``reflex_internals.hydrated_mark``), and a client's events are handled one at a time, in order.
``send(..., whole=False)`` waits only for the event's first state update, what the person sees change, and sends
the server nothing more: the load benchmark's rounds measure that, since every event of theirs changes the screen.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import socketio

from lantong_pwa.reflex_internals import (EVENT_MESSAGE, EVENT_NAMESPACE, EVENT_SOCKET_PATH, HYDRATED_DELTA,
                                          delta_of, event_message, hydrated_mark, redirects_of)
from lantong_pwa.web_session import SESSION_COOKIE, SESSION_PATH, token_in

ANSWER_TIMEOUT = 60.0  # seconds; a server that takes longer has failed the event


class PhoneError(RuntimeError):
    """The server did not answer, or answered something the phone did not expect."""


@dataclass
class Answer:
    """What the server sent back for one event, and how long the whole event took."""
    seconds: float
    deltas: list[dict[str, Any]] = field(default_factory=list)
    redirects: list[str] = field(default_factory=list)


class SocketPhone:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.token = str(uuid.uuid4())
        self.session_cookie: str | None = None  # the session token the sign-in route set, once signed in
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._client = self._new_client()

    def _new_client(self) -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False)
        client.on(EVENT_MESSAGE, self._inbox.put_nowait, namespace=EVENT_NAMESPACE)
        return client

    async def connect(self) -> None:
        headers = {"Origin": self.base_url}
        if self.session_cookie:
            headers["Cookie"] = f"{SESSION_COOKIE}={self.session_cookie}"
        await self._client.connect(f"{self.base_url}?token={self.token}", socketio_path=EVENT_SOCKET_PATH,
                                   transports=["websocket"], namespaces=[EVENT_NAMESPACE],
                                   headers=headers, wait_timeout=ANSWER_TIMEOUT)

    async def close(self) -> None:
        await self._client.disconnect()

    async def send(self, state: type, handler: str, payload: dict[str, Any] | None = None, *, path: str = "/",
                   whole: bool = True) -> Answer:
        """Send ``state.handler(**payload)`` as the page at ``path`` would, and wait until it has finished (or, not
        ``whole``, until its first state update)."""
        while not self._inbox.empty():  # the tail of an earlier answer (events sent after its update)
            self._inbox.get_nowait()
        started = time.perf_counter()
        await self._client.emit(EVENT_MESSAGE, event_message(state, handler, payload or {}, path),
                                namespace=EVENT_NAMESPACE)
        if whole:
            await self._client.emit(EVENT_MESSAGE, hydrated_mark(path), namespace=EVENT_NAMESPACE)
        answer = Answer(seconds=0.0)
        while True:
            try:
                message = await asyncio.wait_for(self._inbox.get(), ANSWER_TIMEOUT)
            except TimeoutError as error:
                raise PhoneError(f"no answer to {state.__name__}.{handler} within {ANSWER_TIMEOUT:.0f}s") from error
            done = delta_of(message) == HYDRATED_DELTA if whole else bool(delta_of(message))
            if delta_of(message) and delta_of(message) != HYDRATED_DELTA:
                answer.deltas.append(delta_of(message))
            answer.redirects += redirects_of(message)
            if done:
                answer.seconds = time.perf_counter() - started
                return answer

    async def send_raw(self, data: Any, *, path: str = "/") -> list[dict[str, Any]]:
        """Send ``data`` as the event message exactly as given (a malformed one, in the tests), then the marker event;
        answers every message the server sent back up to the marker's answer."""
        while not self._inbox.empty():
            self._inbox.get_nowait()
        await self._client.emit(EVENT_MESSAGE, data, namespace=EVENT_NAMESPACE)
        await self._client.emit(EVENT_MESSAGE, hydrated_mark(path), namespace=EVENT_NAMESPACE)
        answers = []
        while True:
            try:
                message = await asyncio.wait_for(self._inbox.get(), ANSWER_TIMEOUT)
            except TimeoutError as error:
                raise PhoneError(f"no answer after a raw message within {ANSWER_TIMEOUT:.0f}s") from error
            answers.append(message)
            # The marker's answer; after a handler that failed half way, with what that handler had changed.
            if all(delta_of(message).get(state, {}).items() >= fields.items()
                   for state, fields in HYDRATED_DELTA.items()):
                return answers

    async def sign_in(self, username: str, password: str) -> None:
        """Sign in as the login page does: post to the sign-in route, then connect (again, if connected) with the
        session cookie it set; raises if the route refuses."""
        async with httpx.AsyncClient(base_url=self.base_url, timeout=ANSWER_TIMEOUT) as http:
            answer = await http.post(SESSION_PATH, json={"username": username, "password": password},
                                     headers={"Origin": self.base_url})
        # Read from the header itself: a cookie jar keeps no Secure cookie from a plain-HTTP address.
        self.session_cookie = token_in(answer.headers.get("set-cookie", "").split(";", 1)[0])
        if answer.status_code != 200 or not self.session_cookie:
            raise PhoneError(f"signing in as {username} was refused: {answer.status_code} {answer.text}")
        if self._client.connected:
            await self._client.disconnect()
            self._client = self._new_client()
        await self.connect()
