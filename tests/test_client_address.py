"""The client's address behind trusted proxies (``LANTONG_TRUSTED_PROXIES``), for the limits kept per address."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from lantong_pwa.client_address import UNKNOWN, client_address, of_request
from lantong_pwa.settings import get_settings, parse_networks

NGINX = parse_networks("127.0.0.1, ::1, 10.0.0.0/8")


@pytest.mark.parametrize("peer,forwarded_for,expected", [
    ("203.0.113.5", None, "203.0.113.5"),  # no proxy: the peer
    ("203.0.113.5", "1.2.3.4", "203.0.113.5"),  # a header from an untrusted peer is the sender's invention
    ("127.0.0.1", "198.51.100.7", "198.51.100.7"),  # nginx on this host
    ("127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the browser's own header stays left of nginx's hop
    ("127.0.0.1", "198.51.100.7, 10.1.2.3", "198.51.100.7"),  # two proxies: both hops skipped
    ("::1", "2001:db8::5", "2001:db8::5"),
    ("::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7"),  # a dual-stack socket's IPv4 peer
    ("127.0.0.1", "10.0.0.9, 10.0.0.8", "10.0.0.9"),  # every hop trusted: the leftmost
    ("127.0.0.1", "garbage, 10.0.0.8", "10.0.0.8"),  # a malformed hop: the trusted hop right of it
    ("127.0.0.1", "", "127.0.0.1"),  # a trusted peer that forwarded nothing
    ("", None, UNKNOWN),
])
def test_the_client_address_comes_from_forwarded_for_only_behind_a_trusted_proxy(peer, forwarded_for, expected):
    assert client_address(peer, forwarded_for, NGINX) == expected


def test_by_default_no_proxy_is_trusted(trusted_proxies):
    trusted_proxies("")
    assert get_settings().trusted_proxies == ()
    assert client_address("127.0.0.1", "198.51.100.7") == "127.0.0.1"
    trusted_proxies("127.0.0.1")
    assert client_address("127.0.0.1", "198.51.100.7") == "198.51.100.7"


def test_a_bad_trusted_proxy_stops_the_app(trusted_proxies):
    trusted_proxies("127.0.0.1, nginx.local")
    with pytest.raises(ValueError, match="LANTONG_TRUSTED_PROXIES"):
        get_settings()


def test_an_http_route_reads_the_same_way(trusted_proxies):
    trusted_proxies("127.0.0.1")
    request = SimpleNamespace(client=SimpleNamespace(host="127.0.0.1"), headers={"x-forwarded-for": "198.51.100.7"})
    assert of_request(request) == "198.51.100.7"
    assert of_request(SimpleNamespace(client=None, headers={})) == UNKNOWN
