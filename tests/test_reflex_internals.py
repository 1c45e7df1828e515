"""Each touchpoint on Reflex's internals (``lantong_pwa/reflex_internals.py``) against the installed Reflex.

After a Reflex upgrade, a failure here names what moved or changed shape; adapt it in ``reflex_internals`` (and the
module that uses it). Each assertion's message names the Reflex target.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import json
import re
from pathlib import Path

import pytest
import reflex as rx

REPO = Path(__file__).parents[1]
INTERNALS = REPO / "lantong_pwa" / "reflex_internals.py"


def _imported_reflex_names() -> list[tuple[str, str]]:
    """(module, name) of every ``from reflex… import name`` in reflex_internals.py."""
    tree = ast.parse(INTERNALS.read_text(encoding="utf-8"))
    return [(node.module, alias.name) for node in tree.body if isinstance(node, ast.ImportFrom)
            and node.module and node.module.split(".")[0] in ("reflex", "reflex_base") for alias in node.names]


def test_reflex_internals_is_the_only_module_that_imports_reflexs_internals():
    """Everything else uses ``import reflex as rx`` only (the test of this file aside)."""
    sources = [path for folder in ("lantong_pwa", "state", "pages", "tests", "benchmarks")
               for path in (REPO / folder).rglob("*.py")] + [REPO / "rxconfig.py"]
    private = re.compile(r"^\s*(from (reflex|reflex_base|reflex_components_\w+)[.\s]|import reflex[._])", re.MULTILINE)
    offenders = [str(path.relative_to(REPO)) for path in sources
                 if path not in (INTERNALS, Path(__file__)) and private.search(path.read_text(encoding="utf-8"))]
    assert offenders == [], "import these from lantong_pwa.reflex_internals instead"


@pytest.mark.parametrize("module,name", _imported_reflex_names(), ids=lambda value: value)
def test_every_reflex_name_the_module_imports_is_still_there(module, name):
    assert hasattr(importlib.import_module(module), name), f"{module}.{name} is gone from the installed Reflex"


# --- the build's files -------------------------------------------------------------------------------------------


def test_the_web_directory_follows_reflex_web_workdir_and_the_routes_manifest_is_read_from_it(tmp_path, monkeypatch):
    from lantong_pwa import reflex_internals

    monkeypatch.setenv("REFLEX_WEB_WORKDIR", str(tmp_path))
    assert reflex_internals.site_dir() == (tmp_path / "build" / "client").resolve(), \
        "reflex_base.constants.Dirs.STATIC: the production build no longer writes the site to build/client"
    assert reflex_internals.route_matcher()("v/abc") is None, "no routes manifest: every address is unknown"
    (tmp_path / "routes.json").write_text(json.dumps(["index", "v/[token]"]))
    assert reflex_internals.route_matcher()("v/abc") == "v/[token]", \
        "reflex.utils.exec.get_routes_manifest_router no longer reads <web dir>/routes.json into a route matcher"


# --- generated files the build plugins edit ----------------------------------------------------------------------


def test_react_router_config_is_written_as_one_json_object_that_a_build_prerenders():
    from lantong_pwa import reflex_internals

    built = reflex_internals.generated_react_router_config(prerender=True)
    development = reflex_internals.generated_react_router_config(prerender=False)
    assert built.startswith("export default {") and built.endswith("};"), \
        f"reflex.utils.frontend_skeleton._update_react_router_config writes another shape: {built[:80]}"
    assert reflex_internals.read_react_router_config(built)["prerender"] is True, \
        "reflex.utils.frontend_skeleton._update_react_router_config: a build no longer sets prerender: true"
    assert "prerender" not in reflex_internals.read_react_router_config(development)
    assert reflex_internals.REACT_ROUTER_CONFIG_FILE == "react-router.config.js", \
        "reflex_base.constants.ReactRouter.CONFIG_FILE"


def test_the_first_paint_plugin_prerenders_each_route_with_a_parameter_in_reflexs_own_config():
    from lantong_pwa import reflex_internals
    from lantong_pwa.first_paint import prerender_dynamic_routes

    built = reflex_internals.generated_react_router_config(prerender=True)
    assert '"/v/_"' in prerender_dynamic_routes(built, ["login", "v/[token]"])


def test_vite_config_opens_its_code_splitting_groups_on_the_anchor_line_once():
    from lantong_pwa import reflex_internals

    config = reflex_internals.generated_vite_config()
    assert config.count(reflex_internals.VITE_GROUPS_ANCHOR) == 1, \
        "reflex.utils.frontend_skeleton._compile_vite_config: the `groups: [` line of the code-splitting groups moved"
    assert reflex_internals.VITE_CONFIG_FILE == "vite.config.js", "reflex_base.constants.ReactRouter.VITE_CONFIG_FILE"


# --- what the plugins' hooks are handed --------------------------------------------------------------------------


@pytest.mark.parametrize("hook,keys,caller,call", [
    ("pre_compile", ("add_modify_task", "unevaluated_pages"), "reflex.compiler.compiler", "plugin.pre_compile("),
    ("post_build", ("static_dir",), "reflex.utils.build", "plugin.post_build(static_dir="),
])
def test_plugin_hooks_are_called_with_what_our_plugins_read(hook, keys, caller, call):
    from reflex_base.plugins import base

    assert callable(getattr(rx.plugins.Plugin, hook, None)), f"reflex_base.plugins.Plugin.{hook} is gone"
    context = {"pre_compile": base.PreCompileContext, "post_build": base.PostBuildContext}[hook]
    missing = [key for key in keys if key not in context.__annotations__]
    assert missing == [], f"reflex_base.plugins.base.{context.__name__} no longer has {missing}"
    source = inspect.getsource(importlib.import_module(caller))
    assert call in source, f"{caller} no longer calls {call}…)"
    for key in keys:
        assert f"{key}=" in source, f"{caller} no longer passes {key}= to {hook}"


def test_each_unevaluated_page_knows_its_route():
    from reflex.app import UnevaluatedPage

    assert "route" in {field.name for field in dataclasses.fields(UnevaluatedPage)}, "reflex.app.UnevaluatedPage.route"


def test_our_radix_plugin_overrides_reflexs_hooks_for_the_package_reflex_installs():
    from lantong_pwa import reflex_internals
    from lantong_pwa.radix_theme import PACKAGE, LeanRadixThemesPlugin

    reflexs = reflex_internals.RadixThemesPlugin()
    for hook in reflex_internals.RADIX_THEMES_PLUGIN_HOOKS:
        assert callable(getattr(reflexs, hook, None)), f"reflex_components_radix.plugin.RadixThemesPlugin.{hook}"
        assert hook in vars(LeanRadixThemesPlugin), f"LeanRadixThemesPlugin no longer overrides {hook}"
    assert all(path.startswith(f"{PACKAGE}/") for path in reflexs.get_stylesheet_paths()), \
        "RadixThemesPlugin.get_stylesheet_paths names another package's stylesheet"
    assert [dependency.rsplit("@", 1)[0] for dependency in reflexs.get_frontend_dependencies()] == [PACKAGE], \
        "RadixThemesPlugin.get_frontend_dependencies installs another package"


# --- the app's frame ---------------------------------------------------------------------------------------------


def test_the_overlay_app_wrap_is_reflexs_connection_toaster():
    from lantong_pwa import reflex_internals

    app_wraps = next(field for field in dataclasses.fields(rx.App) if field.name == "app_wraps")
    assert reflex_internals.OVERLAY_APP_WRAP in app_wraps.default_factory(), \
        f"reflex.app.App.app_wraps has no {reflex_internals.OVERLAY_APP_WRAP}: the banner would not replace the toast"


def test_connection_errors_are_reflexs_connect_errors():
    from lantong_pwa import reflex_internals

    assert isinstance(reflex_internals.has_connection_errors, rx.Var)
    assert "connectErrors" in str(reflex_internals.has_connection_errors), \
        "reflex.components.core.banner.has_connection_errors no longer reads connectErrors"


def test_our_components_triggers_take_a_passthrough_spec():
    from lantong_pwa import reflex_internals

    assert callable(reflex_internals.passthrough_event_spec(dict)), "reflex_base.event.passthrough_event_spec"


def test_the_event_socket_path_is_where_reflex_mounts_it():
    from lantong_pwa import reflex_internals

    assert reflex_internals.EVENT_SOCKET_PATH == "/_event", "reflex_base.constants.Endpoint.EVENT moved"


def test_the_event_socket_speaks_the_wire_format_the_simulated_phones_use():
    """The namespace the backend listens in, an event's fields, and the hydrated mark's one-field answer."""
    from reflex.app import EventNamespace
    from reflex.state import State
    from reflex_base.config import get_config
    from reflex_base.event import Event

    from lantong_pwa import reflex_internals

    assert reflex_internals.EVENT_NAMESPACE == get_config().get_event_namespace(), "Config.get_event_namespace"
    assert "on_event" in vars(EventNamespace), "reflex.app.EventNamespace.on_event (the 'event' message)"
    message = reflex_internals.hydrated_mark("/orders")
    event = Event(**message)  # EventNamespace.on_event builds each event from these fields
    assert event.name.rsplit(".", 1) == [State.get_full_name(), "set_is_hydrated"], "State.set_is_hydrated"
    assert "set_is_hydrated" in State.event_handlers, "State.set_is_hydrated"
    state = State()
    state.is_hydrated = True
    assert {name: {k: v for k, v in fields.items() if k == "is_hydrated_rx_state_"}
            for name, fields in state.get_delta().items() if name == State.get_full_name()} \
        == reflex_internals.HYDRATED_DELTA, "the delta's field naming (<var>_rx_state_)"


def test_the_tools_environment_names_variables_reflex_reads_and_ci_setup_exports_the_same():
    from reflex_base.environment import EnvironmentVariables

    from lantong_pwa import reflex_internals

    config_fields = {f"REFLEX_{field.name.upper()}" for field in dataclasses.fields(rx.Config)}
    for name in reflex_internals.REFLEX_TOOL_ENV:
        assert hasattr(EnvironmentVariables, name) or name in config_fields, \
            f"{name}: neither reflex_base.environment.EnvironmentVariables nor an rx.Config field"
    setup = (REPO / ".ci" / "setup").read_text(encoding="utf-8")
    for name, value in reflex_internals.REFLEX_TOOL_ENV.items():
        assert f"export {name}={value}\n" in setup, f".ci/setup should export {name}={value}"


# --- for the State tests -----------------------------------------------------------------------------------------


def test_router_data_carries_the_address_and_route_arguments():
    from lantong_pwa import reflex_internals

    router = reflex_internals.router_data(pathname="/v/[token]", as_path="/v/abc?tab=photos",
                                          query={"token": "abc", "tab": "photos"}, headers={"origin": "http://t"})
    assert router.url.path == "/v/abc", "reflex.istate.data.RouterData.url from asPath"
    assert router.url.query_parameters.get("tab") == "photos"
    assert router.page.params.get("token") == "abc", "reflex.istate.data.RouterData.page.params from query"


def test_a_states_place_in_the_tree_is_its_full_name():
    from lantong_pwa import reflex_internals
    from state.platform.session import SessionState

    assert isinstance(reflex_internals.substate(rx.State(), SessionState), SessionState)


@pytest.mark.parametrize("name,event,arguments", [
    ("redirect", lambda: rx.redirect("/tasks"), {"path": "/tasks"}),
    ("call_script", lambda: rx.call_script("go()"), {"javascript_code": "go()"}),
    ("remove_cookie", lambda: rx.remove_cookie("lantong_session"), {"key": "lantong_session"}),
    ("call_function", lambda: rx.toast.error("出错了"), {}),
], ids=lambda value: value if isinstance(value, str) else "")
def test_events_are_recognised_by_their_handler_and_read_by_argument_name(name, event, arguments):
    from lantong_pwa import reflex_internals

    spec = event()
    assert reflex_internals.event_name(spec) == reflex_internals.EVENT_HANDLERS[name], \
        f"rx.{name}(…) is now handled by {reflex_internals.event_name(spec)}"
    if arguments:  # a toast's one argument is a JavaScript function, not a value
        read = reflex_internals.event_arguments(spec)
        assert {key: read.get(key) for key in arguments} == arguments, f"the arguments of rx.{name}(…): {read}"


def test_a_toast_is_recognised_by_its_kind_and_carries_its_message():
    from lantong_pwa import reflex_internals

    spec = rx.toast.error("出错了")
    assert reflex_internals.is_toast_of_kind(spec, "error"), "rx.toast.error(…) no longer calls refs['__toast'].error"
    assert not reflex_internals.is_toast_of_kind(spec, "success")
    assert "出错了" in repr(spec.args)


# --- where the browsers' state lives ------------------------------------------------------------------------------


def test_the_production_backend_reads_its_worker_count_from_the_variable_we_set():
    from reflex.utils import exec as reflex_exec

    from lantong_pwa import reflex_internals

    source = inspect.getsource(reflex_exec.run_granian_backend_prod)
    assert f'os.getenv("{reflex_internals.BACKEND_WORKERS_ENV}"' in source, \
        "reflex.utils.exec.run_granian_backend_prod no longer takes its worker count from GRANIAN_WORKERS"


def test_the_page_keeps_its_client_token_in_session_storage_under_the_key_we_remove():
    import reflex_base

    from lantong_pwa import reflex_internals

    state_js = Path(reflex_base.__file__).parent / ".templates" / "web" / "utils" / "state.js"
    assert f'const TOKEN_KEY = "{reflex_internals.CLIENT_TOKEN_STORAGE_KEY}";' in state_js.read_text(), \
        "reflex_base/.templates/web/utils/state.js: TOKEN_KEY (the client token's sessionStorage key) changed"


def test_a_backend_only_production_process_serves_the_built_site(tmp_path, monkeypatch):
    from reflex_base.environment import environment
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from lantong_pwa import reflex_internals

    monkeypatch.setenv("REFLEX_WEB_WORKDIR", str(tmp_path))
    site = reflex_internals.site_dir()
    (site / "login").mkdir(parents=True)
    (site / "index.html").write_text("home")
    (site / "login" / "index.html").write_text("sign in")
    monkeypatch.setenv("REFLEX_ENV_MODE", "prod")
    mounted_by_reflex = environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.name
    monkeypatch.setenv(mounted_by_reflex, "false")
    app = reflex_internals.serve_built_site(Starlette())
    assert TestClient(app).get("/login/").text == "sign in", \
        "reflex.utils.exec.get_frontend_mount no longer serves the built site (or is_prod_mode reads another variable)"
    monkeypatch.setenv(mounted_by_reflex, "true")
    assert reflex_internals.serve_built_site(Starlette()).routes == [], "Reflex mounted it already: not twice"


# --- the websocket's connect (web_session: each tab's state bound to its session) --------------------------------


def test_a_connection_names_its_state_by_the_token_in_its_address_and_we_rename_it_first(monkeypatch):
    from reflex.app import EventNamespace

    from lantong_pwa import reflex_internals

    source = inspect.getsource(getattr(EventNamespace.on_connect, "__wrapped__", EventNamespace.on_connect))
    assert list(inspect.signature(EventNamespace.on_connect).parameters) == ["self", "sid", "environ", "auth"], \
        "reflex.app.EventNamespace.on_connect(sid, environ, auth) changed its arguments"
    assert 'environ.get("QUERY_STRING"' in source and 'query_params.get("token"' in source, \
        "reflex.app.EventNamespace.on_connect no longer reads the client token from ?token= of the socket's address"
    seen = []

    async def recorder(self, sid, environ, auth=None):
        seen.append(environ["QUERY_STRING"])

    monkeypatch.setattr(EventNamespace, "on_connect", recorder)
    reflex_internals.rename_client_token_on_connect(lambda token, headers: f"{token}.{headers.get('cookie')}")
    environ = {"QUERY_STRING": "token=abc&x=1", "asgi.scope": {"headers": [(b"cookie", b"a=1"), (b"cookie", b"b=2")]}}
    import asyncio

    asyncio.run(EventNamespace.on_connect(None, "sid", environ))
    assert seen == ["token=abc.a%3D1%3B+b%3D2&x=1"], "the state is named by the renamed token (cookies joined)"
    assert environ["QUERY_STRING"] == "token=abc&x=1", "the socket's own record of its address is left alone"


def test_the_state_reads_the_handshakes_cookie_and_never_sends_it_to_the_browser():
    from reflex_base.utils.format import json_dumps

    from lantong_pwa.reflex_internals import router_data

    router = router_data(pathname="/", as_path="/", query={}, headers={"cookie": "lantong_session=secret-token"})
    assert router.headers.cookie == "lantong_session=secret-token", \
        "reflex.istate.data.HeaderData no longer carries the handshake's Cookie header to the state"
    state = rx.State(_reflex_internal_init=True)
    state.router = router
    sent = json_dumps(state.dict())  # as a state update is written to the websocket
    assert "lantong_session" in json.dumps(state.dict(), default=str), "the test's cookie is in the state"
    assert "secret-token" not in sent, "Reflex now sends the Cookie header to the browser with the router data"


def test_the_event_guard_touchpoints_have_the_shape_it_uses():
    from lantong_pwa import reflex_internals as ri
    import lantong_pwa.lantong_pwa  # noqa: F401 - registers the handlers
    from state.workshop.vehicles import VehicleSearchState

    name = f"{VehicleSearchState.get_full_name()}.search"
    assert ri.handler_function(name) is VehicleSearchState.search.fn, "RegistrationContext.get().event_handlers[name]"
    assert ri.handler_function("state.nowhere.handler") is None
    assert list(inspect.signature(ri.Middleware.preprocess).parameters) == ["self", "app", "state", "event"], \
        "reflex.middleware.Middleware.preprocess(app, state, event)"
    assert list(inspect.signature(ri.EventNamespace.on_event).parameters) == ["namespace", "sid", "data"] or \
        list(inspect.signature(ri.EventNamespace.on_event).parameters) == ["self", "sid", "data"], \
        "reflex.app.EventNamespace.on_event(sid, data)"
    assert getattr(ri.EventNamespace.on_event, "lantong_guarded", False), "the app guards the event receiver"
    update = ri.answer_with(rx.toast.error("请求格式不正确"))
    assert [event.name for event in update.events] == [ri.EVENT_HANDLERS["call_function"]], "StateUpdate(events=…)"
    assert ri.current_client_token() is None, "EventContext.get() outside an event raises LookupError"
    event = ri.Event(name=name, payload={"form": {}})
    assert (ri.event_name_of(event), ri.event_payload_of(event)) == (name, {"form": {}})
