"""The parts catalogue kept in the app (配件档案, issue 15 item 1): create, edit, retire and un-retire parts with their
barcodes, default warehouse and shelf; search by any field and find a part by a scanned barcode; stock limits
(安全库存, minimum and maximum per part and warehouse).

A retired part (``is_active`` false) keeps its history: it is still found here (marked 已停用), but intake's search
(parts.catalogue_matches) skips it, a pick refuses it (stock.pick) and ``is_orderable`` says no to purchasing.

``clean_part`` is the one place a part's fields are checked; the Excel import (catalogue_import.py) uses it for each
row and checks uniqueness against what it preloaded, the form against the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, exists
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from lantong_pwa.services.platform.validation import clean_texts, contains, search_text
from models import Part, PartBarcode, StockLimit, User, Warehouse

MAX_PRICE = Decimal("9999999.99")
MAX_LIMIT = Decimal("99999")
MAX_BARCODES = 10
# Text fields: form key → (label, longest, required, upper-case)
TEXT_FIELDS: dict[str, tuple[str, int, bool, bool]] = {
    "code": ("编码", 40, True, True),
    "name": ("名称", 80, True, False),
    "brand": ("品牌", 40, False, False),
    "spec": ("规格型号", 80, False, False),
    "unit": ("单位", 8, False, False),
    "category": ("分类", 40, False, False),
    "oe_number": ("原厂编号", 40, False, True),
    "shelf": ("库位", 20, False, False),
}
MONEY_FIELDS = {"sale_price": "售价", "cost": "成本"}
PART_FIELDS = (*TEXT_FIELDS, *MONEY_FIELDS, "default_warehouse_id")
_BARCODE_SPLIT = re.compile(r"[\s,，;；、]+")
_BARCODE_CHARS = re.compile(r"^[0-9A-Za-z\-_.+/]+$")


def is_orderable(part: Part | None) -> bool:
    """Whether a part may go on a purchase order or be picked: it exists and is not retired."""
    return part is not None and bool(part.is_active)


def split_barcodes(text: object) -> list[str]:
    """Barcodes typed or pasted one per line (or separated by commas, semicolons, spaces), duplicates dropped."""
    seen: list[str] = []
    for code in _BARCODE_SPLIT.split(str(text or "").strip()):
        if code and code not in seen:
            seen.append(code)
    return seen


def clean_part(values: dict, *, partial: bool = False) -> tuple[dict, dict[str, str]]:
    """A part's fields from what was typed (or read from a spreadsheet row): the cleaned values and the Chinese
    message of each bad field. ``partial``: only the keys present are checked and returned (an import row updating
    an existing part leaves blank cells as they are). ``default_warehouse_id`` and ``barcodes`` are only shaped here;
    the caller checks them against the branch."""
    cleaned, errors = clean_texts(values, TEXT_FIELDS, partial=partial)
    if cleaned.get("unit") == "":
        cleaned["unit"] = "个"
    for key, label in MONEY_FIELDS.items():
        if partial and key not in values:
            continue
        try:
            amount = parse_decimal(values.get(key), key, label, required=False, maximum=MAX_PRICE)
            cleaned[key] = to_fen(amount if amount is not None else Decimal(0))
        except DomainError as error:
            errors[key] = error.message
    if not partial or "barcodes" in values:
        raw = values.get("barcodes")
        codes = split_barcodes(raw) if not isinstance(raw, list | tuple) else split_barcodes(" ".join(raw))
        bad = next((c for c in codes if len(c) > 40 or not _BARCODE_CHARS.match(c)), None)
        if bad is not None:
            errors["barcodes"] = (f"条码{bad[:20]}过长（最多40位）" if len(bad) > 40
                                  else f"条码{bad}含有不能用的字符（只能是数字、字母和-_.+/）")
        elif len(codes) > MAX_BARCODES:
            errors["barcodes"] = f"一个配件最多{MAX_BARCODES}个条码"
        else:
            cleaned["barcodes"] = codes
    return cleaned, errors


# --- reading ----------------------------------------------------------------------------------------------------


def _part(session: Session, actor: User, part_id) -> Part:
    try:
        part_id = int(part_id)
    except (TypeError, ValueError):
        raise DomainError("配件不存在") from None
    return row_in_branch(session, actor, Part, part_id, "配件不存在")


def barcodes_of(session: Session, part_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for part_id, barcode in session.exec(select(PartBarcode.part_id, PartBarcode.barcode)
                                         .where(col(PartBarcode.part_id).in_(part_ids or [-1]))
                                         .order_by(PartBarcode.id)).all():
        found.setdefault(part_id, []).append(barcode)
    return found


@dataclass(frozen=True)
class LimitView:
    warehouse: Warehouse
    limit: StockLimit | None


@dataclass(frozen=True)
class PartDetail:
    part: Part
    barcodes: list[str]
    limits: list[LimitView]  # one per active warehouse of the branch, with its limit if one is set


def part_detail(session: Session, actor: User, part_id) -> PartDetail:
    require(actor, Permission.VIEW_PARTS)
    part = _part(session, actor, part_id)
    warehouses = session.exec(select(Warehouse).where(Warehouse.branch_id == part.branch_id, Warehouse.is_active)
                              .order_by(Warehouse.id)).all()
    limits = {limit.warehouse_id: limit for limit in
              session.exec(select(StockLimit).where(StockLimit.part_id == part.id)).all()}
    return PartDetail(part=part, barcodes=barcodes_of(session, [part.id]).get(part.id, []),
                      limits=[LimitView(warehouse=w, limit=limits.get(w.id)) for w in warehouses])


def search_catalogue(session: Session, actor: User, query: str, *, include_retired: bool = True,
                     limit: int = 50) -> list[Part]:
    """Parts of the actor's branch by code, name, brand, spec, OE number, category or barcode; a part whose barcode
    is exactly the text comes first, then exact codes, then by code. Retired parts are listed (to un-retire them)
    unless ``include_retired`` is false. A blank query lists the catalogue from the start."""
    require(actor, Permission.VIEW_PARTS)
    text = search_text(query, field="query")
    statement = select(Part).where(Part.branch_id == actor.branch_id)
    if not include_retired:
        statement = statement.where(Part.is_active)
    exact_barcode = exists().where(PartBarcode.part_id == Part.id, PartBarcode.barcode == text)
    if text:
        upper = text.upper()
        statement = statement.where(
            contains(Part.code, upper) | contains(Part.name, text, ignore_case=True)
            | contains(Part.brand, text, ignore_case=True) | contains(Part.spec, text, ignore_case=True)
            | contains(Part.oe_number, upper) | contains(Part.category, text, ignore_case=True)
            | exists().where(PartBarcode.part_id == Part.id, contains(PartBarcode.barcode, text)))
        statement = statement.order_by(case((exact_barcode, 0), (Part.code == upper, 1), else_=2))
    return list(session.exec(statement.order_by(col(Part.is_active).desc(), Part.code).limit(limit)).all())


def part_by_barcode(session: Session, actor: User, barcode: str) -> Part | None:
    """The part a scanned barcode belongs to (retired ones too: the caller says what it may do with it); a scanned
    text that is a part's code finds that part as well."""
    require(actor, Permission.VIEW_PARTS)
    text = search_text(barcode, field="barcode")
    if not text:
        return None
    found = session.exec(select(Part).join(PartBarcode, PartBarcode.part_id == Part.id)
                         .where(PartBarcode.branch_id == actor.branch_id, PartBarcode.barcode == text)).first()
    if found is None:
        found = session.exec(select(Part).where(Part.branch_id == actor.branch_id,
                                                Part.code == text.upper())).first()
    return found


# --- writing ----------------------------------------------------------------------------------------------------


def _warehouse_id(session: Session, branch_id: int, value) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        warehouse = session.get(Warehouse, int(value))
    except (TypeError, ValueError):
        warehouse = None
    if warehouse is None or warehouse.branch_id != branch_id or not warehouse.is_active:
        raise DomainError("请选择本店的仓库", field="default_warehouse_id")
    return warehouse.id


def save_part(session: Session, actor: User, values: dict, part_id=None) -> Part:
    """Create a part (``part_id`` None) or edit one: every field at once, barcodes replaced by the list given.
    Bad input raises ``FormErrors`` with a Chinese message per field and changes nothing."""
    require(actor, Permission.MANAGE_CATALOGUE)
    part = _part(session, actor, part_id) if part_id not in (None, "", 0) else None
    branch_id = part.branch_id if part is not None else actor.branch_id
    cleaned, errors = clean_part(values)
    try:
        cleaned["default_warehouse_id"] = _warehouse_id(session, branch_id, values.get("default_warehouse_id"))
    except DomainError as error:
        errors["default_warehouse_id"] = error.message
    if "code" in cleaned:
        taken = session.exec(select(Part.id).where(Part.branch_id == branch_id, Part.code == cleaned["code"])).first()
        if taken is not None and (part is None or taken != part.id):
            errors["code"] = f"编码{cleaned['code']}已存在"
    barcodes = cleaned.pop("barcodes", [])
    if barcodes:
        owners = session.exec(select(PartBarcode.barcode, Part.code).join(Part, Part.id == PartBarcode.part_id)
                              .where(PartBarcode.branch_id == branch_id, col(PartBarcode.barcode).in_(barcodes),
                                     PartBarcode.part_id != (part.id if part is not None else -1))).first()
        if owners is not None:
            errors["barcodes"] = f"条码{owners[0]}已属于配件{owners[1]}"
    if errors:
        raise FormErrors(errors)

    creating = part is None
    before = None if creating else {key: getattr(part, key) for key in PART_FIELDS}
    if creating:
        part = Part(branch_id=branch_id, **cleaned)
    else:
        for key, value in cleaned.items():
            setattr(part, key, value)
    session.add(part)
    session.flush()
    old_barcodes = [] if creating else barcodes_of(session, [part.id]).get(part.id, [])
    _replace_barcodes(session, part, old_barcodes, barcodes)
    audit.record_saved(session, actor, "part", part, before, PART_FIELDS, code=part.code,
                       **({"barcodes": barcodes} if creating else
                          {"changed": {"barcodes": [old_barcodes, barcodes]}} if old_barcodes != barcodes else {}))
    session.flush()
    return part


def _replace_barcodes(session: Session, part: Part, old: list[str], new: list[str]) -> None:
    gone = [b for b in old if b not in new]
    if gone:
        for row in session.exec(select(PartBarcode).where(PartBarcode.part_id == part.id,
                                                          col(PartBarcode.barcode).in_(gone))).all():
            session.delete(row)
        session.flush()
    for barcode in new:
        if barcode not in old:
            session.add(PartBarcode(branch_id=part.branch_id, part_id=part.id, barcode=barcode))
    session.flush()


def set_part_active(session: Session, actor: User, part_id, active: bool) -> Part:
    """Retire a part (停用: kept with its history, no longer ordered or picked) or bring it back (启用)."""
    require(actor, Permission.MANAGE_CATALOGUE)
    part = _part(session, actor, part_id)
    audit.record_active(session, actor, "part", part, active, on="reactivate", off="retire")
    return part


def set_stock_limit(session: Session, actor: User, part_id, warehouse_id, minimum, maximum) -> StockLimit | None:
    """Set a part's minimum and maximum in one warehouse (max ≥ min ≥ 0); both blank removes the limit."""
    require(actor, Permission.MANAGE_CATALOGUE)
    part = _part(session, actor, part_id)
    warehouse_id = _warehouse_id(session, part.branch_id, warehouse_id)
    if warehouse_id is None:
        raise DomainError("请选择仓库", field="warehouse_id")
    errors: dict[str, str] = {}
    values: dict[str, Decimal | None] = {}
    for key, label, text in (("minimum", "最低库存", minimum), ("maximum", "最高库存", maximum)):
        try:
            value = parse_decimal(text, key, label, required=False, maximum=MAX_LIMIT)
            values[key] = None if value is None else to_fen(value)
        except DomainError as error:
            errors[key] = error.message
    if errors:
        raise FormErrors(errors)
    existing = session.exec(select(StockLimit).where(StockLimit.part_id == part.id,
                                                     StockLimit.warehouse_id == warehouse_id)).first()
    low, high = values["minimum"], values["maximum"]
    if low is None and high is None:
        if existing is not None:
            session.delete(existing)
            audit.record(session, actor, "stock_limit.remove", "part", part.id, branch_id=part.branch_id,
                         warehouse_id=warehouse_id)
            session.flush()
        return None
    if low is None or high is None:
        raise FormErrors({"minimum" if low is None else "maximum": "最低和最高库存要一起填写（都不填则取消）"})
    if high < low:
        raise FormErrors({"maximum": "最高库存不能低于最低库存"})
    limit = existing or StockLimit(branch_id=part.branch_id, part_id=part.id, warehouse_id=warehouse_id)
    if existing is not None and (existing.minimum, existing.maximum) == (low, high):
        return existing
    limit.minimum, limit.maximum = low, high
    session.add(limit)
    session.flush()
    audit.record(session, actor, "stock_limit.set", "part", part.id, branch_id=part.branch_id,
                 warehouse_id=warehouse_id, minimum=low, maximum=high)
    session.flush()
    return limit
