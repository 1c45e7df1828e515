"""Settings read from environment variables, with defaults that work on a developer machine.

``LANTONG_DATA_DIR``      where the SQLite file, photos and the generated secret live (default ``./data``)
``LANTONG_DATABASE_URL``  SQLAlchemy URL (default: the SQLite file in the data directory)
``LANTONG_PUBLIC_URL``    the address phones reach the app on; QR vehicle cards encode it
``LANTONG_PORT``          the single port the production build serves on (default 3000)
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SECRET_FILE_NAME = "secret.key"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    public_url: str
    port: int

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def secret_key(self) -> bytes:
        return load_or_create_secret(self.data_dir)


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("LANTONG_DATA_DIR", "data")).resolve()
    port = int(os.environ.get("LANTONG_PORT", "3000"))
    database_url = os.environ.get("LANTONG_DATABASE_URL") or f"sqlite:///{data_dir / 'lantong.db'}"
    public_url = os.environ.get("LANTONG_PUBLIC_URL") or f"http://localhost:{port}"
    return Settings(data_dir=data_dir, database_url=database_url, public_url=public_url.rstrip("/"), port=port)


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
