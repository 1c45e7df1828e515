"""Gateway configuration, read from environment variables (like ``lantong_pwa/settings.py``).

``LANTONG_NOTIFY_CHANNEL``       ``log`` (default), ``sms`` or ``webhook``: the channel new messages go out on
``LANTONG_NOTIFY_QUIET_HOURS``   no SMS in this Asia/Shanghai window, ``HH:MM-HH:MM`` (default ``21:00-08:00``;
                                 ``off`` disables it)
``LANTONG_NOTIFY_TIMEOUT``       seconds per HTTP request (default 10)
``LANTONG_NOTIFY_MAX_ATTEMPTS``  tries before a message is given up as failed (default 5)
``LANTONG_NOTIFY_BACKOFF``       seconds before the first retry; each further retry waits twice as long (default 60)
``LANTONG_SMS_URL``              the SMS provider's endpoint (required for ``sms``)
``LANTONG_SMS_ACCOUNT`` / ``LANTONG_SMS_KEY``  the provider credentials
``LANTONG_SMS_AUTH``             how they are sent: ``headers`` (``X-Sms-Account`` / ``X-Sms-Key``, default),
                                 ``body`` (two more JSON fields) or ``bearer`` (``Authorization: Bearer <key>``)
``LANTONG_SMS_TEMPLATES``        JSON: message type -> the provider's template id, e.g. ``{"inspection": "SMS_1001"}``;
                                 when set it must name every message type
``LANTONG_SMS_FIELDS``           JSON: renames the request's JSON fields (``mobile``, ``template_id``, ``text``,
                                 ``params``, ``account``, ``key``), e.g. ``{"mobile": "phone", "text": "content"}``
``LANTONG_WEBHOOK_URL``          where the ``webhook`` channel POSTs each message as JSON (required for ``webhook``)
``LANTONG_WEBHOOK_SECRET``       optional: sign each POST with HMAC-SHA256 (``X-Lantong-Signature``)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from lantong_pwa.notifications.templates import MESSAGE_TYPES
from lantong_pwa.timezone import SHOP_TZ, to_local
from models import Channel

SMS_AUTH_MODES = ("headers", "body", "bearer")
SMS_FIELD_NAMES = ("mobile", "template_id", "text", "params", "account", "key")


class ConfigError(ValueError):
    """The notification settings in the environment are unusable; raised at start, never at send time."""


@dataclass(frozen=True)
class QuietHours:
    """A daily window (Asia/Shanghai wall clock) with no SMS; it may run past midnight. start == end: none."""

    start: time
    end: time

    def end_of(self, now: datetime) -> datetime | None:
        """When the quiet window that ``now`` falls in ends (UTC); ``None`` outside quiet hours."""
        if self.start == self.end:
            return None
        local = to_local(now)
        clock = local.time()
        if self.start < self.end:
            inside, ends_tomorrow = self.start <= clock < self.end, False
        else:
            inside, ends_tomorrow = clock >= self.start or clock < self.end, clock >= self.start
        if not inside:
            return None
        day = local.date() + timedelta(days=1 if ends_tomorrow else 0)
        return datetime.combine(day, self.end, tzinfo=SHOP_TZ).astimezone(UTC)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}" if self.start != self.end else "off"


@dataclass(frozen=True)
class SmsConfig:
    url: str
    account: str = ""
    key: str = ""
    auth: str = "headers"
    templates: Mapping[str, str] = field(default_factory=dict)  # message type -> provider template id
    fields: Mapping[str, str] = field(default_factory=dict)  # our field name -> the provider's


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret: str = ""


@dataclass(frozen=True)
class NotifyConfig:
    channel: Channel = Channel.LOG
    quiet_hours: QuietHours = QuietHours(time(21, 0), time(8, 0))
    timeout: float = 10.0
    max_attempts: int = 5
    backoff: float = 60.0
    sms: SmsConfig | None = None
    webhook: WebhookConfig | None = None

    def retry_delay(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failed try: backoff, 2×backoff, 4×backoff …"""
        return timedelta(seconds=self.backoff * 2 ** max(attempts - 1, 0))


def parse_quiet_hours(value: str) -> QuietHours:
    text = value.strip().lower()
    if text in ("off", "none", ""):
        return QuietHours(time(0, 0), time(0, 0))
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ConfigError(f"LANTONG_NOTIFY_QUIET_HOURS: expected HH:MM-HH:MM or off, got {value!r}") from None
    return QuietHours(start, end)


def _number(env: Mapping[str, str], name: str, default: float, *, integer: bool = False) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name}: must be greater than 0")
    return value


def _json_map(env: Mapping[str, str], name: str) -> dict[str, str]:
    raw = env.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{name}: not valid JSON ({error})") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
        raise ConfigError(f"{name}: expected a JSON object of non-empty strings")
    return {str(k): v for k, v in value.items()}


def _sms(env: Mapping[str, str]) -> SmsConfig | None:
    url = env.get("LANTONG_SMS_URL", "").strip()
    if not url:
        return None
    auth = env.get("LANTONG_SMS_AUTH", "headers").strip() or "headers"
    if auth not in SMS_AUTH_MODES:
        raise ConfigError(f"LANTONG_SMS_AUTH: one of {', '.join(SMS_AUTH_MODES)}, got {auth!r}")
    templates = _json_map(env, "LANTONG_SMS_TEMPLATES")
    if templates:
        unknown = sorted(set(templates) - set(MESSAGE_TYPES))
        missing = [kind for kind in MESSAGE_TYPES if kind not in templates]
        if unknown or missing:
            raise ConfigError(f"LANTONG_SMS_TEMPLATES: unknown types {unknown}, missing types {missing}")
    renames = _json_map(env, "LANTONG_SMS_FIELDS")
    unknown_fields = sorted(set(renames) - set(SMS_FIELD_NAMES))
    if unknown_fields:
        raise ConfigError(f"LANTONG_SMS_FIELDS: unknown fields {unknown_fields}; known: {', '.join(SMS_FIELD_NAMES)}")
    return SmsConfig(url=url, account=env.get("LANTONG_SMS_ACCOUNT", ""), key=env.get("LANTONG_SMS_KEY", ""),
                     auth=auth, templates=templates, fields={name: renames.get(name, name) for name in SMS_FIELD_NAMES})


def load_notify_config(env: Mapping[str, str] | None = None) -> NotifyConfig:
    """The gateway configuration from ``env`` (default: the process environment); ``ConfigError`` when unusable."""
    env = os.environ if env is None else env
    raw_channel = env.get("LANTONG_NOTIFY_CHANNEL", "log").strip().lower() or "log"
    try:
        channel = Channel(raw_channel)
    except ValueError:
        raise ConfigError(f"LANTONG_NOTIFY_CHANNEL: one of log, sms, webhook, got {raw_channel!r}") from None
    sms = _sms(env)
    webhook_url = env.get("LANTONG_WEBHOOK_URL", "").strip()
    webhook = WebhookConfig(webhook_url, env.get("LANTONG_WEBHOOK_SECRET", "")) if webhook_url else None
    if channel == Channel.SMS and sms is None:
        raise ConfigError("LANTONG_NOTIFY_CHANNEL=sms needs LANTONG_SMS_URL")
    if channel == Channel.WEBHOOK and webhook is None:
        raise ConfigError("LANTONG_NOTIFY_CHANNEL=webhook needs LANTONG_WEBHOOK_URL")
    return NotifyConfig(
        channel=channel,
        quiet_hours=parse_quiet_hours(env.get("LANTONG_NOTIFY_QUIET_HOURS", "21:00-08:00")),
        timeout=_number(env, "LANTONG_NOTIFY_TIMEOUT", 10.0),
        max_attempts=int(_number(env, "LANTONG_NOTIFY_MAX_ATTEMPTS", 5, integer=True)),
        backoff=_number(env, "LANTONG_NOTIFY_BACKOFF", 60.0),
        sms=sms,
        webhook=webhook,
    )


@lru_cache(maxsize=1)
def get_notify_config() -> NotifyConfig:
    """The process-wide configuration; tests that change the environment call ``get_notify_config.cache_clear()``."""
    return load_notify_config()
