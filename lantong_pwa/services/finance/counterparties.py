"""Insurers and manufacturers (往来单位, issue 17 item 1): the parties that pay their shares of settlements (保险 and
三包 lines). Finance staff list, create, edit and retire them per branch, with contact, phone, tax ID and terms; a
settlement naming a new one creates it (receivables.counterparty_for). A retired party keeps its items and its
history, and refuses new shares until it is restored. Each one's open balance is the sum of its open items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, func, select

from lantong_pwa.errors import FormErrors, NotFound
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.permissions import Permission, require, require_branch
from models import Counterparty, Direction, OpenItem, PartyKind, PaymentTerms, User

KINDS = (PartyKind.INSURER, PartyKind.MANUFACTURER)
NAME_MAX = 48
TAX_ID = re.compile(r"^[0-9A-Z]{15,20}$")  # 统一社会信用代码 (18) or an older 税号 (15–20)


@dataclass(frozen=True)
class PartyForm:
    kind: str
    name: str
    contact: str = ""
    phone: str = ""
    address: str = ""
    tax_id: str = ""
    terms: str = PaymentTerms.CASH.value
    terms_days: str = "0"


@dataclass(frozen=True)
class PartyRow:
    party: Counterparty
    open_balance: Decimal  # what it owes the shop now


def list_parties(session: Session, actor: User, *, include_retired: bool = False) -> list[PartyRow]:
    """The branch's insurers and manufacturers (active first, then by kind and name), each with its open balance;
    two queries however many."""
    require(actor, Permission.MANAGE_COUNTERPARTIES)
    query = select(Counterparty).where(Counterparty.branch_id == actor.branch_id)
    if not include_retired:
        query = query.where(Counterparty.is_active)
    parties = list(session.exec(query.order_by(col(Counterparty.is_active).desc(), Counterparty.kind,
                                               Counterparty.name)).all())
    balances = dict(session.exec(
        select(OpenItem.party_id, func.sum(OpenItem.open_amount))
        .where(OpenItem.branch_id == actor.branch_id, col(OpenItem.party_kind).in_(KINDS),
               OpenItem.direction == Direction.RECEIVABLE, OpenItem.open_amount != 0)
        .group_by(OpenItem.party_id)).all())
    return [PartyRow(party=p, open_balance=Decimal(balances.get(p.id) or 0).quantize(Decimal("0.01")))
            for p in parties]


def _checked(session: Session, branch_id: int, form: PartyForm, party_id: int | None) -> dict:
    errors: dict[str, str] = {}
    try:
        kind = PartyKind(form.kind)
        if kind not in KINDS:
            raise ValueError
    except ValueError:
        kind = None
        errors["kind"] = "请选择保险公司或厂家"
    name = (form.name or "").strip()
    if not name:
        errors["name"] = "请填写名称"
    elif len(name) > NAME_MAX:
        errors["name"] = f"名称不能超过{NAME_MAX}字"
    elif kind is not None:
        same = session.exec(select(Counterparty.id).where(Counterparty.branch_id == branch_id,
                                                          Counterparty.kind == kind, Counterparty.name == name)).first()
        if same is not None and same != party_id:
            errors["name"] = f"已有同名{kind.label}"
    values = dict(kind=kind, name=name)
    for field_name, label, limit in (("contact", "联系人", 32), ("phone", "电话", 32), ("address", "地址", 200)):
        value = (getattr(form, field_name) or "").strip()
        if len(value) > limit:
            errors[field_name] = f"{label}不能超过{limit}字"
        values[field_name] = value
    tax_id = (form.tax_id or "").strip().upper()
    if tax_id and not TAX_ID.match(tax_id):
        errors["tax_id"] = "税号应为15–20位数字或大写字母（统一社会信用代码为18位）"
    values["tax_id"] = tax_id
    terms, days = terms_of(form.terms, form.terms_days, errors)
    values.update(terms=terms, terms_days=days)
    if errors:
        raise FormErrors(errors)
    return values


def terms_of(terms: str, days_text: str, errors: dict[str, str]) -> tuple[PaymentTerms, int]:
    """Terms as typed (现结, 月结 N天, N天), their problems added to ``errors``; 现结 has no days."""
    try:
        chosen = PaymentTerms(terms)
    except ValueError:
        errors["terms"] = "请选择结算方式"
        return PaymentTerms.CASH, 0
    if chosen == PaymentTerms.CASH:
        return chosen, 0
    text = str(days_text or "").strip() or "0"
    if not text.isdigit() or not 0 <= int(text) <= 365:
        errors["terms_days"] = "天数应为0–365的整数"
        return chosen, 0
    return chosen, int(text)


FIELDS = ("kind", "name", "contact", "phone", "address", "tax_id", "terms", "terms_days")


def _snapshot(party: Counterparty) -> dict:
    return {f: (getattr(party, f).value if hasattr(getattr(party, f), "value") else getattr(party, f))
            for f in FIELDS}


def save_party(session: Session, actor: User, party_id: int | None, form: PartyForm) -> Counterparty:
    """Create (``party_id`` None) or edit an insurer or manufacturer of the actor's branch; audited with what
    changed. A renamed party keeps its items: settlement lines hold its id."""
    require(actor, Permission.MANAGE_COUNTERPARTIES)
    party = None
    if party_id is not None:
        party = _party(session, actor, party_id)
    branch_id = party.branch_id if party else actor.branch_id
    values = _checked(session, branch_id, form, party_id)
    if party is None:
        party = Counterparty(branch_id=branch_id, **values)
        session.add(party)
        session.flush()
        audit.record(session, actor, "counterparty.create", "counterparty", party.id, branch_id=branch_id,
                     **_snapshot(party))
    else:
        before = _snapshot(party)
        for key, value in values.items():
            setattr(party, key, value)
        after = _snapshot(party)
        if before != after:
            session.add(party)
            audit.record(session, actor, "counterparty.update", "counterparty", party.id, branch_id=branch_id,
                         before={k: v for k, v in before.items() if after[k] != v},
                         after={k: v for k, v in after.items() if before[k] != v})
    session.flush()
    return party


def _party(session: Session, actor: User, party_id: int) -> Counterparty:
    party = session.get(Counterparty, party_id)
    if party is None:
        raise NotFound("往来单位不存在")
    require_branch(actor, party.branch_id)
    return party


def set_active(session: Session, actor: User, party_id: int, active: bool) -> Counterparty:
    """Retire (停用) or restore (启用) a party; audited. A retired party's items stay as they are."""
    require(actor, Permission.MANAGE_COUNTERPARTIES)
    party = _party(session, actor, party_id)
    if party.is_active != active:
        party.is_active = active
        session.add(party)
        audit.record(session, actor, "counterparty.restore" if active else "counterparty.retire", "counterparty",
                     party.id, branch_id=party.branch_id, name=party.name)
        session.flush()
    return party
