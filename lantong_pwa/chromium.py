"""Debian's Chromium, as the browser tests and the Lighthouse benchmark start it: headless, and with everything
that would try to reach the internet (sync, component updates, background networking, QUIC) turned off."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
