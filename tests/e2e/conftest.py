"""End-to-end fixtures: the production build (``reflex run --env prod``) on a free port with its own SQLite data
directory and the demo data, and Debian's Chromium driven by Playwright at tablet and phone sizes.

The server is started once per test session in its own process group and the whole group is killed afterwards.
A failing test leaves screenshots of every open page and the server log under the session's temporary directory.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
import sqlite3
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest

from lantong_pwa import prod_server
from lantong_pwa.chromium import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:  # Playwright and the app's modules are imported where they are used
    from playwright.sync_api import Page
    from sqlmodel import Session

REPO = prod_server.REPO
DEMO_PASSWORD = "lantong123"

TABLET = {"viewport": {"width": 1024, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
SIZES = {"tablet": TABLET, "phone": PHONE}


T = TypeVar("T")


def run_async(coroutine: Coroutine[object, object, T]) -> T:
    """Run ``coroutine`` to the end in a thread of its own: once a browser test has started Playwright, this thread
    has a running event loop, and ``asyncio.run`` refuses to start another here. The thread gets this one's context:
    Reflex registers the State classes simulated phones import in a context variable."""
    with ThreadPoolExecutor(max_workers=1) as own_thread:
        return own_thread.submit(contextvars.copy_context().run, asyncio.run, coroutine).result()


@dataclass(frozen=True)
class Server:
    url: str
    port: int
    data_dir: Path
    log: Path
    artifacts: Path

    @property
    def db_path(self) -> Path:
        return self.data_dir / "lantong.db"

    def db(self) -> sqlite3.Connection:
        """A read connection to the app's SQLite file (the app writes with WAL, so reads never block it)."""
        connection = sqlite3.connect(self.db_path, timeout=30)
        connection.row_factory = sqlite3.Row
        return connection

    def scalar(self, sql: str, *params):
        with self.db() as connection:
            row = connection.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @contextmanager
    def orm(self) -> Iterator[Session]:
        """An ORM session on the app's SQLite file, for setting up data through the services: one unit of work,
        committed when the block ends (services only flush)."""
        from sqlmodel import Session

        from lantong_pwa.db import make_engine

        engine = make_engine(f"sqlite:///{self.db_path}")
        try:
            with Session(engine, expire_on_commit=False) as session:
                yield session
                session.commit()
        finally:
            engine.dispose()


# ---------------------------------------------------------------------------------------------------------------
# page helpers, shared by the test modules (``from tests.e2e.conftest import sign_in, wait_hydrated``)


def wait_hydrated(page: Page, selector: str) -> None:
    """Wait until React owns ``selector``: before hydration a click does nothing and a form submits natively."""
    page.wait_for_function(
        "sel => { const el = document.querySelector(sel);"
        " return !!el && Object.keys(el).some(k => k.startsWith('__reactProps')); }",
        arg=selector,
    )


def sign_in(page: Page, username: str, *, navigate: bool = True, password: str = DEMO_PASSWORD) -> None:
    """Sign in on the login page (opening ``/login`` first unless the page is already there)."""
    from playwright.sync_api import expect

    if navigate:
        page.goto("/login")
    expect(page).to_have_url(re.compile(r"/login"))
    wait_hydrated(page, "#username")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def server(e2e_dir) -> Iterator[Server]:
    """The production build on a free port, over a fresh SQLite database with the demo data."""
    for tool in prod_server.missing_tools():
        pytest.fail(f"{tool} is missing: run `bash .ci/test` (it sources .ci/setup) to install it")
    data_dir = e2e_dir / "data"
    port = prod_server.free_port()
    env = prod_server.lantong_env(data_dir, port)
    log_path = e2e_dir / "reflex.log"
    url = f"http://127.0.0.1:{port}"
    try:
        prod_server.prepare_demo_data(env)
    except prod_server.ServerError as error:
        pytest.fail(str(error))
    with log_path.open("wb") as log:
        process = prod_server.start(REPO, port, env, log)
        try:
            prod_server.wait_ready(process, url, log_path, paths=("/api/health", "/"))
        except prod_server.ServerError as error:
            prod_server.stop(process)
            pytest.fail(str(error))
        try:
            yield Server(url=url, port=port, data_dir=data_dir, log=log_path, artifacts=e2e_dir)
        finally:
            prod_server.stop(process)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests use Debian's Chromium; `bash .ci/test` installs it "
                    "(apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def context_factory(browser, server) -> Callable:
    """Make a fresh browser context (no cookies) at ``"tablet"`` or ``"phone"`` size, aimed at the server."""

    def make(size: str = "tablet"):
        context = browser.new_context(base_url=server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      **SIZES[size])
        context.set_default_timeout(15_000)
        return context

    return make


@pytest.fixture
def new_context(context_factory, request, e2e_dir) -> Iterator[Callable]:
    """Like ``context_factory``, closing the contexts after the test (after their screenshots, if it failed)."""
    contexts = []

    def make(size: str = "tablet"):
        contexts.append(context_factory(size))
        return contexts[-1]

    yield make
    if _failed(request):
        _screenshots(request, e2e_dir, contexts, "test")
    for context in contexts:
        context.close()


def _failed(request) -> bool:
    return any(getattr(getattr(request.node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))


def _screenshots(request, e2e_dir: Path, contexts, tag: str) -> None:
    """Save a full-page screenshot of every page of ``contexts`` and say where they and the server log are."""
    shots = []
    for c, context in enumerate(contexts):
        for p, page in enumerate(context.pages):
            path = e2e_dir / f"{request.node.name}-{tag}{c}-{p}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
                shots.append(f"{path} ({page.url})")
            except Exception as error:  # noqa: BLE001 - a screenshot must not hide the real failure
                shots.append(f"{path}: screenshot failed: {error}")
    if shots:
        print("\nscreenshots:\n  " + "\n  ".join(shots) + f"\nserver log: {e2e_dir / 'reflex.log'}")


@pytest.fixture(autouse=True)
def _screenshots_on_failure(request, e2e_dir):
    """On failure, save a screenshot of every page still open (of any context) and point at the server log; the
    contexts of ``new_context`` are shot before it closes them."""
    yield
    if not _failed(request) or "browser" not in request.fixturenames:
        return
    _screenshots(request, e2e_dir, request.getfixturevalue("browser").contexts, "open")
