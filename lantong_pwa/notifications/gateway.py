"""Hand one message to its channel over httpx and say how it went; no database, no rules about when to send."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from lantong_pwa.notifications.config import NotifyConfig
from models import Channel

log = logging.getLogger("lantong.notifications")

RETRYABLE_4XX = frozenset({408, 429})
SIGNATURE_HEADER = "X-Lantong-Signature"
TIMESTAMP_HEADER = "X-Lantong-Timestamp"


@dataclass(frozen=True)
class Message:
    """What a channel needs to deliver one notification."""

    notification_id: int
    channel: Channel
    message_type: str
    recipient: str  # the customer's mobile
    text: str
    fields: dict[str, str]
    customer_id: int | None


@dataclass(frozen=True)
class Outcome:
    ok: bool
    retryable: bool = False  # a failure worth another try (5xx, 408, 429, timeout, connection error)
    http_status: int | None = None
    error: str = ""
    duration_ms: int = 0
    retry_after: float | None = None  # seconds the server asked us to wait (Retry-After on 429 / 503)


class ChannelNotConfigured(RuntimeError):
    pass


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The webhook signature: ``sha256=`` + hex HMAC-SHA256 of ``<timestamp>.<raw body>`` under the shared secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _sms_request(config: NotifyConfig, message: Message) -> tuple[str, dict[str, str], dict[str, Any]]:
    sms = config.sms
    if sms is None:
        raise ChannelNotConfigured("短信通道未配置（LANTONG_SMS_URL）")
    names = sms.fields
    payload: dict[str, Any] = {names["mobile"]: message.recipient, names["text"]: message.text,
                               names["params"]: message.fields}
    if sms.templates:
        payload[names["template_id"]] = sms.templates[message.message_type]
    headers: dict[str, str] = {}
    if sms.auth == "headers":
        headers = {"X-Sms-Account": sms.account, "X-Sms-Key": sms.key}
    elif sms.auth == "bearer":
        headers = {"Authorization": f"Bearer {sms.key}"}
    else:
        payload[names["account"]] = sms.account
        payload[names["key"]] = sms.key
    return sms.url, headers, payload


def _webhook_request(config: NotifyConfig, message: Message) -> tuple[str, dict[str, str], dict[str, Any]]:
    if config.webhook is None:
        raise ChannelNotConfigured("Webhook 通道未配置（LANTONG_WEBHOOK_URL）")
    payload = {"id": message.notification_id, "type": message.message_type, "recipient": message.recipient,
               "text": message.text, "fields": message.fields, "customer_id": message.customer_id}
    return config.webhook.url, {}, payload


def _post(client: httpx.Client, config: NotifyConfig, message: Message,
          request: tuple[str, dict[str, str], dict[str, Any]]) -> Outcome:
    url, headers, payload = request
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {**headers, "Content-Type": "application/json; charset=utf-8"}
    if message.channel == Channel.WEBHOOK and config.webhook and config.webhook.secret:
        stamp = str(int(time.time()))
        headers[TIMESTAMP_HEADER] = stamp
        headers[SIGNATURE_HEADER] = sign(config.webhook.secret, stamp, body)
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        response = client.post(url, content=body, headers=headers, timeout=config.timeout)
    except httpx.TimeoutException:
        return Outcome(False, retryable=True, error=f"超时（{config.timeout:g}秒）", duration_ms=elapsed())
    except httpx.TransportError as error:
        return Outcome(False, retryable=True, error=f"连接失败：{type(error).__name__} {error}"[:300],
                       duration_ms=elapsed())
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(True, http_status=status, duration_ms=elapsed())
    retryable = status >= 500 or status in RETRYABLE_4XX
    detail = response.text.strip().replace("\n", " ")[:200]
    return Outcome(False, retryable=retryable, http_status=status,
                   error=f"HTTP {status}{'：' + detail if detail else ''}"[:300], duration_ms=elapsed(),
                   retry_after=_retry_after(response.headers.get("Retry-After", "")))


def _retry_after(value: str) -> float | None:
    """``Retry-After`` in seconds (the HTTP-date form is rare from APIs and is ignored)."""
    value = value.strip()
    return float(value) if value.isdigit() else None


def masked_mobile(recipient: str) -> str:
    """A mobile as the log may show it: the first three and the last four digits."""
    text = recipient or ""
    return text[:3] + "*" * max(0, len(text) - 7) + text[-4:] if len(text) > 7 else "*" * len(text)


def deliver(client: httpx.Client, config: NotifyConfig, message: Message) -> Outcome:
    """One try at delivering ``message`` on its channel."""
    if message.channel == Channel.LOG:
        # A customer's mobile never goes into the log whole (issue 14): 138****8000.
        log.info("notification %s (%s) to %s: %s", message.notification_id, message.message_type,
                 masked_mobile(message.recipient), message.text)
        return Outcome(True)
    try:
        request = _sms_request(config, message) if message.channel == Channel.SMS else _webhook_request(config, message)
    except ChannelNotConfigured as error:
        return Outcome(False, retryable=False, error=str(error))
    return _post(client, config, message, request)
