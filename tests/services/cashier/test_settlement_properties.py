"""Property-based tests of the settlement arithmetic: for any lines, payers and discounts, the per-payer amounts add
up to the gross, nothing is negative, and every amount is a whole number of fen."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

import models
from lantong_pwa.services.cashier import settlement
from lantong_pwa.services.platform.parsing import FEN, to_fen
from lantong_pwa.services.cashier.settlement import Charge, compute
from models import JobLineStatus, Payer, SettlementLineKind, WorkOrderStatus
from tests.factories import add_part, add_vehicle

cents = st.integers(min_value=0, max_value=5_000_000).map(lambda n: Decimal(n) / 100)
rates = st.sampled_from([Decimal("0"), Decimal("3"), Decimal("6"), Decimal("9"), Decimal("13"), Decimal("16.5")])


@st.composite
def charge(draw) -> Charge:
    amount = draw(cents)
    discount = draw(st.integers(min_value=0, max_value=int(amount * 100)).map(lambda n: Decimal(n) / 100))
    payer = draw(st.sampled_from(list(Payer)))
    return Charge(kind=draw(st.sampled_from(list(SettlementLineKind))), description="项目", amount=amount,
                  discount=discount, payer=payer,
                  payer_party="某厂家" if payer in (Payer.WARRANTY, Payer.INSURANCE) else "")


@st.composite
def order(draw):
    charges = draw(st.lists(charge(), max_size=12))
    customer = sum((c.net for c in charges if c.payer == Payer.CUSTOMER), Decimal("0.00"))
    discount = draw(st.integers(min_value=0, max_value=int(customer * 100)).map(lambda n: Decimal(n) / 100))
    return charges, discount, draw(rates)


def is_fen(value: Decimal) -> bool:
    return value == value.quantize(FEN)


@settings(database=None)
@given(order())
def test_per_payer_amounts_add_up_to_the_gross(case):
    charges, order_discount, rate = case
    f = compute(charges, order_discount, rate)
    assert f.problems == ()
    assert f.customer_amount + f.warranty_amount + f.insurance_amount + f.internal_amount + f.order_discount \
        == f.gross
    assert f.labor_total + f.parts_total + f.other_total == f.gross
    assert f.gross == sum((c.amount - c.discount for c in charges), Decimal("0"))
    amounts = [f.gross, f.customer_amount, f.warranty_amount, f.insurance_amount, f.internal_amount,
               f.order_discount, f.vat_amount, f.labor_total, f.parts_total, f.other_total]
    assert all(a >= 0 for a in amounts), "no negative totals"
    assert all(is_fen(a) for a in amounts), "everything in whole fen"
    # The customer pays only for customer lines.
    assert f.customer_amount == sum((c.net for c in charges if c.payer == Payer.CUSTOMER), Decimal(0)) \
        - order_discount
    # VAT: the tax inside a tax-inclusive amount, rounded once.
    assert f.vat_amount == to_fen(f.customer_amount * rate / (100 + rate))
    assert f.vat_amount <= f.customer_amount


@settings(database=None)
@given(st.lists(charge(), min_size=1, max_size=8), st.integers(min_value=1, max_value=10_000))
def test_an_order_discount_above_the_customer_share_is_a_problem(charges, extra_fen):
    customer = sum((c.net for c in charges if c.payer == Payer.CUSTOMER), Decimal("0.00"))
    f = compute(charges, customer + Decimal(extra_fen) / 100, Decimal("13"))
    assert any("整单优惠" in p for p in f.problems)


@settings(database=None)
@given(charge(), st.integers(min_value=1, max_value=10_000))
def test_a_line_discount_above_its_amount_is_a_problem(line, extra_fen):
    bad = Charge(kind=line.kind, description="项目", amount=line.amount,
                 discount=line.amount + Decimal(extra_fen) / 100, payer=line.payer, payer_party=line.payer_party)
    assert settlement.charge_problem(bad) is not None
    assert compute([bad], Decimal(0), Decimal(13)).problems


@settings(database=None)
@given(st.sampled_from([Payer.WARRANTY, Payer.INSURANCE]), cents)
def test_warranty_and_insurance_must_name_the_party(payer, amount):
    assert settlement.charge_problem(Charge(kind=SettlementLineKind.LABOR, description="x", amount=amount,
                                            payer=payer, payer_party=" ")) is not None


# --- the same invariant through the database: what settle() stores --------------------------------------------

ORDER_NUMBERS = itertools.count(1)
db_line = st.tuples(
    st.integers(min_value=0, max_value=3000).map(lambda n: Decimal(n) / 4),  # hours or quantity in quarters
    st.integers(min_value=0, max_value=99_999).map(lambda n: Decimal(n) / 100),  # rate or unit price
    st.sampled_from(list(Payer)),
    st.integers(min_value=0, max_value=100),  # discount as a percentage of the line
)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(jobs=st.lists(db_line, min_size=1, max_size=4), parts=st.lists(db_line, max_size=4),
       order_discount_percent=st.integers(min_value=0, max_value=100))
def test_stored_settlements_keep_the_invariant(session, shop, jobs, parts, order_discount_percent):
    vehicle = session.exec(select(models.Vehicle)).first() or add_vehicle(session, shop.branch.id)
    part = session.exec(select(models.Part)).first() or add_part(session, shop.branch.id)
    order = models.WorkOrder(branch_id=shop.branch.id, number=f"T{next(ORDER_NUMBERS)}", vehicle_id=vehicle.id,
                             customer_id=vehicle.customer_id, advisor_id=shop.advisor.id, mileage_in=1, fuel_level=1,
                             complaint="x", status=WorkOrderStatus.COMPLETED)
    session.add(order)
    session.flush()

    def terms(payer, amount, percent):
        return dict(payer=payer, payer_party="某方" if payer in (Payer.WARRANTY, Payer.INSURANCE) else "",
                    discount=to_fen(amount * percent / 100))

    for hours, rate, payer, percent in jobs:
        amount = to_fen(hours * rate)
        session.add(models.JobLine(branch_id=shop.branch.id, work_order_id=order.id, name="工", hours=hours,
                                   rate=rate, amount=amount, status=JobLineStatus.FINISHED,
                                   **terms(payer, amount, percent)))
    for quantity, price, payer, percent in parts:
        amount = to_fen(quantity * price)
        session.add(models.PartLine(branch_id=shop.branch.id, work_order_id=order.id, part_id=part.id,
                                    part_code=part.code, part_name=part.name, unit="个", quantity=quantity,
                                    unit_price=price, amount=amount, picked_quantity=quantity,
                                    **terms(payer, amount, percent)))
    session.commit()
    customer_share = settlement.preview(session, shop.cashier, order.id).by_payer[Payer.CUSTOMER]
    order.discount = to_fen(customer_share * order_discount_percent / 100)
    session.add(order)
    session.commit()

    s = settlement.settle(session, shop.cashier, order.id)
    session.expire_all()
    s = session.get(models.Settlement, s.id)
    assert s.customer_amount + s.warranty_amount + s.insurance_amount + s.internal_amount + s.order_discount \
        == s.gross
    assert s.labor_total + s.parts_total + s.other_total == s.gross
    stored = settlement.settlement_lines(session, s.id)
    assert sum((line.net for line in stored), Decimal(0)) == s.gross
    for line in stored:
        assert line.net == line.amount - line.discount and line.net >= 0
    assert min(s.customer_amount, s.warranty_amount, s.insurance_amount, s.internal_amount, s.vat_amount) >= 0
