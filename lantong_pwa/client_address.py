"""The address a request came from, for the limits kept per address (sign-in, the customer's follow-up form).

Behind nginx every socket's peer is nginx itself, and the browser's address is in ``X-Forwarded-For``. That header is
whatever the sender wrote, apart from the hops trusted proxies appended: so it is read only when the peer is one of
``LANTONG_TRUSTED_PROXIES``, and from the right, skipping trusted hops, up to the first address that is not a trusted
proxy: the one the last trusted proxy saw. Anything further left could be made up by the browser.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from lantong_pwa.settings import get_settings

UNKNOWN = "unknown"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address in ``text`` (an IPv4 address a dual-stack socket reports as ``::ffff:a.b.c.d`` as plain IPv4)."""
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def client_address(peer: str | None, forwarded_for: str | None,
                   trusted: Iterable[Network] | None = None) -> str:
    """The client's address: the socket ``peer``'s, unless the peer is a trusted proxy (``trusted``, default the
    ``LANTONG_TRUSTED_PROXIES`` setting); then the rightmost hop of ``forwarded_for`` that is not a trusted proxy
    (all of them trusted: the leftmost; a malformed hop: the trusted hop right of it)."""
    trusted = tuple(get_settings().trusted_proxies if trusted is None else trusted)
    current = _address(peer)
    if current is None:
        return (peer or "").strip() or UNKNOWN

    def is_trusted(address) -> bool:
        return any(address in network for network in trusted)

    for hop in reversed([part for part in (forwarded_for or "").split(",") if part.strip()]):
        if not is_trusted(current):
            break
        previous = _address(hop)
        if previous is None:
            break
        current = previous
    return str(current)


def of_router(router: Any) -> str:
    """The client address of a Reflex event: the websocket's peer and the ``X-Forwarded-For`` of its handshake."""
    headers: Mapping[str, str] = getattr(router.headers, "raw_headers", None) or {}
    peer = headers.get("asgi-scope-client") or router.session.client_ip
    return client_address(peer, headers.get("x-forwarded-for"))


def of_request(request: Any) -> str:
    """The client address of a Starlette request (the app's own HTTP routes)."""
    return client_address(request.client.host if request.client else None, request.headers.get("x-forwarded-for"))


def from_trusted_proxy(request: Any) -> bool:
    """Whether a Starlette request came straight from one of ``LANTONG_TRUSTED_PROXIES`` (so its ``X-Forwarded-*``
    headers are the proxy's)."""
    peer = _address(request.client.host if request.client else None)
    return peer is not None and any(peer in network for network in get_settings().trusted_proxies)
