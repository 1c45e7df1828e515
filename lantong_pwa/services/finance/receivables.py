"""What is owed to the shop (应收, issue 17 item 1–2): the receivable open items that settlements and 挂账 payments
post, and the credit control that reads them.

- **Posting.** A customer's 挂账 payment adds an ``ON_ACCOUNT`` item for the customer, due by the customer's terms.
  Settling an order adds one ``INSURANCE_SHARE`` item per insurer named on its 保险 lines and one ``WARRANTY_SHARE``
  item per manufacturer named on its 三包 lines, due by that party's terms. Both happen in the document's own
  transaction (the caller's unit).
- **Parties.** A line names its insurer or manufacturer in ``payer_party``; ``counterparty_for`` finds the branch's
  ``Counterparty`` of that name or creates it (audited), so the settlement line keeps the party's id and later
  renames do not lose it. A retired party refuses new shares.
- **Reopening.** A settlement's items are taken back by new ``REVERSAL`` items (never edited), each allocated against
  its original at once. Refused when any of them was already settled in part (collected, or an advance applied to
  it): the money received would otherwise be left hanging; the collection has to be undone first, by the finance
  staff, as a document of its own.
- **Credit control.** What a customer owes is the sum of their open receivable items (``owed``); a 挂账 may not take
  it over the credit limit, and a customer with an overdue item (due before today, still open) gets no new 挂账
  unless a manager of the branch authorises it on the cashier's screen with their own username and password and a
  reason (``authorise_override``); the override is audited with who, why and the amounts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.finance import allocation, counterparties, open_items
from lantong_pwa.services.platform import audit, auth
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, allows, require, row_in_branch, sees_all_branches
from models import (
    Counterparty,
    Customer,
    CustomerKind,
    Direction,
    OpenItem,
    OpenItemSource,
    PartyKind,
    Payer,
    Payment,
    PaymentTerms,
    Settlement,
    SettlementLine,
    User,
)

ZERO = Decimal("0.00")
PARTY_OF_PAYER = {Payer.INSURANCE: PartyKind.INSURER, Payer.WARRANTY: PartyKind.MANUFACTURER}
SOURCE_OF_PAYER = {Payer.INSURANCE: OpenItemSource.INSURANCE_SHARE, Payer.WARRANTY: OpenItemSource.WARRANTY_SHARE}
SHARE_SOURCES = (OpenItemSource.INSURANCE_SHARE, OpenItemSource.WARRANTY_SHARE)


# --- parties ---------------------------------------------------------------------------------------------------


def _named(session: Session, branch_id: int, kind: PartyKind, name: str) -> Counterparty | None:
    return session.exec(select(Counterparty).where(Counterparty.branch_id == branch_id, Counterparty.kind == kind,
                                                   Counterparty.name == name)).first()


def counterparty_for(session: Session, actor: User, branch_id: int, payer: Payer | str, name: str) -> Counterparty:
    """The branch's insurer (保险 lines) or manufacturer (三包 lines) called ``name``, created when new (audited).
    Two settlements naming the same new party at once both end with the one row (the unique constraint decides)."""
    kind = PARTY_OF_PAYER[Payer(payer)]
    name = (name or "").strip()
    party = _named(session, branch_id, kind, name)
    if party is None:
        try:
            with session.begin_nested():
                party = Counterparty(branch_id=branch_id, kind=kind, name=name)
                session.add(party)
                session.flush()
            audit.record(session, actor, "counterparty.create", "counterparty", party.id, branch_id=branch_id,
                         kind=kind.value, name=name, via="settlement")
        except IntegrityError:
            party = _named(session, branch_id, kind, name)
            if party is None:
                raise
    if not party.is_active:
        raise DomainError(f"{kind.label}“{name}”已停用，请在财务的往来单位中启用后再结算")
    return party


def party_names(session: Session, branch_id: int) -> dict[str, list[str]]:
    """The active insurers' and manufacturers' names of the branch, for the settle screen's suggestions."""
    names: dict[str, list[str]] = {PartyKind.INSURER.value: [], PartyKind.MANUFACTURER.value: []}
    for kind, name in session.exec(select(Counterparty.kind, Counterparty.name)
                                   .where(Counterparty.branch_id == branch_id, Counterparty.is_active)
                                   .order_by(Counterparty.name)).all():
        names[PartyKind(kind).value].append(name)
    return names


# --- posting ---------------------------------------------------------------------------------------------------


def post_settlement_shares(session: Session, settlement: Settlement, lines: list[SettlementLine],
                           day: date) -> list[OpenItem]:
    """One receivable item per insurer and per manufacturer the settlement's lines name (their nets summed), due by
    the party's terms. The lines carry their ``counterparty_id`` already."""
    shares: dict[tuple[Payer, int], Decimal] = defaultdict(Decimal)
    for line in lines:
        payer = Payer(line.payer)
        if payer in PARTY_OF_PAYER and line.net != 0:
            shares[(payer, line.counterparty_id)] += line.net
    items = []
    for (payer, party_id), amount in sorted(shares.items(), key=lambda kv: (kv[0][0].value, kv[0][1])):
        if amount == 0:
            continue
        party = session.get(Counterparty, party_id)
        items.append(open_items.add_item(
            session, branch_id=settlement.branch_id, party_kind=PARTY_OF_PAYER[payer], party_id=party.id,
            direction=Direction.RECEIVABLE, source=SOURCE_OF_PAYER[payer], source_id=settlement.id,
            number=settlement.number, amount=amount, document_date=day,
            due=open_items.due_on(party.terms, party.terms_days, day)))
    return items


def post_on_account(session: Session, payment: Payment, customer: Customer, day: date) -> OpenItem:
    """The customer's 挂账 item of one on-account payment, due by the customer's terms."""
    return open_items.add_item(
        session, branch_id=payment.branch_id, party_kind=PartyKind.CUSTOMER, party_id=customer.id,
        direction=Direction.RECEIVABLE, source=OpenItemSource.ON_ACCOUNT, source_id=payment.id,
        number=payment.number, amount=payment.amount, document_date=day,
        due=open_items.due_on(customer.terms, customer.terms_days, day))


def settlement_items(session: Session, settlement_id: int) -> list[OpenItem]:
    """The items a settlement posted: its shares, and the 挂账 of its payments."""
    payment_ids = select(Payment.id).where(Payment.settlement_id == settlement_id)
    return list(session.exec(
        select(OpenItem).where(
            ((col(OpenItem.source).in_(SHARE_SOURCES)) & (OpenItem.source_id == settlement_id))
            | ((OpenItem.source == OpenItemSource.ON_ACCOUNT) & col(OpenItem.source_id).in_(payment_ids)))
        .order_by(OpenItem.id).execution_options(populate_existing=True)).all())


def reverse_settlement(session: Session, actor: User, settlement: Settlement, day: date) -> list[OpenItem]:
    """Take back every item of a settlement being reopened: a ``REVERSAL`` item of the opposite amount, allocated
    against its original at once. Refused (changing nothing) when any item was settled in part already."""
    reversals = []
    for item in settlement_items(session, settlement.id):
        allocation.lock_party(session, item.party_kind, item.party_id)  # no collection slips in beside the check
        session.refresh(item)
        if item.open_amount != item.amount:
            who = allocation.party_row(session, actor, item.party_kind, item.party_id)
            raise DomainError(f"结算单{settlement.number}的{OpenItemSource(item.source).label}"
                              f"（{PartyKind(item.party_kind).label}{who.name}，¥{item.amount}）已核销"
                              f"¥{item.amount - item.open_amount}，不能撤销；请先由财务撤回该笔收款")
        reversal = open_items.add_item(
            session, branch_id=item.branch_id, party_kind=item.party_kind, party_id=item.party_id,
            direction=item.direction, source=OpenItemSource.REVERSAL, source_id=item.id, number=settlement.number,
            amount=-item.amount, document_date=day, due=day)
        allocation.allocate(session, actor, item.party_kind, item.party_id, item.direction, reversal.id, [item.id])
        reversals.append(reversal)
    return reversals


# --- credit control --------------------------------------------------------------------------------------------


def _customer_open(customer_id: int):
    return (OpenItem.party_kind == PartyKind.CUSTOMER, OpenItem.party_id == customer_id,
            OpenItem.direction == Direction.RECEIVABLE, OpenItem.open_amount != 0)


def owed(session: Session, customer_id: int) -> Decimal:
    """What the customer owes the shop: the sum of their open receivable items (an advance counts against it)."""
    total = session.exec(select(func.sum(OpenItem.open_amount)).where(*_customer_open(customer_id))).one()
    return Decimal(total or 0).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Overdue:
    amount: Decimal  # open on items due before today
    count: int
    oldest_due: date | None

    def __bool__(self) -> bool:
        return self.amount > 0


def overdue(session: Session, customer_id: int, today: date) -> Overdue:
    """The customer's open debits due before ``today``."""
    total, count, oldest = session.exec(
        select(func.sum(OpenItem.open_amount), func.count(), func.min(OpenItem.due_on))
        .where(*_customer_open(customer_id), OpenItem.open_amount > 0, OpenItem.due_on < today)).one()
    return Overdue(amount=Decimal(total or 0).quantize(Decimal("0.01")), count=int(count or 0), oldest_due=oldest)


def overdue_message(found: Overdue) -> str:
    return (f"客户有{found.count}笔逾期未付的挂账共¥{found.amount}（最早{found.oldest_due:%Y-%m-%d}到期），"
            f"不能再挂账；须经理授权")


@dataclass(frozen=True)
class Override:
    """A manager's authorisation of one 挂账 despite overdue items, as typed on the cashier's screen."""

    username: str = ""
    password: str = ""
    reason: str = ""
    attempt: auth.Attempt | None = None  # the try counted against the sign-in throttle (the boundary's)

    @property
    def given(self) -> bool:
        return bool(self.username.strip() or self.password or self.reason.strip())


REASON_MAX = 200


def authorise_override(session: Session, branch_id: int, override: Override) -> User:
    """The manager who authorises the override: an active user of the branch allowed to (``CREDIT_CONTROL``)
    whose password matches; refused otherwise, with the same message whether the name or the password was wrong."""
    errors = {}
    if not override.username.strip():
        errors["override_username"] = "请经理输入自己的用户名"
    if not override.password:
        errors["override_password"] = "请经理输入自己的密码"
    reason = override.reason.strip()
    if not reason:
        errors["override_reason"] = "请填写授权原因"
    elif len(reason) > REASON_MAX:
        errors["override_reason"] = f"原因不能超过{REASON_MAX}字"
    if errors:
        field, message = next(iter(errors.items()))
        raise DomainError(message, field=field)
    if override.attempt is not None and override.attempt.throttled:
        raise DomainError("密码错误次数过多，请稍后再试", field="override_password")
    manager = auth.verified_user(session, override.username, override.password)
    if manager is None or not allows(manager, Permission.CREDIT_CONTROL) or (
            not sees_all_branches(manager) and manager.branch_id != branch_id):
        raise DomainError("经理用户名或密码不正确，或该用户无权授权挂账", field="override_password")
    auth.take_back(session, override.attempt)
    return manager


def count_override_try(session: Session, actor: User, username: str, address: str) -> auth.Attempt:
    """Count a manager's authorisation typed on ``actor``'s (a cashier's) screen against the sign-in throttle before
    its password is checked; the boundary commits this in a unit of its own, so a refused authorisation counts."""
    require(actor, Permission.TAKE_PAYMENTS)
    return auth.begin_sign_in(session, username, address)


# --- a customer's credit ---------------------------------------------------------------------------------------


def set_customer_credit(session: Session, actor: User, customer_id: int, credit_limit: str, terms: str,
                        terms_days: str) -> Customer:
    """A manager sets a customer's credit limit (挂账额度) and terms (账期): 月结 and N天 for company and fleet customers
    only (individuals pay 现结). Audited with before and after; a limit below what is owed now only stops new 挂账."""
    require(actor, Permission.CREDIT_CONTROL)
    customer = row_in_branch(session, actor, Customer, customer_id, "客户不存在")
    errors: dict[str, str] = {}
    try:
        limit = to_fen(parse_decimal(credit_limit, "credit_limit", "挂账额度", required=False) or ZERO)
        if limit < 0:
            errors["credit_limit"] = "挂账额度不能为负数"
    except DomainError as error:
        errors["credit_limit"] = error.message
        limit = customer.credit_limit
    chosen, days = counterparties.terms_of(terms, terms_days, errors)
    if chosen != PaymentTerms.CASH and CustomerKind(customer.kind) == CustomerKind.INDIVIDUAL:
        errors["terms"] = "个人客户只能现结；单位和车队客户可以月结或约定账期"
    if errors:
        raise FormErrors(errors)
    before = dict(credit_limit=str(customer.credit_limit), terms=PaymentTerms(customer.terms).value,
                  terms_days=customer.terms_days)
    customer.credit_limit, customer.terms, customer.terms_days = limit, chosen, days
    after = dict(credit_limit=str(limit), terms=chosen.value, terms_days=days)
    if before != after:
        session.add(customer)
        audit.record(session, actor, "customer.credit", "customer", customer.id, branch_id=customer.branch_id,
                     before=before, after=after)
        session.flush()
    return customer


def terms_text(terms: PaymentTerms | str, days: int) -> str:
    """现结, 月结30天, 15天."""
    match PaymentTerms(terms):
        case PaymentTerms.CASH:
            return "现结"
        case PaymentTerms.MONTHLY:
            return f"月结{days}天"
        case PaymentTerms.DAYS:
            return f"{days}天"
