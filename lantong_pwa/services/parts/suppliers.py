"""Suppliers (供应商, issue 15 item 2) and what each offers (SupplierPart: a part at a price, a minimum order quantity
and a quoted lead time).

Payment terms are 现结 (on the day), 月结 N天 (N days after the month's end) or N天 (N days after the document);
``terms_label`` writes them as a person reads them and ``parse_terms`` reads them back (forms and Excel imports).
A deactivated supplier keeps its history and offers but gets no new offers; ``is_usable`` tells purchasing.
``clean_supplier`` / ``clean_offer`` are the one place the fields are checked (the Excel import uses them per row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, func, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.parsing import parse_decimal, parse_int, to_fen
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from lantong_pwa.services.platform.validation import clean_texts, contains, search_text
from models import Part, PaymentTerms, Supplier, SupplierPart, User
from models.common import utc_now

MAX_TERMS_DAYS = 365
MAX_LEAD_DAYS = 365
MAX_PRICE = Decimal("9999999.99")
MAX_QUANTITY = Decimal("99999")
# key → (label, longest, required, upper-case)
TEXT_FIELDS: dict[str, tuple[str, int, bool, bool]] = {
    "code": ("编码", 20, False, True),
    "name": ("名称", 80, True, False),
    "contact": ("联系人", 32, False, False),
    "phone": ("电话", 32, False, False),
    "address": ("地址", 200, False, False),
    "tax_id": ("税号", 20, False, True),
    "bank_account": ("开户行及账号", 100, False, False),
}
SUPPLIER_FIELDS = (*TEXT_FIELDS, "terms", "terms_days")
_MONTHLY = re.compile(r"^月结\s*(\d+)?\s*天?$")
_DAYS = re.compile(r"^(?:账期|帐期)?\s*(\d+)\s*天$")


def is_usable(supplier: Supplier | None) -> bool:
    """Whether purchasing may order from this supplier: it exists and is not deactivated."""
    return supplier is not None and bool(supplier.is_active)


def terms_label(terms: PaymentTerms | str, days: int) -> str:
    terms = PaymentTerms(terms)
    if terms == PaymentTerms.CASH:
        return "现结"
    if terms == PaymentTerms.MONTHLY:
        return f"月结{days}天" if days else "月结"
    return f"{days}天"


def parse_terms(text: object) -> tuple[PaymentTerms, int]:
    """``现结``, ``月结30天`` (``月结`` alone: at the month's end) or ``30天`` / ``账期30天``."""
    raw = str(text or "").strip().replace(" ", "")
    if raw in ("", "现结", "现金", "现款"):
        return PaymentTerms.CASH, 0
    monthly = _MONTHLY.match(raw)
    days = _DAYS.match(raw)
    if monthly is None and days is None:
        raise DomainError("结算方式应为“现结”“月结30天”或“30天”", field="terms")
    value = int((monthly or days).group(1) or 0)
    if value > MAX_TERMS_DAYS or (days is not None and value < 1):
        raise DomainError(f"账期天数应在1到{MAX_TERMS_DAYS}之间", field="terms")
    return (PaymentTerms.MONTHLY, value) if monthly is not None else (PaymentTerms.DAYS, value)


def clean_supplier(values: dict) -> tuple[dict, dict[str, str]]:
    """A supplier's fields from a form (``terms`` cash/monthly/days and ``terms_days``) or an import row (``terms``
    written as 现结 / 月结30天 / 30天): the cleaned values and a Chinese message per bad field."""
    cleaned, errors = clean_texts(values, TEXT_FIELDS)
    terms = str(values.get("terms") or "").strip()
    try:
        if terms in {t.value for t in PaymentTerms}:
            kind = PaymentTerms(terms)
            days = 0 if kind == PaymentTerms.CASH else parse_int(
                values.get("terms_days"), "terms_days", "账期天数", minimum=1 if kind == PaymentTerms.DAYS else 0,
                maximum=MAX_TERMS_DAYS)
        else:
            kind, days = parse_terms(terms)
        cleaned["terms"], cleaned["terms_days"] = kind, days
    except DomainError as error:
        errors[error.field or "terms"] = error.message
    return cleaned, errors


def clean_offer(values: dict) -> tuple[dict, dict[str, str]]:
    """An offer's price, minimum quantity and lead time (days)."""
    cleaned: dict = {}
    errors: dict[str, str] = {}
    try:
        cleaned["price"] = to_fen(parse_decimal(values.get("price"), "price", "单价", maximum=MAX_PRICE))
    except DomainError as error:
        errors["price"] = error.message
    try:
        quantity = parse_decimal(values.get("min_quantity"), "min_quantity", "最小订量", required=False,
                                 maximum=MAX_QUANTITY)
        cleaned["min_quantity"] = to_fen(quantity if quantity is not None else Decimal(0))
    except DomainError as error:
        errors["min_quantity"] = error.message
    try:
        lead = parse_int(values.get("lead_days"), "lead_days", "供货周期（天）", maximum=MAX_LEAD_DAYS,
                         required=False)
        cleaned["lead_days"] = lead or 0
    except DomainError as error:
        errors["lead_days"] = error.message
    return cleaned, errors


# --- suppliers --------------------------------------------------------------------------------------------------


def _supplier(session: Session, actor: User, supplier_id) -> Supplier:
    try:
        supplier_id = int(supplier_id)
    except (TypeError, ValueError):
        raise DomainError("供应商不存在") from None
    return row_in_branch(session, actor, Supplier, supplier_id, "供应商不存在")


def get_supplier(session: Session, actor: User, supplier_id) -> Supplier:
    require(actor, Permission.VIEW_PARTS)
    return _supplier(session, actor, supplier_id)


def list_suppliers(session: Session, actor: User, query: str = "", *, include_inactive: bool = True,
                   limit: int = 100) -> list[Supplier]:
    """Suppliers of the actor's branch by code, name, contact or phone; active ones first, then by code."""
    require(actor, Permission.VIEW_PARTS)
    text = search_text(query, field="query")
    statement = select(Supplier).where(Supplier.branch_id == actor.branch_id)
    if not include_inactive:
        statement = statement.where(Supplier.is_active)
    if text:
        statement = statement.where(contains(Supplier.code, text.upper()) | contains(Supplier.name, text)
                                    | contains(Supplier.contact, text) | contains(Supplier.phone, text))
    return list(session.exec(statement.order_by(col(Supplier.is_active).desc(), Supplier.code).limit(limit)).all())


def next_supplier_code(session: Session, branch_id: int) -> str:
    """``GYS0001``, ``GYS0002``…: the next free code, for a supplier saved without one."""
    count = session.exec(select(func.count()).select_from(Supplier).where(Supplier.branch_id == branch_id)).one()
    taken = set(session.exec(select(Supplier.code).where(Supplier.branch_id == branch_id,
                                                         col(Supplier.code).like("GYS%"))).all())
    number = count + 1
    while f"GYS{number:04d}" in taken:
        number += 1
    return f"GYS{number:04d}"


def save_supplier(session: Session, actor: User, values: dict, supplier_id=None) -> Supplier:
    """Create (``supplier_id`` None; a blank code gets the next GYS number) or edit a supplier."""
    require(actor, Permission.MANAGE_CATALOGUE)
    supplier = _supplier(session, actor, supplier_id) if supplier_id not in (None, "", 0) else None
    branch_id = supplier.branch_id if supplier is not None else actor.branch_id
    cleaned, errors = clean_supplier(values)
    if "code" in cleaned:
        if not cleaned["code"]:
            if supplier is not None:
                errors["code"] = "请输入编码"
            else:
                cleaned["code"] = next_supplier_code(session, branch_id)
        taken = session.exec(select(Supplier.id).where(Supplier.branch_id == branch_id,
                                                       Supplier.code == cleaned["code"])).first()
        if taken is not None and (supplier is None or taken != supplier.id):
            errors["code"] = f"编码{cleaned['code']}已存在"
    if errors:
        raise FormErrors(errors)
    before = None if supplier is None else {key: getattr(supplier, key) for key in SUPPLIER_FIELDS}
    if supplier is None:
        supplier = Supplier(branch_id=branch_id, **cleaned)
    else:
        for key, value in cleaned.items():
            setattr(supplier, key, value)
    session.add(supplier)
    session.flush()
    audit.record_saved(session, actor, "supplier", supplier, before, SUPPLIER_FIELDS, code=supplier.code)
    session.flush()
    return supplier


def set_supplier_active(session: Session, actor: User, supplier_id, active: bool) -> Supplier:
    """Deactivate (停用: kept with its history, no new orders or offers) or reactivate a supplier."""
    require(actor, Permission.MANAGE_CATALOGUE)
    supplier = _supplier(session, actor, supplier_id)
    audit.record_active(session, actor, "supplier", supplier, active, on="reactivate", off="deactivate")
    return supplier


# --- offers -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    offer: SupplierPart
    part: Part
    supplier: Supplier


def _offers(session: Session, actor: User, **where) -> list[Offer]:
    statement = (select(SupplierPart, Part, Supplier).join(Part, Part.id == SupplierPart.part_id)
                 .join(Supplier, Supplier.id == SupplierPart.supplier_id)
                 .where(SupplierPart.branch_id == actor.branch_id))
    for key, value in where.items():
        statement = statement.where(getattr(SupplierPart, key) == value)
    return [Offer(offer=o, part=p, supplier=s)
            for o, p, s in session.exec(statement.order_by(Part.code, Supplier.code)).all()]


def offers_of_supplier(session: Session, actor: User, supplier_id) -> list[Offer]:
    require(actor, Permission.VIEW_PARTS)
    supplier = _supplier(session, actor, supplier_id)
    return _offers(session, actor, supplier_id=supplier.id)


def offers_for_part(session: Session, actor: User, part_id) -> list[Offer]:
    """Every supplier's offer for one part (purchasing compares them), cheapest first."""
    require(actor, Permission.VIEW_PARTS)
    try:
        part_id = int(part_id)
    except (TypeError, ValueError):
        raise DomainError("配件不存在") from None
    part = row_in_branch(session, actor, Part, part_id, "配件不存在")
    return sorted(_offers(session, actor, part_id=part.id), key=lambda o: (o.offer.price, o.supplier.code))


def save_offer(session: Session, actor: User, supplier_id, part_id, values: dict) -> SupplierPart:
    """Add a part to what a supplier offers, or change the offer's price, minimum quantity and lead time (one offer
    per supplier and part)."""
    require(actor, Permission.MANAGE_CATALOGUE)
    supplier = _supplier(session, actor, supplier_id)
    errors: dict[str, str] = {}
    part = None
    try:
        part = row_in_branch(session, actor, Part, int(part_id), "配件不存在")
        if part.branch_id != supplier.branch_id:
            raise DomainError("配件不存在")
    except (TypeError, ValueError, DomainError):
        errors["part_id"] = "请选择配件目录中的配件"
        part = None
    if not supplier.is_active:
        errors["form"] = f"供应商{supplier.name}已停用，不能添加或修改报价"
    cleaned, field_errors = clean_offer(values)
    errors.update(field_errors)
    existing = None if part is None else session.exec(select(SupplierPart).where(
        SupplierPart.supplier_id == supplier.id, SupplierPart.part_id == part.id)).first()
    if part is not None and not part.is_active and existing is None:
        errors["part_id"] = f"配件{part.code}已停用，不能添加报价"
    if errors:
        raise FormErrors(errors)
    offer = existing or SupplierPart(branch_id=supplier.branch_id, supplier_id=supplier.id, part_id=part.id)
    before = None if existing is None else (existing.price, existing.min_quantity, existing.lead_days)
    if before == (cleaned["price"], cleaned["min_quantity"], cleaned["lead_days"]):
        return existing
    offer.price, offer.min_quantity, offer.lead_days = cleaned["price"], cleaned["min_quantity"], cleaned["lead_days"]
    offer.updated_at = utc_now()
    session.add(offer)
    session.flush()
    audit.record(session, actor, "supplier_part.create" if existing is None else "supplier_part.update",
                 "supplier_part", offer.id, branch_id=offer.branch_id, supplier_id=supplier.id, part_id=part.id,
                 price=offer.price, min_quantity=offer.min_quantity, lead_days=offer.lead_days,
                 **({} if before is None else {"before": [str(v) for v in before]}))
    session.flush()
    return offer


def remove_offer(session: Session, actor: User, offer_id) -> None:
    require(actor, Permission.MANAGE_CATALOGUE)
    try:
        offer_id = int(offer_id)
    except (TypeError, ValueError):
        raise DomainError("报价不存在") from None
    offer = row_in_branch(session, actor, SupplierPart, offer_id, "报价不存在")
    audit.record(session, actor, "supplier_part.remove", "supplier_part", offer.id, branch_id=offer.branch_id,
                 supplier_id=offer.supplier_id, part_id=offer.part_id, price=offer.price)
    session.delete(offer)
    session.flush()
