"""A branch's own settings: the VAT rate inside its prices, the other-fee types (外加工, 材料费 …) it charges, the
follow-up delay, the repair warranty printed on the 结算单 and what technicians see on vehicle cards."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.parsing import parse_decimal, parse_int, to_fen
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from models import Branch, FeeType, User

MAX_VAT_RATE = Decimal("30")
FOLLOW_UP_DAYS_MIN, FOLLOW_UP_DAYS_MAX = 1, 60
WARRANTY_DAYS_MAX, WARRANTY_KM_MAX = 1095, 100_000


def branch_of(session: Session, actor: User) -> Branch:
    require(actor, Permission.MANAGE_SETTINGS)
    return session.get(Branch, actor.branch_id)


def set_vat_rate(session: Session, actor: User, rate_text: str) -> Branch:
    """The VAT rate (percent) shown inside tax-inclusive prices on new settlements; earlier ones keep theirs."""
    branch = branch_of(session, actor)
    rate = parse_decimal(rate_text, "vat_rate", "税率")
    if rate > MAX_VAT_RATE:
        raise DomainError(f"税率应在0到{MAX_VAT_RATE}之间", field="vat_rate")
    rate = to_fen(rate)
    if rate != branch.vat_rate:
        audit.record(session, actor, "branch.vat_rate", "branch", branch.id, before=branch.vat_rate, after=rate)
        branch.vat_rate = rate
        session.add(branch)
        session.flush()
    return branch


def all_fee_types(session: Session, actor: User) -> list[FeeType]:
    require(actor, Permission.MANAGE_SETTINGS)
    return list(session.exec(select(FeeType).where(FeeType.branch_id == actor.branch_id)
                             .order_by(col(FeeType.is_active).desc(), FeeType.id)).all())


def add_fee_type(session: Session, actor: User, name: str, default_amount: str) -> FeeType:
    require(actor, Permission.MANAGE_SETTINGS)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["fee_name"] = "请填写费用名称"
    elif len(name) > 32:
        errors["fee_name"] = "费用名称不能超过32字"
    elif session.exec(select(FeeType.id).where(FeeType.branch_id == actor.branch_id, FeeType.name == name)).first():
        errors["fee_name"] = f"已有名为“{name}”的费用"
    amount = Decimal("0.00")
    try:
        amount = to_fen(parse_decimal(default_amount, "fee_amount", "默认金额", required=False) or Decimal("0"))
    except DomainError as error:
        errors["fee_amount"] = error.message
    if errors:
        raise FormErrors(errors)
    fee_type = FeeType(branch_id=actor.branch_id, name=name, default_amount=amount)
    session.add(fee_type)
    session.flush()
    audit.record(session, actor, "fee_type.create", "fee_type", fee_type.id, name=name, default_amount=amount)
    session.flush()
    return fee_type


def set_fee_type_active(session: Session, actor: User, fee_type_id: int, active: bool) -> FeeType:
    """Stop offering a fee (orders that already carry it keep it), or offer it again."""
    require(actor, Permission.MANAGE_SETTINGS)
    fee_type = row_in_branch(session, actor, FeeType, fee_type_id, "费用类型不存在")
    if fee_type.is_active != active:
        fee_type.is_active = active
        session.add(fee_type)
        audit.record(session, actor, "fee_type.enable" if active else "fee_type.disable", "fee_type", fee_type.id)
        session.flush()
    return fee_type


def set_follow_up_days(session: Session, actor: User, days_text: str) -> Branch:
    """How many days after an order closes its follow-up falls due (orders closing from now on)."""
    branch = branch_of(session, actor)
    days = parse_int(days_text, "follow_up_days", "回访天数", minimum=FOLLOW_UP_DAYS_MIN, maximum=FOLLOW_UP_DAYS_MAX)
    if days != branch.follow_up_days:
        audit.record(session, actor, "branch.follow_up_days", "branch", branch.id, before=branch.follow_up_days,
                     after=days)
        branch.follow_up_days = days
        session.add(branch)
        session.flush()
    return branch


def set_warranty(session: Session, actor: User, days_text: str, km_text: str) -> Branch:
    """维修质保期: the days and kilometres (0: no km limit) printed on 结算单 made from now on, whichever comes
    first; earlier sheets keep theirs."""
    branch = branch_of(session, actor)
    errors, values = {}, {}
    for field, text, label, minimum, maximum in (("warranty_days", days_text, "质保天数", 1, WARRANTY_DAYS_MAX),
                                                 ("warranty_km", km_text, "质保里程", 0, WARRANTY_KM_MAX)):
        try:
            values[field] = parse_int(text, field, label, minimum=minimum, maximum=maximum)
        except DomainError as error:
            errors[field] = error.message
    if errors:
        raise FormErrors(errors)
    before = {field: getattr(branch, field) for field in values}
    if before != values:
        audit.record(session, actor, "branch.warranty", "branch", branch.id, before=before, after=values)
        for field, value in values.items():
            setattr(branch, field, value)
        session.add(branch)
        session.flush()
    return branch


def warranty_text(days: int | None, km: int | None) -> str:
    """How a sheet words the warranty: 30天或5,000公里（以先到者为准）; empty when the sheet has none."""
    if days is None:
        return ""
    return f"{days}天或{km:,}公里（以先到者为准）" if km else f"{days}天"


def set_technicians_see_contact_and_prices(session: Session, actor: User, allowed: bool) -> Branch:
    """技师可见客户电话和价格: whether technicians see the owner's mobile and every price on vehicle cards (off: only
    what the job needs). Flushes; the caller's unit of work commits."""
    branch = branch_of(session, actor)
    if allowed != branch.technicians_see_contact_and_prices:
        audit.record(session, actor, "branch.technicians_see_contact_and_prices", "branch", branch.id,
                     before=branch.technicians_see_contact_and_prices, after=allowed)
        branch.technicians_see_contact_and_prices = allowed
        session.add(branch)
        session.flush()
    return branch
