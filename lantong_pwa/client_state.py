"""Where each browser tab's state lives, and dropping it when its person signs out.

Reflex keeps a state tree per browser tab (its client token), holding what the screens show: customers' names and
mobiles among it. Lantong keeps it

- **in Redis** when ``LANTONG_REDIS_URL`` is set: every worker and process reads and writes it there, each key
  expiring ``LANTONG_STATE_EXPIRY`` seconds after the tab's last change;
- **in the memory of the one backend worker** otherwise (``state_manager_mode=memory`` in ``rxconfig``), each tree
  dropped ``LANTONG_STATE_EXPIRY`` seconds after the tab's last event.

Why memory and not Reflex's default disk manager, measured on the app's own tree (200 tabs, every state touched):
the disk manager keeps every tree in memory all the same (51 KiB a tab, against 21 KiB in the memory manager) and
also pickles each state to its own file: 32 files and 10 KiB a tab, readable by every user of the machine (mode
0644), written in 41 ms per event against 1.4 ms. Its files only serve to survive a restart, which Lantong does not
need: a restarted server finds each phone still signed in by its cookie, and unsent forms are kept as drafts in the
browser. So the memory manager: nothing on disk, nothing for others to read, and a bound of (tabs opened per hour ×
21 KiB) at the default hour.

Signing out (``SessionState.sign_out``) drops the tab's whole tree at once instead of waiting for the expiry:
``forget_browser`` schedules it for when the sign-out event has written back and let go of the tab's lock, and the
page itself forgets its client token (``FORGET_CLIENT_TOKEN``) as it goes to the sign-in page, so the next person on
the same tablet starts a new tree under a new token.
"""

from __future__ import annotations

import asyncio
import json
import logging

from lantong_pwa.reflex_internals import CLIENT_TOKEN_STORAGE_KEY, drop_client_states, running_state_manager

log = logging.getLogger("lantong.client_state")

# Scheduled drops, held until done (the event loop keeps only weak references to tasks).
_dropping: set[asyncio.Task] = set()

# The page forgets its client token and loads the sign-in page afresh, which gives it a new one.
FORGET_CLIENT_TOKEN = (f"window.sessionStorage.removeItem({json.dumps(CLIENT_TOKEN_STORAGE_KEY)});"
                       " window.location.replace('/login');")


def forget_browser(client_token: str) -> asyncio.Task | None:
    """Drop every state of the tab ``client_token`` once the event being handled has finished with it. Returns the
    task doing it (None outside a served app: the State tests have no state manager)."""
    manager = running_state_manager()
    if manager is None or not client_token:
        return None
    task = asyncio.get_running_loop().create_task(drop_client_states(manager, client_token))
    _dropping.add(task)
    task.add_done_callback(_done)
    return task


def _done(task: asyncio.Task) -> None:
    _dropping.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("dropping a signed-out browser's state failed", exc_info=task.exception())
