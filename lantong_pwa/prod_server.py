"""The production build (``reflex run --env prod``) as a child process on a free port, for the browser tests and
the Lighthouse benchmark: the environment it needs, demo data in a fresh data directory, waiting until it answers,
and stopping its whole process group.

The server runs in its own process group (``start_new_session=True``); ``stop`` kills the group and waits until
nothing of it is left, so no builder or worker outlives the caller.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import httpx

from lantong_pwa.reflex_internals import REFLEX_TOOL_ENV

REPO = Path(__file__).parents[1]
STARTUP_TIMEOUT = 240  # seconds; a cold production build takes up to a minute


class ServerError(RuntimeError):
    """The server could not be prepared, did not start, or did not stop."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(no log: {error})"


def tool_path() -> str:
    """PATH with the checkout's .venv and bun (``.tools``) first."""
    return os.pathsep.join([str(REPO / ".venv" / "bin"), str(REPO / ".tools" / "node_modules" / ".bin"),
                            os.environ.get("PATH", "")])


def missing_tools() -> list[Path]:
    """The tools ``.ci/setup`` installs that are not there yet."""
    tools = (REPO / ".venv" / "bin" / "reflex", REPO / ".tools" / "node_modules" / ".bin" / "bun")
    return [tool for tool in tools if not tool.exists()]


def reflex_env() -> dict[str, str]:
    """The environment any ``reflex`` command needs here (bun from npm, no telemetry), without Lantong settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTONG_")}
    env.update(REFLEX_TOOL_ENV, PATH=tool_path(), PYTHONUNBUFFERED="1")
    return env


def lantong_env(data_dir: Path, port: int) -> dict[str, str]:
    """The app's environment: its own data directory, served on ``port``."""
    return reflex_env() | {
        "LANTONG_DATA_DIR": str(data_dir),
        "LANTONG_PORT": str(port),
        "LANTONG_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }


def python() -> str:
    venv_python = REPO / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else "python"


def prepare_demo_data(env: dict[str, str]) -> None:
    """Migrate the database named by ``env`` and load the demo data."""
    for command in ("migrate", "seed-demo"):
        done = subprocess.run([python(), "-m", "lantong_pwa", command], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            raise ServerError(f"`python -m lantong_pwa {command}` failed ({done.returncode}):\n"
                              f"{done.stdout}\n{done.stderr}")


def start(app_dir: Path, port: int, env: dict[str, str], log: IO[bytes]) -> subprocess.Popen:
    """Build and serve the Reflex app in ``app_dir`` (frontend and backend on ``port``) in a new process group."""
    return subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "reflex"), "run", "--env", "prod", "--frontend-port", str(port),
         "--backend-port", str(port), "--loglevel", "warning"],
        cwd=app_dir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def wait_ready(process: subprocess.Popen, url: str, log_path: Path, paths: Iterable[str] = ("/",),
               timeout: float = STARTUP_TIMEOUT) -> None:
    """Wait until every one of ``paths`` answers 200; raise ``ServerError`` with the log's tail otherwise."""
    paths = list(paths)
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5) as client:
        while True:
            if process.poll() is not None:
                raise ServerError(f"reflex exited early with code {process.returncode}; log tail:\n{tail(log_path)}")
            try:
                if all(client.get(f"{url}{path}").status_code == 200 for path in paths):
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise ServerError(f"reflex did not answer on {url} within {timeout:.0f}s; log tail:\n{tail(log_path)}")
            time.sleep(0.5)


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


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group, then SIGKILL whatever is left, and wait until the group is gone."""
    pgid = process.pid  # start_new_session=True: the leader's pid is the group id
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if not _group_members(pgid):
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
            if not _group_members(pgid):
                break
            time.sleep(0.1)
    if process.poll() is None:
        raise ServerError("the reflex server did not exit")
    left = _group_members(pgid)
    if left:
        raise ServerError(f"processes of the reflex server's group {pgid} are still running: {left}")
