"""The load of a printable sheet's page (结算单, 收据, 对账单 …): the person checked and the sheet read in one read."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from lantong_pwa.services.platform.permissions import Permission
from models import User


async def load_sheet(state, fill: Callable[[Session, User | None], None], permission: Permission):
    """Run ``fill`` (which sets the sheet's fields) as a page load allowed ``permission``; ``state.found`` says
    whether there is a sheet to show, ``state.error`` why not. Returns the redirect of a refused person."""
    state.found, state.error = False, ""
    shown = await state._in_read(fill, page=permission)
    if shown.redirect is not None:
        return shown.redirect
    if not shown.ok:
        state.error = shown.error.message
        return None
    state.found = True
    return None
