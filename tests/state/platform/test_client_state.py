"""A signed-out person's state is gone from the state manager: in memory (the one-process default) and in Redis.

Each test plays what the server does: an event fills a tab's screens (a customer typed into 开单), then the sign-out
event asks for the tab's state to be dropped while it still holds the tab's lock; once it has written back, nothing
of that tab is left. Redis runs at 127.0.0.1:6379 on this machine (``LANTONG_TEST_REDIS_URL`` names another); the
test uses a database of its own and deletes what it wrote.
"""

from __future__ import annotations

import asyncio
import uuid

from lantong_pwa import reflex_internals
from lantong_pwa.reflex_internals import state_token
from state.workshop.intake import IntakeState
from tests.conftest import STATE_REDIS_URL

CUSTOMER_QUERY = "张三 13800138000"


async def _fill_and_sign_out(manager, client_token: str, other_token: str) -> None:
    """A tab types a customer into 开单; another tab does the same; then the first one signs out."""
    for token in (client_token, other_token):
        async with manager.modify_state(state_token(token, IntakeState)) as root:
            (await root.get_state(IntakeState)).query = CUSTOMER_QUERY
    async with manager.modify_state(state_token(client_token, IntakeState)) as root:
        intake = await root.get_state(IntakeState)
        assert intake.query == CUSTOMER_QUERY, "the tab's state was kept between its events"
        intake.query = ""  # the sign-out event changes the state it holds, and writes it back on the way out
        dropping = asyncio.create_task(reflex_internals.drop_client_states(manager, client_token))
        await asyncio.sleep(0)
        assert not dropping.done(), "the drop waits until the sign-out event lets go of the tab's lock"
    await dropping


def test_a_signed_out_tab_leaves_nothing_in_the_memory_state_manager():
    manager = reflex_internals.memory_state_manager(expiry_seconds=3600)
    gone, other = str(uuid.uuid4()), str(uuid.uuid4())

    async def scene():
        await _fill_and_sign_out(manager, gone, other)
        assert not reflex_internals.holds_client_state(manager, gone)
        assert reflex_internals.holds_client_state(manager, other), "only the signed-out tab is dropped"
        async with manager.modify_state(state_token(other, IntakeState)) as root:
            assert (await root.get_state(IntakeState)).query == CUSTOMER_QUERY
        async with manager.modify_state(state_token(gone, IntakeState)) as root:
            assert (await root.get_state(IntakeState)).query == "", "a late event of the old tab finds a new tree"
        await manager.close()

    asyncio.run(scene())


def test_a_signed_out_tab_leaves_no_key_in_redis(state_redis):
    client = state_redis
    gone, other = str(uuid.uuid4()), str(uuid.uuid4())
    manager = reflex_internals.redis_state_manager(STATE_REDIS_URL, expiry_seconds=600)
    try:
        asyncio.run(_signed_out_in_redis(manager, client, gone, other))
    finally:
        for token in (gone, other):
            keys = list(client.scan_iter(match=f"{token}*"))
            if keys:
                client.delete(*keys)


async def _signed_out_in_redis(manager, client, gone: str, other: str) -> None:
    try:
        await _fill_and_sign_out(manager, gone, other)
        assert list(client.scan_iter(match=f"{gone}*")) == [], "no key of the signed-out tab is left, lock included"
        kept = {key.decode() for key in client.scan_iter(match=f"{other}*")}
        intake_key = reflex_internals.redis_state_key(other, IntakeState)
        assert intake_key in kept, "the other tab keeps its state"
        assert 0 < client.ttl(intake_key) <= 600, "every state key expires"
        assert kept <= set(reflex_internals.redis_state_keys(other)), "the keys dropped are all the keys there are"
    finally:
        await manager.close()
