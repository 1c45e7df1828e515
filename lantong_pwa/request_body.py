"""Reading a request's body within bounds: at most so many bytes, within ``LANTONG_BODY_TIMEOUT`` seconds."""

from __future__ import annotations

import asyncio
import os

from starlette.requests import Request

# Seconds a whole request body may take to arrive (``LANTONG_BODY_TIMEOUT``): a sender trickling bytes to hold a
# connection and its buffer is cut off. A phone sends a photo of at most 1600 px, a few hundred KB.
DEFAULT_BODY_TIMEOUT = 30.0


class BodyTooLarge(Exception):
    """The body is over the limit (known from its declared length, or once that much has arrived)."""


def body_timeout() -> float:
    return float(os.environ.get("LANTONG_BODY_TIMEOUT") or DEFAULT_BODY_TIMEOUT)


async def bounded_body(request: Request, limit: int) -> bytes:
    """The request body; ``BodyTooLarge`` as soon as it is over ``limit`` bytes, ``TimeoutError`` when it has not
    all arrived within ``body_timeout()``. It is never read whole when too large."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    async with asyncio.timeout(body_timeout()):
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > limit:
                raise BodyTooLarge
    return bytes(body)
