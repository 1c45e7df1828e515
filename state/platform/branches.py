"""The chain's branches (``/admin/branches``, admin only): create, edit the printed details, close and reopen."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa import web_session
from lantong_pwa.services.platform import auth, branches
from lantong_pwa.services.platform.branches import BranchForm
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.timezone import format_local
from models import BranchStatus
from state.platform.session import SessionState

FIELDS = ("code", "name", "address", "phone", "tax_id", "bank_account", "header")


@dataclasses.dataclass
class BranchRow:
    id: int = 0
    code: str = ""
    name: str = ""
    address: str = ""
    phone: str = ""
    tax_id: str = ""
    bank_account: str = ""
    header: str = ""
    printed_header: str = ""  # the header, or the name when it has none
    is_open: bool = True
    status_label: str = ""
    closed_at: str = ""


class BranchesAdminState(SessionState):
    rows: list[BranchRow] = []
    error: str = ""
    # The dialog: 0 = closed, -1 = new branch, otherwise the id of the branch being edited.
    editing_id: int = 0
    editing: BranchRow = BranchRow()
    errors: dict[str, str] = {}  # the dialog's messages by field ("form": above the fields)
    closing_id: int = 0  # the branch whose closing waits for a confirmation
    closing_name: str = ""

    def _refresh(self, db, actor) -> None:
        self.rows = [
            BranchRow(id=b.id, code=b.code, name=b.name, address=b.address, phone=b.phone, tax_id=b.tax_id,
                      bank_account=b.bank_account, header=b.header, printed_header=branches.header_of(b),
                      is_open=branches.is_open(b), status_label=BranchStatus(b.status).label,
                      closed_at=format_local(b.closed_at, "%Y-%m-%d") if b.closed_at else "")
            for b in branches.list_branches(db, actor)
        ]

    @rx.event
    async def load(self):
        shown = await self._in_read(self._refresh, page=Permission.MANAGE_BRANCHES)
        if shown.redirect is not None:
            return shown.redirect
        self.error = "" if shown.ok else shown.error.message
        return None

    @rx.event
    def open_new(self):
        self.errors = {}
        self.editing = BranchRow()
        self.editing_id = -1

    @rx.event
    def open_edit(self, branch_id: int):
        self.errors = {}
        self.editing = next((row for row in self.rows if row.id == branch_id), BranchRow())
        self.editing_id = branch_id if self.editing.id else 0

    @rx.event
    def close_dialogs(self):
        self.editing_id = 0
        self.closing_id = 0

    @rx.event
    async def save(self, form: dict):
        """Create or edit; a resent submit after the dialog closed does nothing (and the unique code refuses a
        second branch)."""
        if self.editing_id == 0:
            return None
        self.errors = {}
        branch_form = BranchForm(**{field: str(form.get(field, "")) for field in FIELDS})
        editing_id = self.editing_id

        def save(db, actor):
            if editing_id == -1:
                saved = branches.create_branch(db, actor, branch_form)
            else:
                saved = branches.update_branch(db, actor, editing_id, branch_form)
            self._refresh(db, actor)
            return saved.name

        saved = await self._in_unit(save)
        if not saved.ok:
            self.errors = saved.field_errors
            return None
        self.editing_id = 0
        return rx.toast.success(f"已保存“{saved.value}”")

    @rx.event
    def ask_close(self, branch_id: int):
        self.closing_id = branch_id
        self.closing_name = next((row.name for row in self.rows if row.id == branch_id), "")

    async def _move(self, move, branch_id: int, told: str, *, signs_out: bool = False):
        """Close or reopen a branch (a service's compare-and-set), then show the list as it now is. ``signs_out``:
        the move ends the branch's people's sessions, so their browsers' states are dropped too."""
        def moved(db, actor):
            signed_in = auth.bindings_in_branch(db, branch_id) if signs_out else []
            name = move(db, actor, branch_id).name
            self._refresh(db, actor)
            return name, signed_in

        done = await self._in_unit(moved)
        self.closing_id = 0
        if not done.ok:
            return rx.toast.error(done.error.message)
        name, signed_in = done.value
        web_session.drop_states_of(signed_in)
        return rx.toast.success(told.format(name=name))

    @rx.event
    async def close_branch(self, branch_id: int):
        """停业, once confirmed in the dialog (``ask_close``)."""
        return await self._move(branches.close_branch, branch_id, "“{name}”已停业，该店员工已退出登录", signs_out=True)

    @rx.event
    async def reopen_branch(self, branch_id: int):
        return await self._move(branches.reopen_branch, branch_id, "“{name}”已恢复营业")
