"""``/parts/import`` (导入): choose what to import, download its template, upload the filled-in file (xlsx or CSV),
see the dry run (what would be created, updated or left, and every error by row and column), then 确认导入: all or
nothing. The file itself waits on the server (catalogue_import.store_upload) under a token only its sender can use."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.services.parts import catalogue_import
from lantong_pwa.services.parts.catalogue_import import SHOWN_ERRORS, ImportKind, ImportRefused
from lantong_pwa.services.platform.permissions import Permission, allows
from state.platform.session import SessionState


@dataclasses.dataclass
class ErrorRow:
    row: str = ""
    column: str = ""
    message: str = ""


@dataclasses.dataclass
class KindOption:
    value: str = ""
    label: str = ""


class ImportState(SessionState):
    kind: str = ImportKind.PARTS.value
    kinds: list[KindOption] = []
    token: str = ""
    checked: bool = False  # a dry run has been shown for the uploaded file
    summary: str = ""  # "共 120 行：新建 100，更新 15，不变 5"
    error_rows: list[ErrorRow] = []
    more_errors: int = 0
    can_commit: bool = False
    done: str = ""
    error: str = ""
    busy: str = ""  # what the server is doing now ("正在检查…", "正在导入…"), shown with a progress bar

    @rx.event
    def mark_busy(self, step: str):
        """Sent just before a long check or import, so the page shows its progress bar while the rows are read."""
        self.busy = {"check": "正在检查每一行…", "commit": "正在导入…"}.get(step, "")

    def _reset_result(self) -> None:
        self.busy = ""
        self.token = ""
        self.checked = False
        self.summary = ""
        self.error_rows = []
        self.more_errors = 0
        self.can_commit = False
        self.done = ""
        self.error = ""

    @rx.var
    def template_url(self) -> str:
        return f"/api/imports/{self.kind}/template.xlsx"

    @rx.event
    async def load(self):
        self._reset_result()

        def work(_db, actor):
            self.kinds = [KindOption(value=k.value, label=k.label) for k in ImportKind if allows(actor, k.permission)]

        shown = await self._in_read(work, page=Permission.MANAGE_CATALOGUE)
        if shown.redirect is not None:
            return shown.redirect
        if self.kind not in {k.value for k in self.kinds}:
            self.kind = ImportKind.PARTS.value
        return None

    @rx.event
    def set_kind(self, kind: str):
        if kind in {k.value for k in ImportKind}:
            self.kind = kind
            self._reset_result()

    def _show(self, report: catalogue_import.ImportReport) -> None:
        self.summary = (f"共 {report.rows} 行：新建 {report.created}，更新 {report.updated}，不变 {report.unchanged}"
                        if report.ok else f"共 {report.rows} 行，发现 {len(report.errors)} 处错误，请改正后重新上传")
        self.error_rows = [ErrorRow(row=f"第{e.row}行", column=e.column, message=e.message)
                           for e in report.errors[:SHOWN_ERRORS]]
        self.more_errors = max(0, len(report.errors) - SHOWN_ERRORS)
        self.can_commit = report.ok and (report.created + report.updated) > 0
        self.checked = True

    @rx.event
    async def uploaded(self, token: str):
        """The file is on the server: check every row (nothing is written)."""
        kind = self.kind
        self._reset_result()

        def work(_db, actor):
            data, _name = catalogue_import.load_upload(actor, token)
            return catalogue_import.dry_run(_db, actor, kind, data)

        checked = await self._in_read(work)
        if not checked.ok:
            self.error = checked.error.message
            return None
        self.token = token
        self._show(checked.value)
        return None

    @rx.event
    async def commit(self):
        kind, token = self.kind, self.token
        if not token:
            self.busy = ""
            self.error = "请先上传文件"
            return None

        def work(db, actor):
            data, name = catalogue_import.load_upload(actor, token)
            return catalogue_import.commit(db, actor, kind, data, filename=name)

        committed = await self._in_unit(work)
        self.busy = ""
        if not committed.ok:
            if isinstance(committed.error, ImportRefused):
                self._show(committed.error.report)
            self.error = committed.error.message
            return None
        catalogue_import.forget_upload(token)
        report = committed.value
        self._reset_result()
        self.done = (f"已导入{ImportKind(kind).label}：新建 {report.created}，更新 {report.updated}，"
                     f"不变 {report.unchanged}")
        return rx.toast.success(self.done)
