"""Every place Lantong reaches past Reflex's public API, in one module: the rest of the code imports them from here.

Reflex is pinned (``pyproject.toml``, ``requirements.lock``), and nothing below is part of its documented API: an
upgrade may move or reshape any of it. ``tests/test_reflex_internals.py`` checks each touchpoint against the
installed Reflex and names the one that moved, so an upgrade fails there, by name, instead of in a build, a browser
test or production. When it fails: adapt the touchpoint here (and the module that uses it), not around it.

The touchpoints, and who uses them:
- the build's files: the web directory, the site it builds, its routes manifest (``static_pages``);
- files Reflex generates and our build plugins edit: React Router's config (``first_paint``) and Vite's config
  (``script_chunks``), each edited as the text Reflex writes;
- what Reflex hands the plugins' hooks (``first_paint``, ``script_chunks``), and the Radix Themes plugin whose
  stylesheet and package hooks ``radix_theme`` overrides;
- the app wrap our connection banner replaces, and the variable it reads (``pages/connection.py``, the app);
- the event-trigger spec of our own React components (``pages/photo_capture.py``, ``scanner.py``, ``drafts.py``);
- the websocket's address (the browser tests cut or stall it) and the environment variables the tools set
  (``prod_server``; ``.ci/setup`` sets the same);
- where the browsers' state lives: the backend's worker count (``rxconfig``), the built site served by a process
  started with ``--backend-only`` (the app, for the processes of a chain), and dropping one browser tab's state from
  the state manager in memory or in Redis when its person signs out (``client_state``), or every tab's of a session
  (``web_session``);
- the websocket's connect: the client token it names is bound to the session cookie of its handshake before Reflex
  links it (``web_session``);
- for the State tests (``tests/state/harness.py``): a page's router data, the state tree's paths, and how the
  events a handler returns are recognised;
- the events a browser sends, checked before they run (``event_guard``): the event middleware, the handler an event
  names, the websocket's event receiver, the client token of the event being handled, and turning our answer
  (a toast) into what the socket sends.
"""

from __future__ import annotations

import functools
import json
import os
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import reflex as rx
from reflex.app import EventNamespace, _decode_asgi_headers
from reflex.components.core.banner import has_connection_errors  # noqa: F401 - for pages/connection.py
from reflex.middleware import Middleware  # noqa: F401 - for event_guard
from reflex.state import StateUpdate
from reflex.istate.data import RouterData
from reflex.istate.manager import StateManager
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex.utils.exec import get_frontend_mount, get_routes_manifest_router, is_prod_mode
from reflex.utils.frontend_skeleton import _compile_vite_config, _update_react_router_config
from reflex.utils.prerequisites import get_web_dir
from reflex_base.config import get_config
from reflex_base.constants import Dirs, Endpoint, ReactRouter
from reflex_base.environment import environment
from reflex_base.event import Event, EventSpec, passthrough_event_spec  # noqa: F401 - for our components' triggers
from reflex_base.event.context import EventContext
from reflex_base.registry import RegistrationContext

# --- the build's files -------------------------------------------------------------------------------------------


def site_dir() -> Path:
    """Where the production build writes the site: each page as ``<route>/index.html``."""
    return (get_web_dir() / Dirs.STATIC).resolve()


def built_site_in(web_dir: Path) -> Path:
    """Where a production build with ``REFLEX_WEB_WORKDIR=web_dir`` writes the site."""
    return (web_dir / Dirs.STATIC).resolve()


def route_matcher() -> Callable[[str], str | None]:
    """The route an address belongs to, from the routes manifest the compile wrote (none when it wrote none)."""
    return get_routes_manifest_router() or (lambda _path: None)


# --- generated files the build plugins edit ----------------------------------------------------------------------

REACT_ROUTER_CONFIG_FILE = ReactRouter.CONFIG_FILE
VITE_CONFIG_FILE = ReactRouter.VITE_CONFIG_FILE
# React Router's config as Reflex writes it: ``export default {<JSON>};``, with ``"prerender": true`` in a build.
_REACT_ROUTER_EXPORT = "export default"
# The line of Reflex's Vite config that opens its code-splitting groups (build.rollupOptions.output.codeSplitting).
VITE_GROUPS_ANCHOR = "          groups: [\n"


def read_react_router_config(config_js: str) -> dict[str, Any]:
    """The settings in React Router's config as Reflex writes it."""
    return json.loads(config_js.strip().removeprefix(_REACT_ROUTER_EXPORT).strip().removesuffix(";"))


def generated_react_router_config(*, prerender: bool) -> str:
    """React Router's config as Reflex writes it for this app (``prerender``: as for a production build)."""
    return _update_react_router_config(get_config(), prerender_routes=prerender)


def generated_vite_config() -> str:
    """Vite's config as Reflex writes it for this app."""
    return _compile_vite_config(get_config())


# --- what the plugins' hooks are handed ----------------------------------------------------------------------------


def page_routes(pre_compile_context: dict[str, Any]) -> list[str]:
    """The routes of every page the app added, from a plugin's ``pre_compile`` context."""
    return [page.route for page in pre_compile_context["unevaluated_pages"]]


def modify_generated_file(pre_compile_context: dict[str, Any], name: str, change: Callable[[str], str]) -> None:
    """Have the compile pass the generated file ``name`` (in the web directory) through ``change``."""
    pre_compile_context["add_modify_task"](name, change)


def built_site_dir(post_build_context: dict[str, Any]) -> Path:
    """The built site's directory, from a plugin's ``post_build`` context."""
    return post_build_context["static_dir"]


# Radix Themes' plugin: ``radix_theme`` overrides its ``get_stylesheet_paths`` (Reflex's: the whole stylesheet) and
# its ``get_frontend_dependencies`` (Reflex's: the package, which also puts all of it on ``window``).
RadixThemesPlugin = rx.plugins.RadixThemesPlugin
RADIX_THEMES_PLUGIN_HOOKS = ("get_stylesheet_paths", "get_frontend_dependencies")


# --- the app's frame ---------------------------------------------------------------------------------------------

# ``rx.App(extra_app_wraps=...)`` under this key replaces Reflex's own connection toaster.
OVERLAY_APP_WRAP = (5, "Overlay")
# The websocket every page talks to the State over.
EVENT_SOCKET_PATH = f"/{Endpoint.EVENT.value}"
# What any ``reflex`` command needs here: bun from the npm registry (Reflex's own installer downloads it), and no
# telemetry. ``.ci/setup`` exports the same.
REFLEX_TOOL_ENV = {"REFLEX_USE_SYSTEM_BUN": "1", "REFLEX_TELEMETRY_ENABLED": "false"}


# --- the event socket's wire format (``socket_phone``: simulated phones for the stall test and benchmarks.load) --

# The socket.io namespace the frontend's events travel in (the same as the socket's path); each event is an "event"
# message both ways.
EVENT_NAMESPACE = EVENT_SOCKET_PATH
EVENT_MESSAGE = "event"


def event_message(state: type, handler: str, payload: dict[str, Any], path: str) -> dict[str, Any]:
    """What the frontend sends for ``state.handler(**payload)`` on page ``path``."""
    return {"name": f"{state.get_full_name()}.{handler}", "payload": payload,
            "router_data": {"pathname": path, "asPath": path, "query": {}}}


def hydrated_mark(path: str) -> dict[str, Any]:
    """An event that always answers with the same one-field delta (``HYDRATED_DELTA``): the frontend's own
    ``set_is_hydrated``. A client's events are handled one at a time in order, so its answer arriving means every
    event sent before it has finished."""
    return event_message(rx.State, "set_is_hydrated", {"value": True}, path)


HYDRATED_DELTA = {rx.State.get_full_name(): {"is_hydrated_rx_state_": True}}


def delta_of(message: dict[str, Any]) -> dict[str, Any]:
    """The state delta an answer carries (empty when it only carries events)."""
    return message.get("delta") or {}


def redirects_of(message: dict[str, Any]) -> list[str]:
    """The paths an answer's events redirect to."""
    return [event["payload"]["path"] for event in message.get("events") or []
            if event.get("name") == EVENT_HANDLERS["redirect"]]


# --- where the browsers' state lives ------------------------------------------------------------------------------

# How many backend workers ``reflex run --env prod`` starts (Granian reads it; Reflex's own default is 2 × cores + 1
# with Redis, 1 without).
BACKEND_WORKERS_ENV = "GRANIAN_WORKERS"
# The page keeps its client token (which names its state on the server) in sessionStorage under this key
# (``TOKEN_KEY`` in Reflex's ``web/utils/state.js``); without it, the next page load makes a new one.
CLIENT_TOKEN_STORAGE_KEY = "token"


# ``reflex run --backend-only`` as an environment variable: set, ``rxconfig`` sees it too (a chain's processes).
BACKEND_ONLY_ENV = environment.REFLEX_BACKEND_ONLY.name


def runs_backend_only() -> bool:
    return environment.REFLEX_BACKEND_ONLY.get()


def set_backend_workers(count: int) -> None:
    """Have the production backend start ``count`` workers (from ``rxconfig``, read before it starts them)."""
    os.environ[BACKEND_WORKERS_ENV] = str(count)


def serve_built_site(asgi_app: Any) -> Any:
    """An ``api_transformer`` (first in the list): a production backend started with ``--backend-only`` serves the
    built site as the one-port server does (Reflex mounts it only when it built it in the same run), so every
    process of a chain answers every address from one build."""
    mounted = environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.get()
    if is_prod_mode() and not mounted and (site_dir() / "index.html").is_file():
        asgi_app.routes.append(get_frontend_mount())
    return asgi_app


def running_state_manager() -> StateManager | None:
    """The state manager of the event being handled (None outside a served app, e.g. in the State tests)."""
    try:
        return EventContext.get().state_manager
    except LookupError:
        return None


def memory_state_manager(expiry_seconds: int) -> StateManager:
    return StateManagerMemory(token_expiration=expiry_seconds)


def redis_state_manager(url: str, expiry_seconds: int) -> StateManager:
    from redis.asyncio import Redis

    return StateManagerRedis(redis=Redis.from_url(url), token_expiration=expiry_seconds)


def state_token(client_token: str, cls: type[rx.State] = rx.State) -> BaseStateToken:
    """What names ``cls``'s state of the browser tab ``client_token`` in a state manager."""
    return BaseStateToken(ident=client_token, cls=cls)


def _state_classes(cls: type[rx.State]) -> list[type[rx.State]]:
    return [cls, *(each for sub in cls.get_substates() for each in _state_classes(sub))]


def redis_state_key(client_token: str, cls: type[rx.State]) -> str:
    """The Redis key ``cls``'s state of the browser tab ``client_token`` is stored under."""
    return state_token(client_token)._state_key(cls)


def redis_state_keys(client_token: str) -> list[str]:
    """The Redis key of every state class a browser tab ``client_token`` may have stored."""
    return [redis_state_key(client_token, cls) for cls in _state_classes(rx.State)]


async def drop_client_states(manager: StateManager, client_token: str) -> None:
    """Remove every state of the browser tab ``client_token`` from ``manager``: in memory, or its keys in Redis. It
    waits for the tab's state lock first, so an event that asked for it (sign-out) has finished writing back."""
    token = state_token(client_token)
    if isinstance(manager, StateManagerRedis):
        async with manager._lock(token):
            await manager.redis.delete(*redis_state_keys(client_token))
    elif isinstance(manager, StateManagerMemory):
        async with await manager._get_state_lock(token):
            manager._purge_token(token)
    else:
        raise TypeError(f"dropping a client's state is not implemented for {type(manager).__name__}")


async def client_tokens_ending_with(manager: StateManager, suffix: str) -> list[str]:
    """The client tokens ``manager`` keeps a state of (in memory, or in Redis) that end with ``suffix``."""
    if isinstance(manager, StateManagerRedis):
        tokens = set()
        async for key in manager.redis.scan_iter(match=f"*{suffix}_*", count=1000):
            text = key.decode() if isinstance(key, bytes) else key
            tokens.add(text[:text.index(f"{suffix}_") + len(suffix)])
        return sorted(tokens)
    if isinstance(manager, StateManagerMemory):
        return [ident for ident in list(manager.states) if ident.endswith(suffix)]
    raise TypeError(f"finding client states is not implemented for {type(manager).__name__}")


def holds_client_state(manager: StateManager, client_token: str) -> bool:
    """Whether ``manager`` (in memory) keeps any state of ``client_token`` (Redis: look for its keys instead)."""
    if isinstance(manager, StateManagerMemory):
        return state_token(client_token).cache_key in manager.states
    raise TypeError(f"{type(manager).__name__} keeps its states elsewhere")


# --- the websocket's connect ---------------------------------------------------------------------------------------


def handshake_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The HTTP headers a websocket connected with, as Reflex hands them to each of its events (lower-case names;
    repeated cookies joined)."""
    return _decode_asgi_headers(environ.get("asgi.scope", {}).get("headers", []))


def rename_client_token_on_connect(rename: Callable[[str, dict[str, str]], str]) -> None:
    """Have every websocket connection's client token (``?token=`` of its address) pass through
    ``rename(token, handshake headers)`` before Reflex links the connection to a state: the state it reads and
    writes is the one named by what ``rename`` returns. Once per process; a second call replaces the first."""
    original = getattr(EventNamespace.on_connect, "__wrapped__", EventNamespace.on_connect)

    @functools.wraps(original)
    async def on_connect(self, sid: str, environ: dict, auth: Any = None):
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        if query.get("token"):
            query["token"] = [rename(query["token"][0], handshake_headers(environ))]
            environ = {**environ, "QUERY_STRING": urllib.parse.urlencode(query, doseq=True)}
        return await original(self, sid, environ, auth)

    EventNamespace.on_connect = on_connect


# --- for the State tests -----------------------------------------------------------------------------------------


def substate(root: Any, cls: type) -> Any:
    """``cls``'s instance in the state tree under ``root`` (an ``rx.State()``)."""
    return root.get_substate(cls.get_full_name().split(".")[1:])


def router_data(*, pathname: str, as_path: str, query: dict[str, str], headers: dict[str, str]) -> RouterData:
    """A page's router data, as Reflex builds it from what the browser sends with an event."""
    return RouterData.from_router_data({"pathname": pathname, "asPath": as_path, "query": query, "headers": headers})


# The handler behind the event each of Reflex's ``rx.<name>(...)`` returns.
EVENT_HANDLERS = {"redirect": "_redirect", "call_script": "_call_script", "call_function": "_call_function",
                  "remove_cookie": "_remove_cookie"}


def event_name(spec: Any) -> str | None:
    """The name of the handler an event calls (``EVENT_HANDLERS``, or ``State.handler``); None for no event."""
    return spec.handler.fn.__qualname__ if isinstance(spec, EventSpec) else None


def event_arguments(spec: EventSpec) -> dict[str, Any]:
    """An event's arguments by name, as the Python values they were given."""
    return {name._js_expr: value._var_value for name, value in spec.args}


def is_toast_of_kind(spec: Any, kind: str) -> bool:
    """``rx.toast.<kind>(...)``: a ``call_function`` event calling ``refs['__toast']?.["<kind>"]``."""
    return event_name(spec) == EVENT_HANDLERS["call_function"] and f'["{kind}"]' in repr(spec.args)


# --- the events a browser sends (event_guard) ----------------------------------------------------------------------


def handler_function(event_name: str) -> Callable[..., Any] | None:
    """The Python function behind the event handler an event names (None when it names none)."""
    registered = RegistrationContext.get().event_handlers.get(event_name)
    return None if registered is None else registered.handler.fn


def event_name_of(event: Any) -> str:
    return event.name


def event_payload_of(event: Any) -> Any:
    return event.payload


def answer_with(spec: EventSpec) -> StateUpdate:
    """A middleware's answer that runs no handler and sends the browser ``spec`` (e.g. a toast)."""
    return StateUpdate(events=Event.from_event_type(spec))


def current_client_token() -> str | None:
    """The client token (browser tab) of the event being handled, if any."""
    try:
        return EventContext.get().token
    except LookupError:
        return None


def guard_event_receiver(check: Callable[[str, Any], tuple[Any, EventSpec | None]]) -> None:
    """Have every message the event socket receives pass ``check(sid, data)`` first. It answers the data to hand on
    to Reflex (None: drop the message) and an event to send that socket instead (a toast), if any."""
    receive = EventNamespace.on_event
    if getattr(receive, "lantong_guarded", False):
        return

    async def on_event(namespace: EventNamespace, sid: str, data: Any) -> None:
        checked, answer = check(sid, data)
        if answer is not None:
            await namespace.emit(EVENT_MESSAGE, answer_with(answer), to=sid)
        if checked is not None:
            await receive(namespace, sid, checked)

    on_event.lantong_guarded = True
    EventNamespace.on_event = on_event
