"""What a browser sends over the event socket is its word: checked before any handler runs.

Any client can send any message, signed in or not. Here, in three places:
- ``check_message`` (every message the socket receives): it must be an event object naming a handler the app has.
- ``EventGuard`` (an event middleware, before the handler runs, once the tab's state is at hand): the payload must
  be an object with the handler's arguments, each of the type its annotation says, no string longer than
  ``MAX_EVENT_TEXT`` and no list or object larger than ``MAX_EVENT_ITEMS`` (the cap on every free-text field;
  the services have tighter ones per field).
- ``backend_exception_handler`` (the app's): a handler that fails anyway answers with a message and logs one line
  (where it failed, never the payload or a traceback: payloads hold passwords and mobiles).

A refused event gets a Chinese message and changes nothing. Each client (socket, tab) is answered and logged for at
most ``REFUSALS_PER_MINUTE`` refusals a minute; past that its refused events are dropped without a word, so a flood
of bad events costs a check each and no log lines.
"""

from __future__ import annotations

import inspect
import logging
import re
import threading
import time
import traceback
import types
import typing
from collections import deque
from collections.abc import Callable
from functools import cache
from typing import Any

import reflex as rx

from lantong_pwa.reflex_internals import (
    EventSpec,
    Middleware,
    StateUpdate,
    answer_with,
    current_client_token,
    event_name_of,
    event_payload_of,
    handler_function,
)

log = logging.getLogger("lantong.events")

MAX_EVENT_TEXT = 10_000  # characters in any one string of an event
MAX_EVENT_ITEMS = 1_000  # entries of any one list or object in an event
MAX_EVENT_DEPTH = 8
REFUSALS_PER_MINUTE = 10
MALFORMED = "请求格式不正确，请刷新页面后重试"
TOO_LONG = f"输入内容过长（每项不能超过{MAX_EVENT_TEXT}字）"
FAILED = "操作未完成，请刷新页面后重试"
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_NUMBER = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,18})?")


class RefusalLimit:
    """At most ``per_minute`` refusals a minute per client key; the rest are dropped silently."""

    def __init__(self, per_minute: int = REFUSALS_PER_MINUTE, window: float = 60.0):
        self.per_minute, self.window = per_minute, window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allows(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 10_000:  # forget clients quiet for a window
                self._seen = {k: q for k, q in self._seen.items() if q and now - q[-1] < self.window}
            seen = self._seen.setdefault(key, deque())
            while seen and now - seen[0] > self.window:
                seen.popleft()
            if len(seen) >= self.per_minute:
                return False
            seen.append(now)
            return True


limit = RefusalLimit()


def _refusal(key: str, message: str, why: str, name: str) -> EventSpec | None:
    """The toast for a refused event and one log line, or nothing once ``key`` is over its limit."""
    if not limit.allows(key):
        return None
    log.warning("refused event %s from client %s: %s", name[-120:], key[:8], why)
    return rx.toast.error(message)


# --- the message: an event naming a handler ------------------------------------------------------------------------


def check_message(sid: str, data: Any) -> tuple[Any, EventSpec | None]:
    """For ``reflex_internals.guard_event_receiver``: hand on an event object naming a handler the app has, with an
    object for payload and router data; anything else is dropped, with a message while the socket is under its
    limit."""
    if not isinstance(data, dict):
        return None, _refusal(f"sid:{sid}", MALFORMED, "not an event object", "?")
    name = data.get("name")
    if not isinstance(name, str) or len(name) > 300:
        return None, _refusal(f"sid:{sid}", MALFORMED, "no handler name", "?")
    try:
        known = handler_function(name) is not None
    except LookupError:  # no registry in this context: Reflex looks the name up itself
        known = True
    if not known:
        return None, _refusal(f"sid:{sid}", MALFORMED, "no such handler", name)
    if not all(isinstance(data.get(part, {}), dict) for part in ("payload", "router_data")):
        return None, _refusal(f"sid:{sid}", MALFORMED, "payload or router data not an object", name)
    return data, None


# --- the payload: the handler's arguments, of their types ----------------------------------------------------------


@cache
def _signature(fn: Callable) -> tuple[dict[str, Any], frozenset[str], bool]:
    """``fn``'s argument hints, the arguments it needs and whether it takes any others (``**kwargs``)."""
    parameters = list(inspect.signature(fn).parameters.values())[1:]  # after ``self``
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # an annotation that does not resolve: no type checks, names still are
        hints = {}
    hints.pop("return", None)
    needed = frozenset(p.name for p in parameters if p.default is p.empty
                       and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
    return hints, needed, any(p.kind == p.VAR_KEYWORD for p in parameters)


def _fits(value: Any, hint: Any) -> bool:
    """Whether a JSON value can be what ``hint`` says (as Reflex converts it: "12" for an int)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any or hint is object:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arg) for arg in args)
    if hint is type(None) or hint is None:
        return value is None
    if origin is typing.Literal:
        return value in args
    if hint is str:
        return isinstance(value, str)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and _INTEGER.fullmatch(value) is not None)
    if hint is float:
        return (isinstance(value, (int, float)) and not isinstance(value, bool)) or (
            isinstance(value, str) and _NUMBER.fullmatch(value) is not None)
    if hint is dict or origin is dict:
        return isinstance(value, dict) and (len(args) != 2 or all(_fits(v, args[1]) for v in value.values()))
    if hint is list or origin is list:
        return isinstance(value, list) and (not args or all(_fits(v, args[0]) for v in value))
    return True  # a dataclass or other shape: Reflex converts it, the handler checks it


def _oversized(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return len(value) > MAX_EVENT_TEXT
    if isinstance(value, (dict, list)):
        if len(value) > MAX_EVENT_ITEMS or depth > MAX_EVENT_DEPTH:
            return True
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return any(_oversized(k, depth + 1) or _oversized(v, depth + 1) for k, v in items)
    return False


def payload_problem(fn: Callable, payload: Any) -> str | None:
    """Why ``payload`` cannot be ``fn``'s arguments (for the log), or None when it can."""
    if not isinstance(payload, dict):
        return "payload not an object"
    hints, needed, open_ended = _signature(fn)
    parameters = set(inspect.signature(fn).parameters) - {"self"}
    if not open_ended and (unknown := set(payload) - parameters):
        return f"unknown arguments {sorted(unknown)[:5]}"
    if missing := needed - set(payload):
        return f"missing arguments {sorted(missing)}"
    for name, value in payload.items():
        if name in hints and not _fits(value, hints[name]):
            return f"argument {name} is not {getattr(hints[name], '__name__', hints[name])}"
    if _oversized(payload):
        return "text or list too long"
    return None


class EventGuard(Middleware):
    """Refuses, before it runs, an event of ours whose payload does not fit its handler (see the module)."""

    async def preprocess(self, app: Any, state: Any, event: Any) -> StateUpdate | None:
        name = event_name_of(event)
        fn = handler_function(name)
        if fn is None or not getattr(fn, "__module__", "").startswith("state."):
            return None  # Reflex's own handlers; the exception handler covers them
        problem = payload_problem(fn, event_payload_of(event))
        if problem is None:
            return None
        message = TOO_LONG if problem == "text or list too long" else MALFORMED
        answer = _refusal(f"token:{current_client_token() or '-'}", message, problem, fn.__qualname__)
        return StateUpdate() if answer is None else answer_with(answer)


# --- a handler that fails anyway ----------------------------------------------------------------------------------


def _where(exception: BaseException) -> str:
    """The innermost frame of the failure in our code (else the innermost at all): ``file:line in function``."""
    frames = traceback.extract_tb(exception.__traceback__)
    ours = [frame for frame in frames if "site-packages" not in frame.filename] or frames
    if not ours:
        return "?"
    frame = ours[-1]
    return f"{'/'.join(frame.filename.split('/')[-2:])}:{frame.lineno} in {frame.name}"


def backend_exception_handler(exception: Exception) -> EventSpec | None:
    """The app's handler for an event that raised: one log line, naming the exception's type and where it was
    raised (its message may quote the payload), and a Chinese message; both within the client's limit."""
    key = f"token:{current_client_token() or '-'}"
    if not limit.allows(key):
        return None
    log.error("event failed for client %s: %s at %s", key[6:14], type(exception).__name__, _where(exception))
    return rx.toast.error(FAILED)
