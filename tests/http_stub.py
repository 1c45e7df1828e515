"""A real HTTP server on 127.0.0.1 for gateway tests: records every request and answers with scripted statuses."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from lantong_pwa.notifications.config import SMS_FIELD_NAMES, NotifyConfig, SmsConfig, WebhookConfig
from models import Channel


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = field(default=None)


class StubServer:
    """``statuses``: the answer to each request in turn (then 200); ``delay``: seconds before every answer;
    ``hang``: seconds before the answers listed in ``hang_on`` (request numbers, from 1) — longer than a timeout;
    ``headers``: added to every failure answer (e.g. ``Retry-After``)."""

    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0, hang: float = 0.0,
                 hang_on: tuple[int, ...] = (), headers: dict[str, str] | None = None):
        self.statuses = list(statuses or [])
        self.headers = dict(headers or {})  # sent with every non-2xx answer
        self.delay = delay
        self.hang = hang
        self.hang_on = hang_on
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server hook name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with stub._lock:
                    stub.requests.append(Received(self.path, dict(self.headers), body, json.loads(body or b"null")))
                    number = len(stub.requests)
                    status = stub.statuses.pop(0) if stub.statuses else 200
                time.sleep(stub.hang if number in stub.hang_on else stub.delay)
                answer = json.dumps({"code": "OK" if status < 300 else "ERROR"}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    for name, value in (stub.headers.items() if status >= 300 else ()):
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StubServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def config(self, channel: Channel, **overrides) -> NotifyConfig:
        """A gateway configuration sending on ``channel`` to this server."""
        base = NotifyConfig(
            channel=channel,
            timeout=2.0,
            sms=SmsConfig(url=f"{self.url}/sms", account="lantong", key="s3cret",
                          fields={name: name for name in SMS_FIELD_NAMES}),
            webhook=WebhookConfig(url=f"{self.url}/hook"),
        )
        return replace(base, **overrides)
