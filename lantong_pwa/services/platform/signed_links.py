"""Signed personal links (``/f/<token>`` follow-ups, ``/s/<token>`` statements): ``<id>.<nonce>.<expiry>.<signature>``,
the signature an HMAC-SHA256 with the installation's secret key over the purpose and the other three parts,
truncated to 128 bits to keep a printed QR code small."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from lantong_pwa.settings import get_settings


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def signature(purpose: str, row_id: int, nonce: str, expires: int) -> str:
    """The signature of one link; ``purpose`` ("" for follow-ups) keeps one kind's token from opening another."""
    message = f"{purpose}{row_id}.{nonce}.{expires}".encode()
    return _b64(hmac.new(get_settings().secret_key, message, hashlib.sha256).digest()[:16])


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite reads naive UTC


def make(purpose: str, row_id: int, nonce: str, expires_at: datetime) -> str:
    expires = int(as_utc(expires_at).timestamp())
    return f"{row_id}.{nonce}.{expires}.{signature(purpose, row_id, nonce, expires)}"


def parse(purpose: str, token: str) -> tuple[int, str, int] | None:
    """``(id, nonce, expiry)`` of a well-formed token with a good signature; ``None`` otherwise."""
    parts = (token or "").strip().split(".")
    if len(parts) != 4 or not parts[0].isdigit() or not parts[2].isdigit() or len(parts[0]) > 12 \
            or len(parts[2]) > 12:
        return None
    row_id, nonce, expires, given = int(parts[0]), parts[1], int(parts[2]), parts[3]
    if not hmac.compare_digest(given.encode(), signature(purpose, row_id, nonce, expires).encode()):
        return None  # altered, or made by another installation
    return row_id, nonce, expires


def nonce_matches(given: str, stored: str) -> bool:
    return hmac.compare_digest(given.encode(), stored.encode())
