"""Excel import (X5): parts, suppliers, supplier prices and opening stock from xlsx or CSV (UTF-8 or GBK).

- ``template_xlsx(kind)``: the sheet to fill in: the header row (required columns marked *) and a 填写说明 sheet.
- ``dry_run``: reads the whole file and checks every row with the same rules the forms use (catalogue.clean_part,
  suppliers.clean_supplier / clean_offer, stock.parse_quantity / parse_cost); every problem is a ``RowError``
  written as 第3行 编码：已存在. Nothing is written.
- ``commit``: the same checks, then everything in the caller's one transaction (batch inserts and updates), or
  nothing at all when any row is wrong.
- Rows match existing records by code (parts, suppliers), by supplier and part (prices); a blank cell of an
  existing record leaves its value as it is. Only what differs is written, so importing the same file twice
  changes nothing. Opening stock posts ``StockMoveKind.OPENING`` moves through ``stock.receive_stock`` (balances
  and the moving average stay right); each row's request key is made from its content, so the same rows imported
  again find their moves instead of posting twice.

An uploaded file waits on disk (``store_upload``) for the dry run and the commit, readable only by who sent it.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import re
import secrets
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.parts import catalogue, stock, suppliers
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.permissions import Permission, require
from lantong_pwa.settings import get_settings
from models import Part, PartBarcode, StockMove, StockMoveKind, Supplier, SupplierPart, User, Warehouse
from models.common import utc_now

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
SHOWN_ERRORS = 500  # a screen lists this many; the report keeps them all
UPLOAD_LIFETIME_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class ImportKind(StrEnum):
    PARTS = "parts"
    SUPPLIERS = "suppliers"
    OFFERS = "offers"
    OPENING = "opening"

    @property
    def label(self) -> str:
        return {"parts": "配件档案", "suppliers": "供应商", "offers": "供应商报价", "opening": "期初库存"}[self.value]

    @property
    def permission(self) -> Permission:
        return Permission.MOVE_STOCK if self == ImportKind.OPENING else Permission.MANAGE_CATALOGUE


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    note: str = ""


COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.PARTS: (
        Column("code", "编码", True, "配件编码，本店唯一；已有的编码会更新该配件"),
        Column("name", "名称", True),
        Column("brand", "品牌"),
        Column("spec", "规格型号"),
        Column("unit", "单位", note="不填为“个”"),
        Column("category", "分类"),
        Column("oe_number", "原厂编号"),
        Column("barcodes", "条码", note="可填多个，用逗号或分号隔开；本店唯一"),
        Column("sale_price", "售价", note="元，含税，不能为负"),
        Column("cost", "成本", note="元，不能为负"),
        Column("default_warehouse", "默认仓库", note="仓库编码或名称"),
        Column("shelf", "库位"),
    ),
    ImportKind.SUPPLIERS: (
        Column("code", "编码", True, "供应商编码，本店唯一；已有的编码会更新该供应商"),
        Column("name", "名称", True),
        Column("contact", "联系人"),
        Column("phone", "电话"),
        Column("address", "地址"),
        Column("tax_id", "税号"),
        Column("bank_account", "开户行及账号"),
        Column("terms", "结算方式", note="现结、月结30天 或 30天；不填为现结"),
    ),
    ImportKind.OFFERS: (
        Column("supplier_code", "供应商编码", True, "已有供应商的编码"),
        Column("part_code", "配件编码", True, "已有配件的编码"),
        Column("price", "单价", True, "元"),
        Column("min_quantity", "最小订量"),
        Column("lead_days", "供货周期（天）"),
    ),
    ImportKind.OPENING: (
        Column("part_code", "配件编码", True, "已有配件的编码"),
        Column("warehouse", "仓库", note="仓库编码或名称；不填为第一个仓库"),
        Column("quantity", "数量", True),
        Column("unit_cost", "单位成本", True, "元"),
    ),
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the column's header, or "" for the whole row
    message: str

    @property
    def text(self) -> str:
        return f"第{self.row}行 {self.column}：{self.message}" if self.column else f"第{self.row}行：{self.message}"


@dataclass
class ImportReport:
    kind: ImportKind
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(DomainError):
    """A commit of a file with errors: nothing was imported; ``report`` lists them."""

    def __init__(self, report: ImportReport):
        super().__init__(f"文件有{len(report.errors)}处错误，没有导入任何数据；请改正后重新上传")
        self.report = report


# --- templates --------------------------------------------------------------------------------------------------


def template_xlsx(kind: ImportKind | str) -> bytes:
    """An empty sheet with the kind's header row (required columns end in *) and a 填写说明 sheet."""
    kind = _kind(kind)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.label
    columns = COLUMNS[kind]
    sheet.append([c.header + ("*" if c.required else "") for c in columns])
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) * 3)
        # codes, barcodes and phones are text: a leading zero or a 13-digit barcode must survive Excel
        if column.key in ("code", "part_code", "supplier_code", "barcodes", "phone", "tax_id", "oe_number"):
            sheet.column_dimensions[get_column_letter(index)].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "必填", "说明"])
    for column in columns:
        notes.append([column.header, "是" if column.required else "", column.note])
    notes.append([])
    notes.append(["第一行是列名，请勿修改；从第二行起每行一条。也可另存为CSV（UTF-8或GBK）上传。"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["C"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_for(actor: User | None, kind) -> tuple[ImportKind, bytes]:
    """The template of ``kind`` for someone who may import it."""
    kind = _kind(kind)
    require(actor, kind.permission)
    return kind, template_xlsx(kind)


# --- reading a file ---------------------------------------------------------------------------------------------


def _kind(kind) -> ImportKind:
    try:
        return ImportKind(kind)
    except ValueError:
        raise DomainError("请选择要导入的内容") from None


def _cell_text(value) -> str:
    """A cell as text: whole numbers without ``.0`` (a barcode typed as a number), dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value).strip()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise DomainError("无法识别文件编码，请另存为UTF-8或GBK编码的CSV，或直接上传xlsx") from None
    yield from csv.reader(io.StringIO(text))


def _xlsx_rows(data: bytes) -> Iterator[list]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise DomainError("文件无法打开：请上传xlsx格式的Excel文件（不支持旧版xls）或CSV") from None
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def read_rows(data: bytes) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """The header row (header text → column index) and the non-blank data rows as (row number, cells as text)."""
    if not data:
        raise DomainError("文件是空的")
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError(f"文件不能超过{MAX_UPLOAD_BYTES // (1024 * 1024)}MB")
    raw = _xlsx_rows(data) if data[:2] == b"PK" else _csv_rows(data)
    headers: dict[str, int] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, values in enumerate(raw, start=1):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        if headers is None:
            headers = {}
            for index, text in enumerate(cells):
                name = text.replace("*", "").replace("（必填）", "").replace(" ", "").strip()
                if name and name not in headers:
                    headers[name] = index
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise DomainError(f"一次最多导入{MAX_ROWS}行，请分成几个文件")
    if headers is None:
        raise DomainError("文件里没有内容：第一行应为列名")
    return headers, rows


@dataclass
class _Sheet:
    kind: ImportKind
    index: dict[str, int]  # column key → position in the row
    rows: list[tuple[int, list[str]]]
    errors: list[RowError]

    def values(self, cells: list[str]) -> dict[str, str]:
        """The row's non-blank cells by column key."""
        found = {}
        for key, position in self.index.items():
            text = cells[position].strip() if position < len(cells) else ""
            if text:
                found[key] = text
        return found

    def header(self, key: str) -> str:
        return next((c.header for c in COLUMNS[self.kind] if c.key == key), "")

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append(RowError(row, self.header(key) if key != "form" else "", message))


def _sheet(kind: ImportKind, data: bytes) -> _Sheet:
    headers, rows = read_rows(data)
    index: dict[str, int] = {}
    errors: list[RowError] = []
    for column in COLUMNS[kind]:
        if column.header in headers:
            index[column.key] = headers[column.header]
        elif column.required:
            errors.append(RowError(1, column.header, f"缺少这一列（请用{kind.label}模板）"))
    return _Sheet(kind=kind, index=index, rows=rows, errors=errors)


# --- uploads waiting for their dry run and commit ---------------------------------------------------------------


def _upload_dir() -> Path:
    path = get_settings().data_dir / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(actor: User | None, data: bytes, filename: str = "") -> str:
    """Keep an uploaded file for its sender; returns the token the dry run and the commit name it by. Files older
    than a day are removed on the way."""
    require(actor, Permission.MANAGE_CATALOGUE)
    if not data:
        raise DomainError("文件是空的")
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError(f"文件不能超过{MAX_UPLOAD_BYTES // (1024 * 1024)}MB")
    folder = _upload_dir()
    now = time.time()
    for old in folder.iterdir():
        try:
            if now - old.stat().st_mtime > UPLOAD_LIFETIME_SECONDS:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_hex(16)
    (folder / f"{token}.data").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({"user_id": actor.id, "filename": filename[:100]}))
    return token


def load_upload(actor: User | None, token: str) -> tuple[bytes, str]:
    """The file ``store_upload`` kept, for the person who sent it only."""
    require(actor, Permission.MANAGE_CATALOGUE)
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise DomainError("请先上传文件")
    folder = _upload_dir()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.data").read_bytes()
    except (OSError, ValueError):
        raise DomainError("上传的文件已过期，请重新上传") from None
    if meta.get("user_id") != actor.id:
        raise DomainError("上传的文件已过期，请重新上传")
    return data, meta.get("filename", "")


def forget_upload(token: str) -> None:
    if isinstance(token, str) and _TOKEN.match(token):
        for suffix in (".data", ".json"):
            try:
                os.unlink(_upload_dir() / f"{token}{suffix}")
            except OSError:
                pass


# --- the plans: check every row, then (commit) write -----------------------------------------------------------


def _warehouses(session: Session, branch_id: int) -> tuple[dict[str, int], list[int]]:
    """Active warehouses by code and by name, and their ids in setup order."""
    found: dict[str, int] = {}
    ids = []
    for w in session.exec(select(Warehouse).where(Warehouse.branch_id == branch_id, Warehouse.is_active)
                          .order_by(Warehouse.id)).all():
        found.setdefault(w.code.upper(), w.id)
        found.setdefault(w.name, w.id)
        ids.append(w.id)
    return found, ids


def _plan_parts(session: Session, actor: User, sheet: _Sheet, report: ImportReport, write: bool) -> None:
    branch_id = actor.branch_id
    part_table = Part.__table__
    columns = [part_table.c.id, *(part_table.c[key] for key in catalogue.PART_FIELDS)]
    existing = {row.code: row for row in session.execute(select(*columns).where(part_table.c.branch_id == branch_id))}
    owner_of: dict[str, int] = dict(session.execute(
        select(PartBarcode.barcode, PartBarcode.part_id).where(PartBarcode.branch_id == branch_id)).all())
    code_of_id = {row.id: code for code, row in existing.items()}
    warehouse_ids, _ = _warehouses(session, branch_id)
    seen_codes: dict[str, int] = {}
    file_barcodes: dict[str, tuple[int, str]] = {}
    inserts: list[dict] = []
    updates: list[dict] = []
    new_barcodes: list[tuple[str, str]] = []  # (part code, barcode)
    now = utc_now()
    for number, cells in sheet.rows:
        values = sheet.values(cells)
        code = values.get("code", "").strip().upper()
        current = existing.get(code)
        cleaned, errors = catalogue.clean_part(values, partial=current is not None)
        warehouse = values.get("default_warehouse")
        if warehouse is not None:
            warehouse_id = warehouse_ids.get(warehouse.upper()) or warehouse_ids.get(warehouse)
            if warehouse_id is None:
                errors["default_warehouse"] = f"没有编码或名称为“{warehouse}”的仓库"
            else:
                cleaned["default_warehouse_id"] = warehouse_id
        if code and code in seen_codes:
            errors["code"] = f"与第{seen_codes[code]}行重复"
        elif code:
            seen_codes[code] = number
        barcodes = cleaned.pop("barcodes", [])
        for barcode in barcodes:
            owner = owner_of.get(barcode)
            if owner is not None and (current is None or owner != current.id):
                errors["barcodes"] = f"条码{barcode}已属于配件{code_of_id.get(owner, '')}"
            elif barcode in file_barcodes and file_barcodes[barcode][1] != code:
                errors["barcodes"] = f"条码{barcode}与第{file_barcodes[barcode][0]}行重复"
            else:
                file_barcodes[barcode] = (number, code)
        for key, message in errors.items():
            sheet.error(number, key, message)
        if errors:
            continue
        missing = [b for b in barcodes if current is None or owner_of.get(b) != current.id]
        new_barcodes.extend((code, b) for b in missing)
        if current is None:
            inserts.append({"branch_id": branch_id, "is_active": True, "created_at": now,
                            "default_warehouse_id": None, **cleaned})
            report.created += 1
            continue
        changed = {key: value for key, value in cleaned.items() if getattr(current, key) != value}
        if changed:
            updates.append({"id": current.id, **{key: getattr(current, key) for key in catalogue.PART_FIELDS},
                            **changed})
            report.updated += 1
        elif missing:
            report.updated += 1
        else:
            report.unchanged += 1
    if not write or sheet.errors:
        return
    _write(session, Part, inserts, updates)
    if new_barcodes:
        ids = dict(session.execute(select(part_table.c.code, part_table.c.id)
                                   .where(part_table.c.branch_id == branch_id)).all())
        for chunk in _chunks([{"branch_id": branch_id, "part_id": ids[code], "barcode": barcode}
                              for code, barcode in new_barcodes]):
            session.execute(insert(PartBarcode), chunk)


def _plan_suppliers(session: Session, actor: User, sheet: _Sheet, report: ImportReport, write: bool) -> None:
    branch_id = actor.branch_id
    existing = {s.code: s for s in session.exec(select(Supplier).where(Supplier.branch_id == branch_id)).all()}
    seen: dict[str, int] = {}
    inserts, updates = [], []
    now = utc_now()
    for number, cells in sheet.rows:
        values = sheet.values(cells)
        cleaned, errors = suppliers.clean_supplier(values)
        code = cleaned.get("code", "")
        if not code and "code" not in errors:
            errors["code"] = "请输入编码"
        elif code in seen:
            errors["code"] = f"与第{seen[code]}行重复"
        elif code:
            seen[code] = number
        current = existing.get(code)
        if current is not None:
            # blank cells of an existing supplier keep what it has
            for key in suppliers.TEXT_FIELDS:
                if key not in values:
                    cleaned[key] = getattr(current, key)
            if "terms" not in values:
                cleaned["terms"], cleaned["terms_days"] = current.terms, current.terms_days
        for key, message in errors.items():
            sheet.error(number, "terms" if key == "terms_days" else key, message)
        if errors:
            continue
        if current is None:
            inserts.append({"branch_id": branch_id, "is_active": True, "created_at": now, **cleaned})
            report.created += 1
        elif any(getattr(current, key) != value for key, value in cleaned.items()):
            updates.append({"id": current.id, **cleaned})
            report.updated += 1
        else:
            report.unchanged += 1
    if write and not sheet.errors:
        _write(session, Supplier, inserts, updates)


def _plan_offers(session: Session, actor: User, sheet: _Sheet, report: ImportReport, write: bool) -> None:
    branch_id = actor.branch_id
    supplier_rows = {s.code: s for s in session.exec(select(Supplier).where(Supplier.branch_id == branch_id)).all()}
    parts = {row.code: row for row in session.execute(
        select(Part.__table__.c.id, Part.__table__.c.code, Part.__table__.c.is_active)
        .where(Part.__table__.c.branch_id == branch_id))}
    offers = {(o.supplier_id, o.part_id): o for o in
              session.exec(select(SupplierPart).where(SupplierPart.branch_id == branch_id)).all()}
    seen: dict[tuple[int, int], int] = {}
    inserts, updates = [], []
    now = utc_now()
    for number, cells in sheet.rows:
        values = sheet.values(cells)
        cleaned, errors = suppliers.clean_offer(values)
        supplier_code = values.get("supplier_code", "").upper()
        part_code = values.get("part_code", "").upper()
        supplier = supplier_rows.get(supplier_code)
        part = parts.get(part_code)
        if not supplier_code:
            errors["supplier_code"] = "请输入供应商编码"
        elif supplier is None:
            errors["supplier_code"] = f"没有编码为{supplier_code}的供应商"
        elif not supplier.is_active:
            errors["supplier_code"] = f"供应商{supplier.name}已停用"
        if not part_code:
            errors["part_code"] = "请输入配件编码"
        elif part is None:
            errors["part_code"] = f"没有编码为{part_code}的配件"
        offer = None
        if supplier is not None and part is not None:
            key = (supplier.id, part.id)
            offer = offers.get(key)
            if key in seen:
                errors["part_code"] = f"与第{seen[key]}行重复"
            else:
                seen[key] = number
            if not part.is_active and offer is None:
                errors["part_code"] = f"配件{part_code}已停用"
        for key, message in errors.items():
            sheet.error(number, key, message)
        if errors:
            continue
        if offer is None:
            inserts.append({"branch_id": branch_id, "supplier_id": supplier.id, "part_id": part.id,
                            "updated_at": now, **cleaned})
            report.created += 1
        elif any(getattr(offer, key) != value for key, value in cleaned.items()):
            updates.append({"id": offer.id, "updated_at": now, **cleaned})
            report.updated += 1
        else:
            report.unchanged += 1
    if write and not sheet.errors:
        _write(session, SupplierPart, inserts, updates)


def _opening_key(branch_id: int, code: str, warehouse_id: int, quantity: Decimal, cost: Decimal,
                 occurrence: int) -> str:
    digest = hashlib.sha256(f"{branch_id}|{code}|{warehouse_id}|{quantity}|{cost}|{occurrence}".encode())
    return f"op-{digest.hexdigest()[:32]}"


def _plan_opening(session: Session, actor: User, sheet: _Sheet, report: ImportReport, write: bool) -> None:
    branch_id = actor.branch_id
    parts = {row.code: row for row in session.execute(
        select(Part.__table__.c.id, Part.__table__.c.code, Part.__table__.c.is_active)
        .where(Part.__table__.c.branch_id == branch_id))}
    warehouse_ids, ordered = _warehouses(session, branch_id)
    posted = set(session.exec(select(StockMove.request_key).where(
        StockMove.branch_id == branch_id, StockMove.kind == StockMoveKind.OPENING,
        col(StockMove.request_key).like("op-%"))).all())
    occurrences: dict[tuple, int] = {}
    moves = []
    for number, cells in sheet.rows:
        values = sheet.values(cells)
        errors: dict[str, str] = {}
        code = values.get("part_code", "").upper()
        part = parts.get(code)
        if not code:
            errors["part_code"] = "请输入配件编码"
        elif part is None:
            errors["part_code"] = f"没有编码为{code}的配件"
        elif not part.is_active:
            errors["part_code"] = f"配件{code}已停用"
        warehouse = values.get("warehouse")
        warehouse_id = (warehouse_ids.get(warehouse.upper()) or warehouse_ids.get(warehouse) if warehouse
                        else (ordered[0] if ordered else None))
        if warehouse_id is None:
            errors["warehouse"] = f"没有编码或名称为“{warehouse}”的仓库" if warehouse else "本店还没有仓库，请先新建"
        quantity = cost = None
        for key, parse in (("quantity", stock.parse_quantity), ("unit_cost", stock.parse_cost)):
            try:
                parsed = parse(values.get(key, ""))
            except DomainError as error:
                errors[key] = error.message
                continue
            if key == "quantity":
                quantity = parsed
            else:
                cost = parsed
        for key, message in errors.items():
            sheet.error(number, key, message)
        if errors:
            continue
        same = (code, warehouse_id, quantity, cost)
        occurrences[same] = occurrences.get(same, 0) + 1
        request_key = _opening_key(branch_id, code, warehouse_id, quantity, cost, occurrences[same])
        if request_key in posted:
            report.unchanged += 1
            continue
        report.created += 1
        moves.append((part.id, warehouse_id, quantity, cost, request_key))
    if not write or sheet.errors:
        return
    for part_id, warehouse_id, quantity, cost, request_key in moves:
        stock.receive_stock(session, actor, warehouse_id, part_id, quantity, cost, kind=StockMoveKind.OPENING,
                            note="Excel期初导入", request_key=request_key)


_PLANS = {ImportKind.PARTS: _plan_parts, ImportKind.SUPPLIERS: _plan_suppliers, ImportKind.OFFERS: _plan_offers,
          ImportKind.OPENING: _plan_opening}


def _chunks(rows: list[dict], size: int = 2000) -> Iterator[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _write(session: Session, model, inserts: list[dict], updates: list[dict]) -> None:
    """Batch inserts (executemany) and updates by primary key, a couple of thousand rows at a time."""
    for chunk in _chunks(inserts):
        session.execute(insert(model), chunk)
    for chunk in _chunks(updates):
        session.execute(update(model), chunk)


def _run(session: Session, actor: User, kind, data: bytes, write: bool) -> ImportReport:
    kind = _kind(kind)
    require(actor, kind.permission)
    started = time.perf_counter()
    sheet = _sheet(kind, data)
    report = ImportReport(kind=kind, rows=len(sheet.rows))
    if not sheet.errors:
        if not sheet.rows:
            sheet.errors.append(RowError(2, "", "没有要导入的行"))
        else:
            _PLANS[kind](session, actor, sheet, report, write)
    order = {c.header: i for i, c in enumerate(COLUMNS[kind])}
    report.errors = sorted(sheet.errors, key=lambda e: (e.row, order.get(e.column, -1)))
    report.seconds = time.perf_counter() - started
    return report


def dry_run(session: Session, actor: User, kind, data: bytes) -> ImportReport:
    """Check every row and say what a commit would do; writes nothing."""
    return _run(session, actor, kind, data, write=False)


def commit(session: Session, actor: User, kind, data: bytes, filename: str = "") -> ImportReport:
    """Import the file in the caller's transaction; ``ImportRefused`` (and nothing written) if any row is wrong."""
    report = _run(session, actor, kind, data, write=True)
    if report.errors:
        raise ImportRefused(report)
    report.committed = True
    audit.record(session, actor, f"import.{report.kind.value}", "import", None, branch_id=actor.branch_id,
                 filename=filename, sha256=hashlib.sha256(data).hexdigest(), rows=report.rows,
                 created=report.created, updated=report.updated, unchanged=report.unchanged)
    session.flush()
    return report

