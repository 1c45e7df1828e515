"""End-to-end fixtures: the production build (``reflex run --env prod``) on a free port with its own SQLite data
directory and the demo data, and Debian's Chromium driven by Playwright at tablet and phone sizes.

The server is started once per test session in its own process group and the whole group is killed afterwards.
A failing test leaves screenshots of every open page and the server log under the session's temporary directory.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:  # Playwright and the app's modules are imported where they are used
    from playwright.sync_api import Page
    from sqlmodel import Session

REPO = Path(__file__).parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 240  # seconds; a cold production build takes up to a minute
DEMO_PASSWORD = "lantong123"

TABLET = {"viewport": {"width": 1024, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
SIZES = {"tablet": TABLET, "phone": PHONE}


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
        """An ORM session on the app's SQLite file, for setting up data through the services (commit yourself)."""
        from sqlmodel import Session

        from lantong_pwa.db import make_engine

        engine = make_engine(f"sqlite:///{self.db_path}")
        try:
            with Session(engine, expire_on_commit=False) as session:
                yield session
        finally:
            engine.dispose()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(no log: {error})"


def _group_members(pgid: int) -> list[str]:
    """Live (non-zombie) processes of a process group, as "pid command" lines."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel whether anything of the group is left
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        return [f"group {pgid}"]
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid or fields[0] == "Z":  # zombies hold nothing and wait for their reaper
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, IndexError, ValueError):
            continue
        members.append(f"{entry.name} {command}")
    return members


def _group_alive(pgid: int) -> bool:
    return bool(_group_members(pgid))


def _kill_group(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group, then SIGKILL whatever is left, and wait until the group is gone."""
    pgid = process.pid  # start_new_session=True: the leader's pid is the group id
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if not _group_alive(pgid):
            break
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if process.poll() is None:
                try:
                    process.wait(timeout=0.2)
                except subprocess.TimeoutExpired:
                    pass
            if not _group_alive(pgid):
                break
            time.sleep(0.1)
    assert process.poll() is not None, "the reflex server did not exit"
    left = _group_members(pgid)
    assert not left, f"processes of the reflex server's group {pgid} are still running: {left}"


def _server_env(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTONG_")}
    env.update(
        LANTONG_DATA_DIR=str(data_dir),
        LANTONG_PORT=str(port),
        LANTONG_PUBLIC_URL=f"http://127.0.0.1:{port}",
        PATH=os.pathsep.join([str(REPO / ".venv" / "bin"), str(REPO / ".tools" / "node_modules" / ".bin"),
                              env.get("PATH", "")]),
        REFLEX_USE_SYSTEM_BUN="1",
        REFLEX_TELEMETRY_ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def _python() -> str:
    venv_python = REPO / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else "python"


# ---------------------------------------------------------------------------------------------------------------
# page helpers, shared by the test modules (``from tests.e2e.conftest import sign_in, wait_hydrated``)


def wait_hydrated(page: Page, selector: str) -> None:
    """Wait until React owns ``selector``: before hydration a click does nothing and a form submits natively."""
    page.wait_for_function(
        "sel => { const el = document.querySelector(sel);"
        " return !!el && Object.keys(el).some(k => k.startsWith('__reactProps')); }",
        arg=selector,
    )


def sign_in(page: Page, username: str, *, navigate: bool = True) -> None:
    """Sign in on the login page (opening ``/login`` first unless the page is already there)."""
    from playwright.sync_api import expect

    if navigate:
        page.goto("/login")
    expect(page).to_have_url(re.compile(r"/login"))
    wait_hydrated(page, "#username")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def server(e2e_dir) -> Iterator[Server]:
    """The production build on a free port, over a fresh SQLite database with the demo data."""
    for tool in (REPO / ".venv" / "bin" / "reflex", REPO / ".tools" / "node_modules" / ".bin" / "bun"):
        if not tool.exists():
            pytest.fail(f"{tool} is missing: run `bash .ci/test` (it sources .ci/setup) to install it")
    data_dir = e2e_dir / "data"
    port = _free_port()
    env = _server_env(data_dir, port)
    for command in ("migrate", "seed-demo"):
        done = subprocess.run([_python(), "-m", "lantong_pwa", command], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            pytest.fail(f"`python -m lantong_pwa {command}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    log_path = e2e_dir / "reflex.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "reflex"), "run", "--env", "prod", "--frontend-port", str(port),
         "--backend-port", str(port), "--loglevel", "warning"],
        cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        with httpx.Client(timeout=5) as client:
            while True:
                if process.poll() is not None:
                    pytest.fail(f"reflex exited early with code {process.returncode}; log tail:\n{_tail(log_path)}")
                try:
                    if (client.get(f"{url}/api/health").status_code == 200
                            and client.get(f"{url}/").status_code == 200):
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"reflex did not answer on {url} within {STARTUP_TIMEOUT}s; log tail:\n"
                                f"{_tail(log_path)}")
                time.sleep(0.5)
        yield Server(url=url, port=port, data_dir=data_dir, log=log_path, artifacts=e2e_dir)
    finally:
        _kill_group(process)
        log.close()


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
