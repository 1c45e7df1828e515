"""调价 (P12): change the sale prices of a selection of parts — a category, a supplier's parts, or chosen parts.

- Rules: ± % on the current sale price, or a markup over cost (new = cost × (1 + %)). The cost is the on-hand
  weighted average cost over the branch's warehouses when any stock is on hand, else the catalogue cost
  (``Part.cost``); a part with no cost is left out of a markup. New prices round half up to 0.1 or 1 yuan.
- ``prepare`` saves the preview: one line per part whose price changes (old → new). ``apply`` applies exactly those
  lines, dated now: the document moves 待执行 → 已执行 by compare-and-set (so never twice), and each part's price
  changes only if it is still the previewed old price (else nothing changes: preview again).
- Settled orders keep their prices: a settlement copies each line's price when it is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, allows, require, row_in_branch
from lantong_pwa.timezone import local_day
from models import (
    Part,
    PriceAdjustment,
    PriceAdjustmentStatus,
    PriceChange,
    PriceRule,
    StockBalance,
    Supplier,
    SupplierPart,
    User,
)
from models.common import utc_now

PREFIX = "TJ"
ROUNDINGS = (Decimal("0.10"), Decimal("1.00"))
PERCENT_LIMITS = {PriceRule.PERCENT: (Decimal(-90), Decimal(300)), PriceRule.MARGIN: (Decimal(0), Decimal(500))}
MAX_PARTS = 5000


class Action:
    APPLY = "apply"
    CANCEL = "cancel"


@dataclass
class PriceForm:
    category: str = ""
    supplier_id: int | str = ""
    part_ids: list[int] = field(default_factory=list)
    rule: str = PriceRule.PERCENT.value
    percent: str | Decimal = ""
    rounding: str | Decimal = "1"
    request_key: str = ""


def round_price(price: Decimal, step: Decimal) -> Decimal:
    return to_fen((price / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def new_price(rule: PriceRule, percent: Decimal, step: Decimal, sale_price: Decimal, cost: Decimal) -> Decimal:
    base = sale_price if rule == PriceRule.PERCENT else cost
    return max(round_price(base * (1 + percent / 100), step), Decimal("0.00"))


def cost_basis(session: Session, branch_id: int, part_ids: list[int]) -> dict[int, Decimal]:
    """Per part, the on-hand weighted average cost over the branch's warehouses (parts with stock on hand only)."""
    rows = session.exec(select(StockBalance.part_id, func.sum(StockBalance.on_hand),
                               func.sum(StockBalance.on_hand * StockBalance.average_cost))
                        .where(StockBalance.branch_id == branch_id, col(StockBalance.part_id).in_(part_ids or [-1]),
                               StockBalance.on_hand > 0)
                        .group_by(StockBalance.part_id)).all()
    return {part_id: (Decimal(str(value)) / Decimal(str(quantity))).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            for part_id, quantity, value in rows if quantity}


def _percent(text, rule: PriceRule) -> Decimal:
    raw = str(text if text is not None else "").strip().replace("％", "").replace("%", "")
    negative = raw[:1] in ("-", "－")
    value = parse_decimal(raw.lstrip("+-－"), "percent", "百分比", maximum=Decimal(1000))
    value = -value if negative else value
    low, high = PERCENT_LIMITS[rule]
    if not low <= value <= high:
        raise DomainError(f"百分比应在{low}%到{high}%之间", field="percent")
    return value.quantize(Decimal("0.01"))


def _selection(session: Session, actor: User, form: PriceForm, errors: dict[str, str]) -> tuple[list[Part], str]:
    statement = select(Part).where(Part.branch_id == actor.branch_id, Part.is_active)
    described = []
    category = (form.category or "").strip()
    if category:
        statement = statement.where(Part.category == category)
        described.append(f"类别：{category}")
    if str(form.supplier_id or "").strip():
        try:
            supplier = session.get(Supplier, int(form.supplier_id))
        except (TypeError, ValueError):
            supplier = None
        if supplier is None or supplier.branch_id != actor.branch_id:
            errors["supplier_id"] = "请选择本店的供应商"
            return [], ""
        statement = statement.where(col(Part.id).in_(select(SupplierPart.part_id)
                                                     .where(SupplierPart.supplier_id == supplier.id)))
        described.append(f"供应商：{supplier.name}")
    if form.part_ids:
        try:
            ids = [int(i) for i in form.part_ids]
        except (TypeError, ValueError):
            ids = [-1]
        statement = statement.where(col(Part.id).in_(ids))
        described.append(f"指定配件{len(ids)}个")
    if not described:
        errors["selection"] = "请选择类别、供应商或配件"
        return [], ""
    found = list(session.exec(statement.order_by(Part.code).limit(MAX_PARTS + 1)).all())
    if not found:
        errors["selection"] = "没有符合条件的在用配件"
    elif len(found) > MAX_PARTS:
        errors["selection"] = f"一次最多调整{MAX_PARTS}个配件，请缩小范围"
    return found, "，".join(described)[:200]


def part_categories(session: Session, actor: User) -> list[str]:
    """The categories the branch's active parts are filed under: what a selection can name."""
    require(actor, Permission.ADJUST_PRICES)
    return list(session.exec(select(Part.category).where(Part.branch_id == actor.branch_id, Part.is_active,
                                                         Part.category != "")
                             .distinct().order_by(Part.category)).all())


def _earlier(session: Session, branch_id: int, request_key: str) -> PriceAdjustment | None:
    return session.exec(select(PriceAdjustment).where(PriceAdjustment.branch_id == branch_id,
                                                      PriceAdjustment.request_key == request_key)).first()


def prepare(session: Session, actor: User, form: PriceForm) -> PriceAdjustment:
    """Save the preview of an adjustment (待执行): the parts whose price the rule changes, old → new."""
    require(actor, Permission.ADJUST_PRICES)
    if not form.request_key:
        raise DomainError("请刷新页面后重试")
    earlier = _earlier(session, actor.branch_id, form.request_key)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    rule = percent = step = None
    try:
        rule = PriceRule(form.rule)
    except ValueError:
        errors["rule"] = "请选择调价方式"
    if rule is not None:
        try:
            percent = _percent(form.percent, rule)
        except DomainError as error:
            errors["percent"] = error.message
    try:
        step = Decimal(str(form.rounding).strip())
    except ArithmeticError:
        step = None
    if step not in ROUNDINGS:
        errors["rounding"] = "请选择取整到角或元"
    parts, described = _selection(session, actor, form, errors)
    if errors:
        raise FormErrors(errors)
    averages = cost_basis(session, actor.branch_id, [p.id for p in parts]) if rule == PriceRule.MARGIN else {}
    changes = []
    for part in parts:
        cost = averages.get(part.id, part.cost)
        if rule == PriceRule.MARGIN and cost <= 0:
            continue  # no cost to mark up
        price = new_price(rule, percent, step, part.sale_price, cost)
        if price != part.sale_price:
            changes.append((part, cost, price))
    if not changes:
        raise DomainError("按此规则，所选配件的售价都不变", field="percent")
    adjustment = PriceAdjustment(branch_id=actor.branch_id, number=next_number(session, actor.branch_id, PREFIX,
                                                                               local_day(utc_now())),
                                 selection=described, rule=rule, percent=percent, rounding=step,
                                 created_by_id=actor.id, request_key=form.request_key)
    session.add(adjustment)
    session.flush()
    session.add_all(PriceChange(branch_id=actor.branch_id, price_adjustment_id=adjustment.id, part_id=part.id,
                                old_price=part.sale_price, new_price=price,
                                cost=Decimal(cost).quantize(Decimal("0.0001")))
                    for part, cost, price in changes)
    audit.record(session, actor, "price_adjustment.prepare", "price_adjustment", adjustment.id,
                 branch_id=adjustment.branch_id, number=adjustment.number, selection=described, rule=rule.value,
                 percent=percent, rounding=step, parts=len(changes))
    session.flush()
    return adjustment


def get_adjustment(session: Session, actor: User, adjustment_id) -> PriceAdjustment:
    require(actor, Permission.ADJUST_PRICES)
    try:
        adjustment_id = int(adjustment_id)
    except (TypeError, ValueError):
        raise NotFound("调价单不存在") from None
    return row_in_branch(session, actor, PriceAdjustment, adjustment_id, "调价单不存在")


def changes_of(session: Session, adjustment_id: int) -> list[tuple[PriceChange, Part]]:
    return list(session.exec(select(PriceChange, Part).join(Part, Part.id == PriceChange.part_id)
                             .where(PriceChange.price_adjustment_id == adjustment_id).order_by(Part.code)).all())


def allowed_actions(actor: User, adjustment: PriceAdjustment) -> list[str]:
    if adjustment.status != PriceAdjustmentStatus.DRAFT or not allows(actor, Permission.ADJUST_PRICES):
        return []
    return [Action.APPLY, Action.CANCEL]


def _move(session: Session, actor: User, adjustment_id, to: PriceAdjustmentStatus, **values) -> PriceAdjustment:
    adjustment = get_adjustment(session, actor, adjustment_id)
    moved = session.execute(update(PriceAdjustment)
                            .where(PriceAdjustment.id == adjustment.id,
                                   PriceAdjustment.status == PriceAdjustmentStatus.DRAFT)
                            .values(status=to, **values).execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise DomainError("调价单已执行或已作废，请刷新后查看")
    session.refresh(adjustment)
    return adjustment


def apply(session: Session, actor: User, adjustment_id) -> PriceAdjustment:
    """Apply the previewed prices, dated now; refused if already applied or cancelled, or if a part's price changed
    since the preview (then nothing changes)."""
    require(actor, Permission.ADJUST_PRICES)
    adjustment = _move(session, actor, adjustment_id, PriceAdjustmentStatus.APPLIED, applied_by_id=actor.id,
                       applied_at=utc_now())
    changed = changes_of(session, adjustment.id)
    for change, part in changed:
        done = session.execute(update(Part).where(Part.id == part.id, Part.sale_price == change.old_price)
                               .values(sale_price=change.new_price).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            raise DomainError(f"{part.name}（{part.code}）的售价在预览后已被修改，请作废此单重新预览")
    audit.record(session, actor, "price_adjustment.apply", "price_adjustment", adjustment.id,
                 branch_id=adjustment.branch_id, number=adjustment.number, parts=len(changed))
    session.flush()
    session.expire_all()
    return adjustment


def cancel(session: Session, actor: User, adjustment_id) -> PriceAdjustment:
    adjustment = _move(session, actor, adjustment_id, PriceAdjustmentStatus.CANCELLED)
    audit.record(session, actor, "price_adjustment.cancel", "price_adjustment", adjustment.id,
                 branch_id=adjustment.branch_id, number=adjustment.number)
    session.flush()
    return adjustment


def recent_adjustments(session: Session, actor: User, limit: int = 30) -> list[PriceAdjustment]:
    require(actor, Permission.ADJUST_PRICES)
    return list(session.exec(select(PriceAdjustment).where(PriceAdjustment.branch_id == actor.branch_id)
                             .order_by(col(PriceAdjustment.id).desc()).limit(limit)).all())


@dataclass(frozen=True)
class PriceHistoryEntry:
    applied_at: datetime
    number: str
    old_price: Decimal
    new_price: Decimal
    applied_by_id: int


def price_history(session: Session, actor: User, part_id) -> list[PriceHistoryEntry]:
    """A part's applied price changes, newest first."""
    require(actor, Permission.VIEW_PARTS)
    try:
        part = row_in_branch(session, actor, Part, int(part_id), "配件不存在")
    except (TypeError, ValueError):
        raise NotFound("配件不存在") from None
    rows = session.exec(select(PriceChange, PriceAdjustment)
                        .join(PriceAdjustment, PriceAdjustment.id == PriceChange.price_adjustment_id)
                        .where(PriceChange.part_id == part.id,
                               PriceAdjustment.status == PriceAdjustmentStatus.APPLIED)
                        .order_by(col(PriceAdjustment.applied_at).desc(), col(PriceAdjustment.id).desc())).all()
    return [PriceHistoryEntry(applied_at=a.applied_at, number=a.number, old_price=c.old_price,
                              new_price=c.new_price, applied_by_id=a.applied_by_id) for c, a in rows]
