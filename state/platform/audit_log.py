"""The audit log (``/admin/audit``, admin only): the newest sign-ins with their address and why a refused one was
refused, and the other changes people made."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.timezone import format_local
from state.platform.session import SessionState


@dataclasses.dataclass
class AuditRow:
    at: str = ""
    action: str = ""
    refused: bool = False
    who: str = ""  # who did it, or the name a sign-in tried
    address: str = ""
    note: str = ""  # why a sign-in was refused; what else changed


def audit_row(line: audit.AuditLine) -> AuditRow:
    detail = dict(line.detail)
    tried = str(detail.pop("username", ""))
    address = str(detail.pop("address", ""))
    reason = str(detail.pop("reason", ""))
    note = audit.REFUSAL_REASONS.get(reason, reason) if reason else \
        "，".join(f"{key}: {value}" for key, value in detail.items())
    return AuditRow(at=format_local(line.at, "%Y-%m-%d %H:%M:%S"),
                    action=audit.ACTION_LABELS.get(line.action, line.action),
                    refused=line.action == "sign_in.refused", who=line.who or tried, address=address, note=note)


class AuditLogState(SessionState):
    rows: list[AuditRow] = []
    sign_ins_only: bool = True
    error: str = ""

    async def _show(self):
        shown = await self._in_read(
            lambda db, actor: [audit_row(line) for line in audit.recent(db, actor, sign_ins_only=self.sign_ins_only)],
            page=Permission.VIEW_AUDIT)
        if shown.redirect is not None:
            return shown.redirect
        self.rows = shown.value if shown.ok else []
        self.error = "" if shown.ok else shown.error.message
        return None

    @rx.event
    async def load(self):
        return await self._show()

    @rx.event
    async def show_sign_ins_only(self, only: bool):
        self.sign_ins_only = bool(only)
        return await self._show()
