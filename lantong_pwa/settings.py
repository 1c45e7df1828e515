"""Settings read from environment variables, with defaults that work on a developer machine.

``LANTONG_DATA_DIR``      where the SQLite file, photos and the generated secret live (default ``./data``)
``LANTONG_DATABASE_URL``  SQLAlchemy URL (default: the SQLite file in the data directory)
``LANTONG_PUBLIC_URL``    the address phones reach the app on; QR vehicle cards encode it
``LANTONG_PORT``          the single port the production build serves on (default 3000)
``LANTONG_PHOTO_DIR``     where photos are stored (default ``<data dir>/photos``): with several app processes or
                          hosts, a directory every one of them mounts
``LANTONG_REDIS_URL``     ``redis://host:port/db``: Reflex keeps each browser's state in Redis, so several workers
                          and processes serve the same phones (default: none, one worker, state in its memory)
``LANTONG_STATE_EXPIRY``  seconds a browser's state is kept after its last event (default 3600), in Redis or memory
``LANTONG_WORKERS``       backend worker processes (default: one per core with Redis, else 1; Redis is needed for
                          more than one)
``LANTONG_TRUSTED_PROXIES`` addresses or networks of the reverse proxies in front (comma-separated, e.g.
                          ``127.0.0.1,::1`` for nginx on the same host): only a request from one of them has its client
                          address read from X-Forwarded-For (lantong_pwa/client_address.py); default none
``LANTONG_SESSION_IDLE_HOURS``  a sign-in ends after this many hours without use (default 12)
``LANTONG_SESSION_DAYS``        and this many days after it began, used or not (default 7)
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

SECRET_FILE_NAME = "secret.key"
# A browser's state outlives its last event by an hour: a phone put down mid-form finds it as it was when it comes
# back within the hour; after that it starts afresh (still signed in by its cookie, drafts kept in the browser).
DEFAULT_STATE_EXPIRY = 3600
DEFAULT_SESSION_IDLE_HOURS = 12
DEFAULT_SESSION_DAYS = 7


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    public_url: str
    port: int
    photo_dir: Path
    redis_url: str | None
    state_expiry_seconds: int
    workers: int
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(default=())
    session_idle: timedelta = timedelta(hours=DEFAULT_SESSION_IDLE_HOURS)
    session_lifetime: timedelta = timedelta(days=DEFAULT_SESSION_DAYS)

    @property
    def secret_key(self) -> bytes:
        return load_or_create_secret(self.data_dir)


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("LANTONG_DATA_DIR", "data")).resolve()
    port = int(os.environ.get("LANTONG_PORT", "3000"))
    database_url = os.environ.get("LANTONG_DATABASE_URL") or f"sqlite:///{data_dir / 'lantong.db'}"
    public_url = os.environ.get("LANTONG_PUBLIC_URL") or f"http://localhost:{port}"
    photo_dir = Path(os.environ.get("LANTONG_PHOTO_DIR") or data_dir / "photos").resolve()
    redis_url = os.environ.get("LANTONG_REDIS_URL", "").strip() or None
    workers = int(os.environ.get("LANTONG_WORKERS") or ((os.cpu_count() or 1) if redis_url else 1))
    if workers > 1 and not redis_url:
        raise ValueError("LANTONG_WORKERS above 1 needs LANTONG_REDIS_URL: workers share the browsers' state there")
    return Settings(data_dir=data_dir, database_url=database_url, public_url=public_url.rstrip("/"), port=port,
                    photo_dir=photo_dir, redis_url=redis_url,
                    state_expiry_seconds=int(os.environ.get("LANTONG_STATE_EXPIRY") or DEFAULT_STATE_EXPIRY),
                    workers=workers, trusted_proxies=parse_networks(os.environ.get("LANTONG_TRUSTED_PROXIES", "")),
                    session_idle=timedelta(hours=_positive("LANTONG_SESSION_IDLE_HOURS", DEFAULT_SESSION_IDLE_HOURS)),
                    session_lifetime=timedelta(days=_positive("LANTONG_SESSION_DAYS", DEFAULT_SESSION_DAYS)))


def parse_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``10.0.0.0/8, 127.0.0.1`` as networks (an address alone is a network of one); a bad entry stops the app."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"LANTONG_TRUSTED_PROXIES: {entry!r} is not an address or network") from None
    return tuple(networks)


def _positive(name: str, default: float) -> float:
    value = float(os.environ.get(name) or default)
    if value <= 0:
        raise ValueError(f"{name} must be above 0")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests that change the environment call ``get_settings.cache_clear()``."""
    return load_settings()


def load_or_create_secret(data_dir: Path) -> bytes:
    """Return the installation's secret key, creating it (owner-readable only) on first use."""
    path = data_dir / SECRET_FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())
