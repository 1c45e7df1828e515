"""The production build (``reflex run --env prod``) as a child process on a free port, for the browser tests and
the Lighthouse benchmark: the environment it needs, demo data in a fresh data directory, waiting until it answers,
and stopping its whole process group.

The server runs in its own process group (``start_new_session=True``); ``stop`` kills the group and waits until
nothing of it is left, so no builder or worker outlives the caller.

A chain on one machine, as ``deploy/`` lays it out (the failover test and ``benchmarks/load.py --redis``)::

    cluster = start_cluster(work_dir, database_url="postgresql+psycopg://…/db", redis_url="redis://127.0.0.1:6379/5",
                            processes=2, workers=1)      # migrates and seeds, builds once, starts N processes + nginx
    try:
        cluster.url              # nginx: what phones open; cluster.app_url(i): process i directly
        cluster.env              # the processes' environment (LANTONG_DATABASE_URL, LANTONG_REDIS_URL, data dir…)
        cluster.stop_app(0)      # take one process away (nginx moves its phones to the others)
    finally:
        cluster.stop()           # nginx and every process, or ServerError naming what is left

The database must exist (PostgreSQL: an empty one of its own); Redis keys are the browsers' state, expiring on their
own (``LANTONG_STATE_EXPIRY``): give a run a Redis database number of its own to delete them all afterwards.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from lantong_pwa.reflex_internals import BACKEND_ONLY_ENV, REFLEX_TOOL_ENV, built_site_in
from lantong_pwa.security_headers import nginx_policy_map_file

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
    prepare_data(env, seed=True)


def prepare_data(env: dict[str, str], *, seed: bool) -> None:
    """Migrate the database named by ``env``, and load the demo data when ``seed``."""
    for command in ("migrate", "seed-demo") if seed else ("migrate",):
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


# --- a chain on one machine: several app processes behind nginx, one PostgreSQL, one Redis -----------------------

NGINX = Path("/usr/sbin/nginx")
NGINX_LOCATIONS = REPO / "deploy" / "nginx" / "lantong-locations.conf"
BROTLI_STATIC_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
CLUSTER_WEB_DIR = REPO / ".web-cluster"  # the chain's own build: it bakes in nginx's address, not a process's


@dataclass
class Cluster:
    """App processes on ``ports`` behind nginx at ``url``, sharing ``env`` (one database, one Redis, one photo
    directory). ``processes[i]`` serves ``ports[i]`` (None once stopped); nginx serves ``url``."""
    url: str
    ports: list[int]
    processes: list[subprocess.Popen | None]
    nginx: subprocess.Popen
    env: dict[str, str]
    work_dir: Path

    def app_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def stop_app(self, index: int) -> None:
        """Stop one app process (its whole process group), as a crash or a restart would take it away."""
        process, self.processes[index] = self.processes[index], None
        if process is not None:
            stop(process)

    def stop(self) -> None:
        """Stop nginx and every app process; raise ``ServerError`` if anything of them is left."""
        errors = []
        for process in [self.nginx, *self.processes]:
            if process is None:
                continue
            try:
                stop(process)
            except ServerError as error:
                errors.append(str(error))
        self.processes = [None] * len(self.processes)
        if errors:
            raise ServerError("; ".join(errors))


def cluster_env(work_dir: Path, *, public_url: str, database_url: str, redis_url: str, workers: int = 1,
                web_dir: Path = CLUSTER_WEB_DIR) -> dict[str, str]:
    """The environment every process of a chain shares: its data directory (photos, secret key) under
    ``work_dir``, PostgreSQL, Redis, the address phones reach (nginx) and the build's own web directory."""
    return reflex_env() | {
        "LANTONG_DATA_DIR": str(work_dir / "data"),
        "LANTONG_DATABASE_URL": database_url,
        "LANTONG_REDIS_URL": redis_url,
        "LANTONG_WORKERS": str(workers),
        "LANTONG_PUBLIC_URL": public_url,
        "REFLEX_WEB_WORKDIR": str(web_dir),
    }


def start_backend_only(port: int, env: dict[str, str], log: IO[bytes]) -> subprocess.Popen:
    """Serve an already built site and the backend on ``port`` (backend-only: no build of its own)."""
    return subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "reflex"), "run", "--env", "prod", "--backend-port", str(port),
         "--loglevel", "warning"],
        cwd=REPO, env=env | {"LANTONG_PORT": str(port), BACKEND_ONLY_ENV: "true"}, stdin=subprocess.DEVNULL,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def nginx_config(work_dir: Path, *, port: int, upstream_ports: Iterable[int], site_dir: Path) -> str:
    """A whole nginx configuration for one unprivileged run in ``work_dir``: the chain's upstream, the pages'
    policies the build wrote beside ``site_dir``, and a plain-HTTP server on ``port`` that includes the same locations
    as the deployed site (``deploy/nginx``)."""
    servers = "\n".join(f"        server 127.0.0.1:{each} max_fails=1 fail_timeout=30s;" for each in upstream_ports)
    temp = work_dir / "nginx-temp"
    return f"""{"user root;" if os.geteuid() == 0 else ""}
load_module {BROTLI_STATIC_MODULE};
daemon off;
worker_processes 1;
pid {work_dir / "nginx.pid"};
error_log {work_dir / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {work_dir / "nginx-access.log"};
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include {nginx_policy_map_file(site_dir)};
    upstream lantong_app {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        root {site_dir};
        include {NGINX_LOCATIONS};
    }}
}}
"""


def start_nginx(work_dir: Path, *, port: int, upstream_ports: Iterable[int], site_dir: Path) -> subprocess.Popen:
    """Debian's nginx in the foreground with its own configuration, logs and temp files under ``work_dir``."""
    if not NGINX.exists() or not BROTLI_STATIC_MODULE.exists():
        raise ServerError("nginx is missing: apt-get install nginx libnginx-mod-http-brotli-static "
                          "(`bash .ci/test` installs them)")
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work_dir / "nginx-temp" / name).mkdir(parents=True, exist_ok=True)
    config = work_dir / "nginx.conf"
    config.write_text(nginx_config(work_dir, port=port, upstream_ports=upstream_ports, site_dir=site_dir))
    checked = subprocess.run([str(NGINX), "-t", "-q", "-p", str(work_dir), "-c", str(config), "-e", "stderr"],
                             capture_output=True, text=True, timeout=30)
    if checked.returncode != 0:
        raise ServerError(f"nginx refused its configuration:\n{checked.stderr}")
    log = (work_dir / "nginx.out").open("wb")
    return subprocess.Popen([str(NGINX), "-p", str(work_dir), "-c", str(config), "-e", "stderr"], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def build_site(env: dict[str, str], log_path: Path, timeout: float = STARTUP_TIMEOUT) -> None:
    """The production build of the site alone (``reflex export --frontend-only``), into ``env``'s web directory,
    with ``env``'s public address baked in as where pages find the websocket."""
    with log_path.open("wb") as log:
        done = subprocess.run(
            [str(REPO / ".venv" / "bin" / "reflex"), "export", "--frontend-only", "--no-zip", "--env", "prod",
             "--loglevel", "warning"],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
    if done.returncode != 0:
        raise ServerError(f"the build failed ({done.returncode}); log tail:\n{tail(log_path)}")


def start_cluster(work_dir: Path, *, database_url: str, redis_url: str, processes: int = 2, workers: int = 1,
                  seed: bool = True, web_dir: Path = CLUSTER_WEB_DIR, timeout: float = STARTUP_TIMEOUT) -> Cluster:
    """A chain on this machine, laid out as ``deploy/`` lays it out: ``processes`` app processes (each with
    ``workers`` backend workers) on free ports behind nginx on another, all on ``database_url`` (PostgreSQL) and
    ``redis_url``, sharing one data directory (photos, secret key) under ``work_dir``.

    The database is migrated (and given the demo data when ``seed``); the site is built once into ``web_dir`` with
    nginx's address baked in; every process runs backend-only and serves that build too; nginx serves the built
    files itself and hands everything else to the processes, moving on to the next one when a process does not
    answer. Logs go to ``work_dir`` (``build.log``, ``app-<i>.log``, ``nginx-*.log``). The caller stops it all with
    ``Cluster.stop()``; on a failure to start, what was started is stopped and ``ServerError`` raised."""
    work_dir.mkdir(parents=True, exist_ok=True)
    nginx_port, ports = free_port(), [free_port() for _ in range(processes)]
    url = f"http://127.0.0.1:{nginx_port}"
    env = cluster_env(work_dir, public_url=url, database_url=database_url, redis_url=redis_url, workers=workers,
                      web_dir=web_dir)
    prepare_data(env, seed=seed)
    build_site(env, work_dir / "build.log", timeout=timeout)
    started: list[subprocess.Popen | None] = []
    nginx = None
    try:
        for index, port in enumerate(ports):
            with (work_dir / f"app-{index}.log").open("wb") as log:
                started.append(start_backend_only(port, env, log))
        for index, (process, port) in enumerate(zip(started, ports)):
            wait_ready(process, f"http://127.0.0.1:{port}", work_dir / f"app-{index}.log",
                       paths=("/api/health", "/login"), timeout=timeout)
        nginx = start_nginx(work_dir, port=nginx_port, upstream_ports=ports, site_dir=built_site_in(web_dir))
        wait_ready(nginx, url, work_dir / "nginx-error.log", paths=("/api/health", "/login"), timeout=60)
    except BaseException:
        for process in [nginx, *started]:
            if process is not None:
                stop(process)
        raise
    return Cluster(url=url, ports=ports, processes=started, nginx=nginx, env=env, work_dir=work_dir)
