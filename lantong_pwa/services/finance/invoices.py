"""Invoices (发票, F2): issued against settlements (开票), received against supplier goods receipts (收票), 红冲, and
the amounts not yet invoiced both ways. See models/invoice.py for the tables.

- **Issuing.** A settlement has one invoiceable share per payer: the customer's amount, and the insurer's and the
  manufacturer's shares, one per party the lines name. An invoice takes an amount (all that is left unless given)
  of one share: never more than is not yet invoiced. It runs with the settlement's row locked, and adds to the
  share's ``invoiced_amount`` by a compare-and-set UPDATE (``invoiced + x <= amount``), which the database's CHECK
  refuses too. The tax is the amount's VAT at the settlement's rate (prices include tax). Only active settlements
  are invoiced. Issued for a receipt (收款), an invoice has a line on each share the receipt paid for: a counter
  payment its settlement's customer share, a collection each share its allocations settled.
- **红冲.** A new negative invoice with its own 数电票 number, pointing at the one it reverses; an issued invoice may
  be reversed in part, never more than is left of it (``reversed_amount`` by compare-and-set, CHECKed); a received
  one in full (a supplier's partial red invoice for goods sent back is rare and would need per-receipt splits). It
  frees the amount to invoice again.
- **Receiving.** A supplier's invoice covers one or more of its goods receipts. It is matched to what they are worth
  now (total − goods sent back − already invoiced) and to the same goods at the purchase orders' prices, within
  ``TOLERANCE`` (¥1.00: rounding of tax per line; a percentage would let ¥500 through on a ¥100,000 receipt). Beyond
  it the invoice is refused with the difference shown, unless a reason is given (the supplier's invoice is a fact
  the shop has to book: a discount, a price agreed on the phone); the reason is kept and audited. A smaller invoice
  may instead be booked as partial (部分收票): it fills the receipts oldest first and the rest stays open.
- A resent request key returns the first invoice. Numbers are unique per branch and direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import (
    Permission,
    require,
    row_in_branch,
)
from lantong_pwa.services.workshop.reports import MAX_REPORT_DAYS, date_range
from lantong_pwa.timezone import local_day
from models import (
    Allocation,
    Counterparty,
    Customer,
    Direction,
    GoodsReceipt,
    GoodsReceiptLine,
    Invoice,
    InvoiceDirection,
    InvoiceKind,
    InvoiceLine,
    InvoiceShare,
    InvoiceSource,
    InvoiceSubject,
    OpenItem,
    OpenItemSource,
    PartyKind,
    PartyPayment,
    Payer,
    Payment,
    PaymentMethod,
    PurchaseOrderLine,
    PurchaseReturn,
    Settlement,
    SettlementLine,
    SettlementStatus,
    Supplier,
    User,
    WorkOrder,
)
from models.common import utc_now

ZERO = Decimal("0.00")
TOLERANCE = Decimal("1.00")  # a received invoice may differ from its receipts (and their orders) by this much
STALE = "发票记录已变化，请刷新后重试"
MAX_RECEIPTS = 100
MAX_ROWS = 2000

SHARE_OF_PAYER = {Payer.INSURANCE: InvoiceShare.INSURANCE, Payer.WARRANTY: InvoiceShare.WARRANTY}
PARTY_OF_SHARE = {InvoiceShare.INSURANCE: PartyKind.INSURER, InvoiceShare.WARRANTY: PartyKind.MANUFACTURER}

# --- validation ------------------------------------------------------------------------------------------------

_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def valid_number(text: str | None, field: str = "number") -> str:
    """A 数电票 number: exactly 20 digits (spaces taken out)."""
    number = "".join((text or "").split())
    if not number:
        raise DomainError("请填写发票号码", field=field)
    if len(number) != 20 or not (number.isascii() and number.isdigit()):
        raise DomainError("数电票号码应为20位数字", field=field)
    return number


def tax_id_ok(code: str) -> bool:
    """统一社会信用代码 (GB 32100-2015): 18 characters of ``_CODE_CHARS``, the last a check character."""
    if len(code) != 18 or any(c not in _CODE_CHARS for c in code):
        return False
    total = sum(_CODE_CHARS.index(c) * w for c, w in zip(code[:17], _CODE_WEIGHTS, strict=True))
    return _CODE_CHARS[(31 - total % 31) % 31] == code[17]


def valid_tax_id(text: str | None, *, required: bool, field: str = "tax_id", party: str = "购买方") -> str:
    code = "".join((text or "").split()).upper()
    if not code:
        if required:
            raise DomainError(f"专票须填写{party}的统一社会信用代码", field=field)
        return ""
    if not tax_id_ok(code):
        raise DomainError("统一社会信用代码应为18位且校验位正确", field=field)
    return code


def _kind(text: str | None) -> InvoiceKind:
    try:
        return InvoiceKind(text)
    except ValueError:
        raise DomainError("请选择专票或普票", field="kind") from None


def _checked(errors: dict[str, str], field: str, parse):
    """``parse()``'s value, or None with its message kept under ``field`` (a form tells all its errors at once)."""
    try:
        return parse()
    except DomainError as error:
        errors[field] = error.message
        return None


def _optional_amount(text: str | None, field: str, label: str) -> Decimal | None:
    """A positive amount, or None when left empty (all that is left)."""
    amount = parse_decimal(text, field, label, required=False)
    if amount is not None and to_fen(amount) <= 0:
        raise DomainError(f"{label}应大于0", field=field)
    return to_fen(amount) if amount is not None else None


def _words(text: str | None, field: str, label: str, limit: int, *, required: bool) -> str:
    words = " ".join((text or "").split())
    if required and not words:
        raise DomainError(f"请填写{label}", field=field)
    if len(words) > limit:
        raise DomainError(f"{label}最多{limit}个字", field=field)
    return words


def _key(text: str | None) -> str:
    key = (text or "").strip()
    if not key or len(key) > 36:
        raise DomainError("请求无效，请刷新页面后重试")
    return key


def tax_of(amount: Decimal, rate: Decimal) -> Decimal:
    """The VAT inside a tax-included amount at ``rate`` percent."""
    return to_fen(amount * rate / (Decimal(100) + rate))


def _earlier(session: Session, branch_id: int, key: str) -> Invoice | None:
    return session.exec(select(Invoice).where(Invoice.branch_id == branch_id, Invoice.request_key == key)).first()


def _number_taken(session: Session, branch_id: int, direction: InvoiceDirection, number: str) -> bool:
    return session.exec(select(Invoice.id).where(Invoice.branch_id == branch_id, Invoice.direction == direction,
                                                 Invoice.number == number)).first() is not None


def _add_invoiced(session: Session, subject: InvoiceSubject, amount: Decimal) -> None:
    """Move the subject's ``invoiced_amount`` by ``amount`` (negative for a 红冲) if it stays within 0..amount: one
    conditional UPDATE; zero rows means another invoice got there first."""
    room = (InvoiceSubject.invoiced_amount + amount <= InvoiceSubject.amount) if amount > 0 else \
        (InvoiceSubject.invoiced_amount + amount >= 0)
    done = session.execute(update(InvoiceSubject).where(InvoiceSubject.id == subject.id, room)
                           .values(invoiced_amount=InvoiceSubject.invoiced_amount + amount)
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise DomainError(STALE)
    subject.invoiced_amount = subject.invoiced_amount + amount


# --- settlements' shares ---------------------------------------------------------------------------------------


@dataclass
class Share:
    share: InvoiceShare
    party_name: str  # the insurer or manufacturer; the customer's name for the customer share
    amount: Decimal
    invoiced: Decimal = ZERO
    title: str = ""  # the buyer's name as invoices print it
    tax_id: str = ""

    @property
    def key(self) -> str:
        return f"{self.share.value}:{self.party_name}" if self.share != InvoiceShare.CUSTOMER else "customer"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.invoiced


def _third_party_shares(session: Session, settlement_ids: Sequence[int]) -> dict[int, list[tuple[InvoiceShare, str,
                                                                                                  Decimal]]]:
    """Each settlement's insurer and manufacturer shares: its 保险 and 三包 lines' net, by the party they name."""
    found: dict[int, list] = {}
    if not settlement_ids:
        return found
    rows = session.exec(select(SettlementLine.settlement_id, SettlementLine.payer, SettlementLine.payer_party,
                               func.sum(SettlementLine.net))
                        .where(col(SettlementLine.settlement_id).in_(settlement_ids),
                               col(SettlementLine.payer).in_([p.value for p in SHARE_OF_PAYER]))
                        .group_by(SettlementLine.settlement_id, SettlementLine.payer, SettlementLine.payer_party)).all()
    for settlement_id, payer, party, net in rows:
        net = to_fen(Decimal(net or 0))
        if net > 0:
            found.setdefault(settlement_id, []).append((SHARE_OF_PAYER[Payer(payer)], party or "", net))
    return found


def _customer_name(session: Session, settlement: Settlement) -> str:
    order = session.get(WorkOrder, settlement.work_order_id)
    customer = session.get(Customer, order.customer_id) if order else None
    return customer.name if customer else ""


def _subjects_of(session: Session, source: InvoiceSource, source_ids: Sequence[int]) -> list[InvoiceSubject]:
    if not source_ids:
        return []
    return list(session.exec(select(InvoiceSubject).where(InvoiceSubject.source == source,
                                                          col(InvoiceSubject.source_id).in_(source_ids))
                             .execution_options(populate_existing=True)).all())


def settlement_shares(session: Session, settlement: Settlement) -> list[Share]:
    """The settlement's invoiceable shares with what each has had invoiced, customer first."""
    shares = []
    if settlement.customer_amount > 0:
        shares.append(Share(InvoiceShare.CUSTOMER, "", settlement.customer_amount,
                            title=_customer_name(session, settlement)))
    for share, party, amount in _third_party_shares(session, [settlement.id]).get(settlement.id, []):
        counterparty = session.exec(select(Counterparty).where(
            Counterparty.branch_id == settlement.branch_id, Counterparty.kind == PARTY_OF_SHARE[share],
            Counterparty.name == party)).first() if party else None
        shares.append(Share(share, party, amount, title=party,
                            tax_id=counterparty.tax_id if counterparty else ""))
    invoiced = {(s.share, s.party_name): s.invoiced_amount
                for s in _subjects_of(session, InvoiceSource.SETTLEMENT, [settlement.id])}
    for share in shares:
        share.invoiced = invoiced.get((share.share, share.party_name), ZERO)
    return shares


def _find_share(shares: list[Share], key: str) -> Share:
    for share in shares:
        if share.key == key:
            return share
    if len(shares) == 1 and not key:
        return shares[0]
    raise DomainError("请选择开票对象（客户、保险公司或厂家）", field="share")


def _settlement_subject(session: Session, settlement: Settlement, share: Share) -> InvoiceSubject:
    """The share's subject, made at its first invoice (the caller holds the settlement's lock)."""
    party = share.party_name if share.share != InvoiceShare.CUSTOMER else ""
    subject = session.exec(select(InvoiceSubject).where(
        InvoiceSubject.source == InvoiceSource.SETTLEMENT, InvoiceSubject.source_id == settlement.id,
        InvoiceSubject.share == share.share, InvoiceSubject.party_name == party)
        .execution_options(populate_existing=True)).first()
    if subject is None:
        subject = InvoiceSubject(branch_id=settlement.branch_id, direction=InvoiceDirection.ISSUED,
                                 source=InvoiceSource.SETTLEMENT, source_id=settlement.id, share=share.share,
                                 party_name=party, number=settlement.number, amount=share.amount,
                                 document_date=local_day(settlement.created_at))
        session.add(subject)
        session.flush()
    return subject


# --- issuing ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueRequest:
    settlement_id: int
    number: str
    kind: str
    title: str
    request_key: str
    share: str = "customer"  # Share.key: "customer", "insurance:<insurer>", "warranty:<manufacturer>"
    tax_id: str = ""
    amount: str = ""  # empty: all that is not yet invoiced


def invoiced_total(session: Session, settlement_id: int) -> Decimal:
    """What stands invoiced on the settlement, all shares (after 红冲)."""
    total = session.exec(select(func.sum(InvoiceSubject.invoiced_amount))
                         .where(InvoiceSubject.source == InvoiceSource.SETTLEMENT,
                                InvoiceSubject.source_id == settlement_id)).one()
    return to_fen(Decimal(total or 0))


def settlement_for_invoicing(session: Session, actor: User, settlement_id: int) -> tuple[Settlement, list[Share]]:
    """The settlement and its shares, for the issue form. Only reads."""
    require(actor, Permission.VIEW_INVOICES)
    settlement = row_in_branch(session, actor, Settlement, settlement_id, "结算单不存在")
    return settlement, settlement_shares(session, settlement)


def settlement_by_number(session: Session, actor: User, number: str) -> Settlement:
    require(actor, Permission.VIEW_INVOICES)
    found = session.exec(select(Settlement).where(Settlement.branch_id == actor.branch_id,
                                                  Settlement.number == (number or "").strip())
                         .order_by(col(Settlement.id).desc())).first()
    if found is None:
        raise NotFound("结算单不存在")
    return found


def _header(request, errors: dict[str, str]) -> tuple[str, InvoiceKind, str, str]:
    """An issue form's 数电票 number, kind, buyer's tax ID (required for 专票) and title; what is wrong goes into
    ``errors``, for the caller to tell with the rest."""
    number = _checked(errors, "number", lambda: valid_number(request.number))
    kind = _checked(errors, "kind", lambda: _kind(request.kind))
    tax_id = _checked(errors, "tax_id", lambda: valid_tax_id(request.tax_id, required=kind == InvoiceKind.SPECIAL))
    title = _checked(errors, "title", lambda: _words(request.title, "title", "发票抬头", 100, required=True))
    return number, kind, tax_id, title


def _write_issued(session: Session, actor: User, branch_id: int, header: tuple[str, InvoiceKind, str, str],
                  lines: list[tuple[Settlement, Share, Decimal]], key: str) -> Invoice:
    """The issued invoice of ``lines`` (a share of a settlement and the amount taken from it each; the caller holds
    their settlements' locks and checked each amount against what is left): its lines, each share's invoiced amount
    moved, the tax at each settlement's rate."""
    number, kind, tax_id, title = header
    if _number_taken(session, branch_id, InvoiceDirection.ISSUED, number):
        raise DomainError("该发票号码已登记过", field="number")
    rates = {settlement.vat_rate for settlement, _, _ in lines}
    invoice = Invoice(branch_id=branch_id, direction=InvoiceDirection.ISSUED, number=number, kind=kind, title=title,
                      tax_id=tax_id, amount=sum((amount for _, _, amount in lines), ZERO),
                      tax=sum((tax_of(amount, settlement.vat_rate) for settlement, _, amount in lines), ZERO),
                      tax_rate=rates.pop() if len(rates) == 1 else None, request_key=key, created_by_id=actor.id,
                      created_at=utc_now())
    session.add(invoice)
    session.flush()
    for settlement, share, amount in lines:
        subject = _settlement_subject(session, settlement, share)
        session.add(InvoiceLine(invoice_id=invoice.id, subject_id=subject.id, amount=amount))
        _add_invoiced(session, subject, amount)
    return invoice


def issue(session: Session, actor: User, request: IssueRequest) -> Invoice:
    """开票 against one share of a settlement; returns the invoice (the first one for a resent key)."""
    require(actor, Permission.ISSUE_INVOICES)
    settlement = row_in_branch(session, actor, Settlement, request.settlement_id, "结算单不存在")
    key = _key(request.request_key)
    earlier = _earlier(session, settlement.branch_id, key)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    header = _header(request, errors)
    amount = _checked(errors, "amount", lambda: _optional_amount(request.amount, "amount", "开票金额"))
    if errors:
        raise FormErrors(errors)

    settlement = locked(session, Settlement, settlement.id)  # invoices of one settlement one after the other
    earlier = _earlier(session, settlement.branch_id, key)
    if earlier is not None:  # the same request finished while this one waited
        return earlier
    if settlement.status != SettlementStatus.ACTIVE:
        raise DomainError(f"结算单{settlement.number}已撤销，不能开票")
    share = _find_share(settlement_shares(session, settlement), request.share)
    remaining = share.remaining
    if remaining <= 0:
        raise DomainError(f"结算单{settlement.number}的{share.share.label}部分已全部开票")
    amount = remaining if amount is None else amount
    if amount > remaining:
        raise DomainError(f"开票金额不能超过未开票金额¥{remaining}", field="amount")
    invoice = _write_issued(session, actor, settlement.branch_id, header, [(settlement, share, amount)], key)
    audit.record(session, actor, "invoice.issue", "invoice", invoice.id, branch_id=settlement.branch_id,
                 number=invoice.number, kind=invoice.kind.value, settlement=settlement.number, share=share.key,
                 title=invoice.title, tax_id=invoice.tax_id, amount=str(amount), tax=str(invoice.tax))
    session.flush()
    return invoice


# --- issuing against a receipt -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptIssueRequest:
    receipt_number: str  # a 收款 (SK…): money taken at the counter for an order, or collected from a party
    number: str
    kind: str
    title: str
    request_key: str
    tax_id: str = ""


def _receipt_pieces(session: Session, branch_id: int, receipt_number: str) -> list[tuple[int, str, Decimal]]:
    """What a receipt paid for, as (settlement id, share key, amount): a counter payment its settlement's customer
    share; a collection each settlement share its allocations settled (挂账, an insurer's or a manufacturer's share;
    what is still an advance has paid for nothing yet)."""
    number = (receipt_number or "").strip()
    if not number:
        raise DomainError("请填写收款单号", field="receipt_number")
    payment = session.exec(select(Payment).where(Payment.branch_id == branch_id, Payment.number == number)).first()
    if payment is not None:
        if payment.method == PaymentMethod.ON_ACCOUNT:
            raise DomainError("挂账不是收款：请按结算单开票，或收回欠款后按那笔收款开票", field="receipt_number")
        return [(payment.settlement_id, "customer", payment.amount)]
    received = session.exec(select(PartyPayment).where(PartyPayment.branch_id == branch_id,
                                                       PartyPayment.number == number,
                                                       PartyPayment.direction == Direction.RECEIVABLE)).first()
    if received is None:
        raise DomainError(f"本店没有收款{number}", field="receipt_number")
    settled = session.exec(
        select(OpenItem.source, OpenItem.source_id, OpenItem.party_id, Allocation.amount)
        .join(Allocation, Allocation.debit_item_id == OpenItem.id)
        .where(Allocation.credit_item_id == select(OpenItem.id).where(
            OpenItem.source == OpenItemSource.PARTY_PAYMENT, OpenItem.source_id == received.id,
            OpenItem.party_kind == received.party_kind, OpenItem.party_id == received.party_id).scalar_subquery())
        .order_by(Allocation.id)).all()
    pieces = []
    for source, source_id, party_id, amount in settled:
        if source == OpenItemSource.ON_ACCOUNT:
            pieces.append((session.get(Payment, source_id).settlement_id, "customer", amount))
        elif source in (OpenItemSource.INSURANCE_SHARE, OpenItemSource.WARRANTY_SHARE):
            share = InvoiceShare.INSURANCE if source == OpenItemSource.INSURANCE_SHARE else InvoiceShare.WARRANTY
            pieces.append((source_id, f"{share.value}:{session.get(Counterparty, party_id).name}", amount))
    if not pieces:
        raise DomainError(f"收款{number}还没有核销到结算单（预收款），核销后再开票", field="receipt_number")
    return pieces


def issue_for_receipt(session: Session, actor: User, request: ReceiptIssueRequest) -> Invoice:
    """开票 for a receipt (收款): one invoice of what it paid for — a counter payment's amount on its settlement, or
    each settlement share a collection settled (a fleet's month paid at once) — each part never beyond what its share
    has left to invoice (an earlier invoice of the settlement counts). Returns the invoice (the first one for a resent
    key)."""
    require(actor, Permission.ISSUE_INVOICES)
    key = _key(request.request_key)
    earlier = _earlier(session, actor.branch_id, key)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    header = _header(request, errors)
    if errors:
        raise FormErrors(errors)
    pieces = _receipt_pieces(session, actor.branch_id, request.receipt_number)
    settlements = {settlement_id: locked(session, Settlement, settlement_id)  # in id order: no deadlock
                   for settlement_id in sorted({settlement_id for settlement_id, _, _ in pieces})}
    earlier = _earlier(session, actor.branch_id, key)
    if earlier is not None:  # the same request finished while this one waited
        return earlier
    shares = {settlement_id: {share.key: share for share in settlement_shares(session, settlement)}
              for settlement_id, settlement in settlements.items() if settlement.status == SettlementStatus.ACTIVE}
    taken: dict[tuple[int, str], Decimal] = {}
    for settlement_id, share_key, amount in pieces:
        share = shares.get(settlement_id, {}).get(share_key)
        if share is not None:
            taken[(settlement_id, share_key)] = min(taken.get((settlement_id, share_key), ZERO) + amount,
                                                    share.remaining)
    lines = [(settlements[settlement_id], shares[settlement_id][share_key], amount)
             for (settlement_id, share_key), amount in taken.items() if amount > 0]
    if not lines:
        raise DomainError(f"收款{request.receipt_number.strip()}对应的结算已全部开票", field="receipt_number")
    invoice = _write_issued(session, actor, actor.branch_id, header, lines, key)
    audit.record(session, actor, "invoice.issue", "invoice", invoice.id, branch_id=actor.branch_id,
                 number=invoice.number, kind=invoice.kind.value, receipt=request.receipt_number.strip(),
                 settlements=[[settlement.number, share.key, str(amount)] for settlement, share, amount in lines],
                 title=invoice.title, tax_id=invoice.tax_id, amount=str(invoice.amount), tax=str(invoice.tax))
    session.flush()
    return invoice


# --- 红冲 -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReverseRequest:
    invoice_id: int
    number: str  # the red invoice's own 数电票 number
    reason: str
    request_key: str
    amount: str = ""  # empty: all that is left of it


def reverse(session: Session, actor: User, request: ReverseRequest) -> Invoice:
    """红冲: a negative invoice against ``request.invoice_id`` for all or part of what is left of it (a received
    invoice only in full), freeing the amount to invoice again."""
    require(actor, Permission.REVERSE_INVOICES)
    original = row_in_branch(session, actor, Invoice, request.invoice_id, "发票不存在")
    key = _key(request.request_key)
    earlier = _earlier(session, original.branch_id, key)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    number = _checked(errors, "number", lambda: valid_number(request.number))
    reason = _checked(errors, "reason", lambda: _words(request.reason, "reason", "红冲原因", 200, required=True))
    amount = _checked(errors, "amount", lambda: _optional_amount(request.amount, "amount", "红冲金额"))
    if errors:
        raise FormErrors(errors)

    original = locked(session, Invoice, original.id)  # reversals of one invoice one after the other
    earlier = _earlier(session, original.branch_id, key)
    if earlier is not None:
        return earlier
    if original.reverses_id is not None:
        raise DomainError("红字发票不能再红冲")
    left = original.amount - original.reversed_amount
    if left <= 0:
        raise DomainError(f"发票{original.number}已全部红冲")
    amount = left if amount is None else amount
    if amount > left:
        raise DomainError(f"红冲金额不能超过发票未红冲金额¥{left}", field="amount")
    direction = InvoiceDirection(original.direction)
    if direction == InvoiceDirection.RECEIVED and amount != original.amount:
        raise DomainError("收到的发票只能全额红冲", field="amount")
    if _number_taken(session, original.branch_id, direction, number):
        raise DomainError("该发票号码已登记过", field="number")
    done = session.execute(update(Invoice).where(Invoice.id == original.id,
                                                 Invoice.reversed_amount + amount <= Invoice.amount)
                           .values(reversed_amount=Invoice.reversed_amount + amount)
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise DomainError(STALE)
    original.reversed_amount = original.reversed_amount + amount
    full = amount == original.amount
    tax = -original.tax if full or original.tax_rate is None else -tax_of(amount, original.tax_rate)
    red = Invoice(branch_id=original.branch_id, direction=direction, number=number, kind=original.kind,
                  title=original.title, tax_id=original.tax_id, amount=-amount, tax=tax, tax_rate=original.tax_rate,
                  reverses_id=original.id, supplier_id=original.supplier_id, difference_reason=reason,
                  request_key=key, created_by_id=actor.id, created_at=utc_now())
    session.add(red)
    session.flush()
    lines = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == original.id)
                         .order_by(col(InvoiceLine.id))).all()
    if direction == InvoiceDirection.ISSUED:
        freed = [(lines[0].subject_id, amount)]
    else:
        freed = [(line.subject_id, line.amount) for line in lines]
    for subject_id, part in freed:
        subject = session.get(InvoiceSubject, subject_id)
        session.add(InvoiceLine(invoice_id=red.id, subject_id=subject_id, amount=-part))
        _add_invoiced(session, subject, -part)
    audit.record(session, actor, "invoice.reverse", "invoice", red.id, branch_id=original.branch_id, number=number,
                 reverses=original.number, amount=str(-amount), reason=reason)
    session.flush()
    return red


# --- receiving -------------------------------------------------------------------------------------------------


@dataclass
class ReceiptValue:
    receipt: GoodsReceipt
    net: Decimal  # total − goods sent back
    at_order_prices: Decimal  # the same goods at the purchase order's prices (net when not ordered)
    invoiced: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.net - self.invoiced


def _receipt_values(session: Session, receipts: Sequence[GoodsReceipt]) -> list[ReceiptValue]:
    ids = [r.id for r in receipts]
    if not ids:
        return []
    returned = dict(session.exec(select(PurchaseReturn.goods_receipt_id, func.sum(PurchaseReturn.total))
                                 .where(col(PurchaseReturn.goods_receipt_id).in_(ids))
                                 .group_by(PurchaseReturn.goods_receipt_id)).all())
    repriced = {}
    for receipt_id, kept, price, ordered_price in session.exec(
            select(GoodsReceiptLine.goods_receipt_id, GoodsReceiptLine.quantity - GoodsReceiptLine.returned_quantity,
                   GoodsReceiptLine.unit_price, PurchaseOrderLine.unit_price)
            .join(PurchaseOrderLine, PurchaseOrderLine.id == GoodsReceiptLine.purchase_order_line_id)
            .where(col(GoodsReceiptLine.goods_receipt_id).in_(ids))).all():
        repriced[receipt_id] = repriced.get(receipt_id, ZERO) + Decimal(kept) * (Decimal(ordered_price) - Decimal(price))
    invoiced = {s.source_id: s.invoiced_amount for s in _subjects_of(session, InvoiceSource.GOODS_RECEIPT, ids)}
    values = []
    for receipt in receipts:
        net = to_fen(receipt.total - Decimal(returned.get(receipt.id) or 0))
        values.append(ReceiptValue(receipt=receipt, net=net, at_order_prices=to_fen(net + repriced.get(receipt.id, ZERO)),
                                   invoiced=invoiced.get(receipt.id, ZERO)))
    return values


@dataclass
class Match:
    expected: Decimal  # what the receipts have not yet had invoiced
    at_order_prices: Decimal  # the same at the orders' prices
    amount: Decimal

    @property
    def difference(self) -> Decimal:
        return self.amount - self.expected

    @property
    def order_difference(self) -> Decimal:
        return self.amount - self.at_order_prices

    @property
    def within(self) -> bool:
        return abs(self.difference) <= TOLERANCE and abs(self.order_difference) <= TOLERANCE

    def message(self) -> str:
        parts = [f"发票金额¥{self.amount}与入库单未收票金额¥{self.expected}相差¥{self.difference}"]
        if abs(self.order_difference) > TOLERANCE:
            parts.append(f"与采购订单价¥{self.at_order_prices}相差¥{self.order_difference}")
        return "，".join(parts) + f"，超出允差¥{TOLERANCE}"


def _supplier_receipts(session: Session, supplier: Supplier, receipt_ids: Sequence[int]) -> list[GoodsReceipt]:
    wanted = list(dict.fromkeys(int(i) for i in receipt_ids))
    if not wanted:
        raise DomainError("请选择发票对应的入库单", field="receipts")
    if len(wanted) > MAX_RECEIPTS:
        raise DomainError(f"一张发票最多对应{MAX_RECEIPTS}张入库单", field="receipts")
    receipts = list(session.exec(select(GoodsReceipt).where(col(GoodsReceipt.id).in_(wanted),
                                                            GoodsReceipt.supplier_id == supplier.id)
                                 .order_by(col(GoodsReceipt.created_at), col(GoodsReceipt.id))).all())
    if len(receipts) != len(wanted):
        raise DomainError("所选入库单不属于该供应商或不存在", field="receipts")
    return receipts


def match(session: Session, actor: User, supplier_id: int, receipt_ids: Sequence[int], amount: str) -> Match:
    """How an invoice of ``amount`` compares with the chosen receipts and their orders. Only reads."""
    require(actor, Permission.VIEW_INVOICES)
    supplier = row_in_branch(session, actor, Supplier, supplier_id, "供应商不存在")
    values = _receipt_values(session, _supplier_receipts(session, supplier, receipt_ids))
    total = to_fen(parse_decimal(amount, "amount", "发票金额"))
    return Match(expected=sum((v.remaining for v in values), ZERO),
                 at_order_prices=sum((v.at_order_prices - v.invoiced for v in values), ZERO), amount=total)


@dataclass(frozen=True)
class ReceiveRequest:
    supplier_id: int
    receipt_ids: tuple[int, ...]
    number: str
    kind: str
    amount: str
    tax: str
    request_key: str
    tax_id: str = ""  # the seller's; the supplier's on file when empty
    reason: str = ""  # why a difference beyond the tolerance is accepted
    partial: bool = False  # 部分收票: a smaller invoice fills the receipts oldest first


def _receipt_subject(session: Session, value: ReceiptValue) -> InvoiceSubject:
    """The receipt's subject, its amount brought up to what the receipt is worth now (never below what it has had
    invoiced: goods sent back after invoicing wait for the supplier's red invoice)."""
    receipt = value.receipt
    subject = session.exec(select(InvoiceSubject).where(InvoiceSubject.source == InvoiceSource.GOODS_RECEIPT,
                                                        InvoiceSubject.source_id == receipt.id)
                           .execution_options(populate_existing=True)).first()
    if subject is None:
        subject = InvoiceSubject(branch_id=receipt.branch_id, direction=InvoiceDirection.RECEIVED,
                                 source=InvoiceSource.GOODS_RECEIPT, source_id=receipt.id,
                                 share=InvoiceShare.SUPPLIER, number=receipt.number, amount=max(value.net, ZERO),
                                 document_date=local_day(receipt.created_at))
        session.add(subject)
        session.flush()
    elif subject.amount != max(value.net, subject.invoiced_amount):
        subject.amount = max(value.net, subject.invoiced_amount)
        session.add(subject)
        session.flush()
    return subject


def receive(session: Session, actor: User, request: ReceiveRequest) -> Invoice:
    """收票: a supplier's invoice against its chosen goods receipts, matched within ``TOLERANCE``."""
    require(actor, Permission.RECEIVE_INVOICES)
    supplier = row_in_branch(session, actor, Supplier, request.supplier_id, "供应商不存在")
    key = _key(request.request_key)
    earlier = _earlier(session, supplier.branch_id, key)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    number = _checked(errors, "number", lambda: valid_number(request.number))
    kind = _checked(errors, "kind", lambda: _kind(request.kind))
    tax_id = _checked(errors, "tax_id", lambda: valid_tax_id(request.tax_id or supplier.tax_id,
                                                            required=kind == InvoiceKind.SPECIAL, party="销售方"))
    amount = _checked(errors, "amount", lambda: _optional_amount(request.amount, "amount", "发票金额"))
    if amount is None and "amount" not in errors:
        errors["amount"] = "请填写发票金额"
    tax = _checked(errors, "tax", lambda: to_fen(parse_decimal(request.tax, "tax", "税额")))
    if tax is not None and (tax < 0 or (amount is not None and tax >= amount)):
        errors["tax"] = "税额应不小于0且小于发票金额"
    reason = _checked(errors, "reason", lambda: _words(request.reason, "reason", "差异原因", 200, required=False))
    if errors:
        raise FormErrors(errors)

    supplier = locked(session, Supplier, supplier.id)  # the supplier's invoices one after the other
    earlier = _earlier(session, supplier.branch_id, key)
    if earlier is not None:
        return earlier
    values = _receipt_values(session, _supplier_receipts(session, supplier, request.receipt_ids))
    for value in values:
        if value.remaining <= 0:
            raise DomainError(f"入库单{value.receipt.number}已全部收票", field="receipts")
    matched = Match(expected=sum((v.remaining for v in values), ZERO),
                    at_order_prices=sum((v.at_order_prices - v.invoiced for v in values), ZERO), amount=amount)
    partial = request.partial and amount < matched.expected
    if not matched.within and not partial and not reason:
        raise DomainError(matched.message() + "；如确认无误请填写差异原因", field="reason")
    if _number_taken(session, supplier.branch_id, InvoiceDirection.RECEIVED, number):
        raise DomainError("该发票号码已登记过", field="number")
    invoice = Invoice(branch_id=supplier.branch_id, direction=InvoiceDirection.RECEIVED, number=number, kind=kind,
                      title=supplier.name[:100], tax_id=tax_id, amount=amount, tax=tax, supplier_id=supplier.id,
                      expected_amount=matched.expected, order_amount=matched.at_order_prices,
                      difference_reason=reason if not matched.within else "", request_key=key,
                      created_by_id=actor.id, created_at=utc_now())
    session.add(invoice)
    session.flush()
    left = amount
    for value in values:
        part = min(value.remaining, left) if partial else value.remaining
        if part <= 0:
            break
        left -= part
        subject = _receipt_subject(session, value)
        session.add(InvoiceLine(invoice_id=invoice.id, subject_id=subject.id, amount=part))
        _add_invoiced(session, subject, part)
    audit.record(session, actor, "invoice.receive", "invoice", invoice.id, branch_id=supplier.branch_id,
                 number=number, kind=kind.value, supplier_id=supplier.id,
                 receipts=[v.receipt.number for v in values], amount=str(amount), tax=str(tax),
                 expected=str(matched.expected), at_order_prices=str(matched.at_order_prices), partial=partial,
                 reason=invoice.difference_reason)
    session.flush()
    return invoice


# --- reading ---------------------------------------------------------------------------------------------------


def period(date_from: date | None, date_to: date | None, today: date) -> tuple[date, date]:
    """A query's shop days: this month so far unless given; at most a year."""
    date_to = date_to or today
    date_from = date_from or date_to.replace(day=1)
    if date_from > date_to:
        raise DomainError("开始日期不能晚于结束日期", field="from")
    if (date_to - date_from).days >= MAX_REPORT_DAYS:
        raise DomainError(f"查询区间不能超过{MAX_REPORT_DAYS}天", field="from")
    return date_from, date_to


@dataclass
class NotInvoiced:
    source_id: int  # the settlement's or the goods receipt's id
    number: str
    day: date
    party: str
    share: InvoiceShare
    share_key: str
    amount: Decimal
    invoiced: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.invoiced


@dataclass
class NotInvoicedReport:
    date_from: date
    date_to: date
    rows: list[NotInvoiced]
    amount: Decimal
    invoiced: Decimal
    remaining: Decimal
    truncated: bool = False


def _report(date_from: date, date_to: date, rows: list[NotInvoiced]) -> NotInvoicedReport:
    rows.sort(key=lambda r: (r.day, r.number, r.share_key))
    return NotInvoicedReport(date_from=date_from, date_to=date_to, rows=rows[:MAX_ROWS],
                             amount=sum((r.amount for r in rows), ZERO), invoiced=sum((r.invoiced for r in rows), ZERO),
                             remaining=sum((r.remaining for r in rows), ZERO), truncated=len(rows) > MAX_ROWS)


def _matches(party: str, name: str) -> bool:
    return not party or party in (name or "")


def not_issued(session: Session, actor: User, date_from: date, date_to: date, party: str = "") -> NotInvoicedReport:
    """Settlement shares (customer, insurer, manufacturer) of the period not (fully) invoiced, with totals. Only
    active settlements count."""
    require(actor, Permission.VIEW_INVOICES)
    branch_id = actor.branch_id
    start, end = date_range(date_from, date_to)
    party = (party or "").strip()
    settlements = session.exec(select(Settlement.id, Settlement.number, Settlement.created_at,
                                      Settlement.customer_amount, Customer.name)
                               .join(WorkOrder, WorkOrder.id == Settlement.work_order_id)
                               .join(Customer, Customer.id == WorkOrder.customer_id)
                               .where(Settlement.branch_id == branch_id,
                                      Settlement.status == SettlementStatus.ACTIVE,
                                      Settlement.created_at >= start, Settlement.created_at < end)).all()
    ids = [s[0] for s in settlements]
    invoiced: dict[tuple[int, str, str], Decimal] = {}
    for chunk in range(0, len(ids), 900):
        for subject in _subjects_of(session, InvoiceSource.SETTLEMENT, ids[chunk:chunk + 900]):
            invoiced[(subject.source_id, subject.share, subject.party_name)] = subject.invoiced_amount
    third: dict[int, list] = {}
    for chunk in range(0, len(ids), 900):
        third.update(_third_party_shares(session, ids[chunk:chunk + 900]))
    rows = []
    for settlement_id, number, created, customer_amount, customer in settlements:
        day = local_day(created)
        shares = [(InvoiceShare.CUSTOMER, "", customer_amount, customer)]
        shares += [(share, name, amount, name) for share, name, amount in third.get(settlement_id, [])]
        for share, name, amount, shown in shares:
            done = invoiced.get((settlement_id, share, name), ZERO)
            if amount - done > 0 and _matches(party, shown):
                rows.append(NotInvoiced(source_id=settlement_id, number=number, day=day, party=shown, share=share,
                                        share_key=f"{share.value}:{name}" if name else "customer", amount=amount,
                                        invoiced=done))
    return _report(date_from, date_to, rows)


def not_received(session: Session, actor: User, date_from: date, date_to: date, party: str = "", *,
                 supplier_id: int | None = None) -> NotInvoicedReport:
    """Supplier goods receipts of the period not (fully) invoiced by the supplier, with totals (a receipt whose goods
    went back after it was invoiced shows a negative amount: the supplier owes a red invoice)."""
    require(actor, Permission.VIEW_INVOICES)
    branch_id = actor.branch_id
    start, end = date_range(date_from, date_to)
    query = (select(GoodsReceipt, Supplier.name).join(Supplier, Supplier.id == GoodsReceipt.supplier_id)
             .where(GoodsReceipt.branch_id == branch_id, GoodsReceipt.created_at >= start,
                    GoodsReceipt.created_at < end))
    if supplier_id:
        query = query.where(GoodsReceipt.supplier_id == supplier_id)
    found = session.exec(query).all()
    names = {receipt.id: name for receipt, name in found}
    party = (party or "").strip()
    rows = []
    for chunk in range(0, len(found), 900):
        for value in _receipt_values(session, [r for r, _ in found[chunk:chunk + 900]]):
            name = names[value.receipt.id]
            if value.remaining != 0 and _matches(party, name):
                rows.append(NotInvoiced(source_id=value.receipt.id, number=value.receipt.number,
                                        day=local_day(value.receipt.created_at), party=name,
                                        share=InvoiceShare.SUPPLIER, share_key=str(value.receipt.supplier_id),
                                        amount=value.net, invoiced=value.invoiced))
    return _report(date_from, date_to, rows)


NOT_INVOICED_HEADERS = ("日期", "单号", "对象", "类别", "应开票金额", "已开票", "未开票")


def not_invoiced_table(report: NotInvoicedReport) -> list[list]:
    rows = [[r.day.isoformat(), r.number, r.party, r.share.label, r.amount, r.invoiced, r.remaining]
            for r in report.rows]
    rows.append(["", "合计", "", "", report.amount, report.invoiced, report.remaining])
    return rows


@dataclass
class InvoiceRow:
    invoice: Invoice
    documents: str  # the settlement's or receipts' numbers
    reversible: Decimal  # what is left to 红冲 (0 for a red invoice)
    reverses: str = ""  # a red invoice's original number


def invoices(session: Session, actor: User, direction: InvoiceDirection | str, date_from: date, date_to: date,
             text: str = "", *, limit: int = 200) -> list[InvoiceRow]:
    """The branch's invoices of one direction in the period, newest first; ``text`` finds a number, title or
    document number."""
    require(actor, Permission.VIEW_INVOICES)
    start, end = date_range(date_from, date_to)
    query = (select(Invoice).where(Invoice.branch_id == actor.branch_id,
                                   Invoice.direction == InvoiceDirection(direction),
                                   Invoice.created_at >= start, Invoice.created_at < end)
             .order_by(col(Invoice.created_at).desc(), col(Invoice.id).desc()))
    text = (text or "").strip()
    if text:
        by_document = select(InvoiceLine.invoice_id).join(InvoiceSubject, InvoiceSubject.id == InvoiceLine.subject_id) \
            .where(InvoiceSubject.branch_id == actor.branch_id, col(InvoiceSubject.number).contains(text))
        query = query.where(col(Invoice.number).contains(text) | col(Invoice.title).contains(text)
                            | col(Invoice.id).in_(by_document))
    found = list(session.exec(query.limit(limit)).all())
    ids = [i.id for i in found]
    documents: dict[int, list[str]] = {}
    if ids:
        for invoice_id, number in session.exec(
                select(InvoiceLine.invoice_id, InvoiceSubject.number)
                .join(InvoiceSubject, InvoiceSubject.id == InvoiceLine.subject_id)
                .where(col(InvoiceLine.invoice_id).in_(ids)).order_by(col(InvoiceLine.id))).all():
            documents.setdefault(invoice_id, [])
            if number not in documents[invoice_id]:
                documents[invoice_id].append(number)
    originals = {i.reverses_id for i in found if i.reverses_id}
    numbers = dict(session.exec(select(Invoice.id, Invoice.number).where(col(Invoice.id).in_(originals))).all()) \
        if originals else {}
    return [InvoiceRow(invoice=i, documents="、".join(documents.get(i.id, [])),
                       reversible=i.amount - i.reversed_amount if i.amount > 0 else ZERO,
                       reverses=numbers.get(i.reverses_id, "") if i.reverses_id else "") for i in found]


def invoices_of_settlement(session: Session, actor: User, settlement_id: int) -> list[Invoice]:
    require(actor, Permission.VIEW_INVOICES)
    settlement = row_in_branch(session, actor, Settlement, settlement_id, "结算单不存在")
    return list(session.exec(select(Invoice).join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
                             .join(InvoiceSubject, InvoiceSubject.id == InvoiceLine.subject_id)
                             .where(InvoiceSubject.source == InvoiceSource.SETTLEMENT,
                                    InvoiceSubject.source_id == settlement.id)
                             .order_by(col(Invoice.created_at), col(Invoice.id))).all())


def open_receipts(session: Session, actor: User, supplier_id: int) -> tuple[Supplier, list[ReceiptValue]]:
    """The supplier's goods receipts with something not yet invoiced, oldest first (the receive form's choices)."""
    require(actor, Permission.VIEW_INVOICES)
    supplier = row_in_branch(session, actor, Supplier, supplier_id, "供应商不存在")
    subjects_full = select(InvoiceSubject.source_id).where(
        InvoiceSubject.source == InvoiceSource.GOODS_RECEIPT, InvoiceSubject.branch_id == supplier.branch_id,
        InvoiceSubject.invoiced_amount >= InvoiceSubject.amount, InvoiceSubject.amount > 0)
    receipts = session.exec(select(GoodsReceipt).where(GoodsReceipt.supplier_id == supplier.id,
                                                       col(GoodsReceipt.id).not_in(subjects_full))
                            .order_by(col(GoodsReceipt.created_at), col(GoodsReceipt.id)).limit(MAX_ROWS)).all()
    return supplier, [v for v in _receipt_values(session, list(receipts)) if v.remaining > 0]


def supplier_choices(session: Session, actor: User) -> list[tuple[int, str]]:
    require(actor, Permission.VIEW_INVOICES)
    return [(s.id, s.name) for s in session.exec(select(Supplier).where(Supplier.branch_id == actor.branch_id,
                                                                        Supplier.is_active)
                                                 .order_by(col(Supplier.name))).all()]

