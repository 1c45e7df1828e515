"""Typed numbers: thousands separators are read only where they group by three, never ``1,0`` as ten; absurdly
long numbers get a message, not an exception."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform.parsing import parse_decimal, parse_int


@pytest.mark.parametrize(("typed", "value"), [
    ("1,000", Decimal("1000")), ("12,345.50", Decimal("12345.50")), ("¥58.00", Decimal("58.00")),
    ("１２．５", Decimal("12.5")), (".5", Decimal("0.5")), (" 3 ", Decimal("3")), (Decimal("1E+3"), Decimal("1000")),
])
def test_numbers_people_type_are_read_as_meant(typed, value):
    assert parse_decimal(typed, "amount", "金额") == value


@pytest.mark.parametrize(("typed", "message"), [
    ("1,0", "千位分隔符"), ("1,00,000", "千位分隔符"), ("10,00", "千位分隔符"), ("1_0", "应为数字"),
    ("1e3", "应为数字"), ("NaN", "应为数字"), ("inf", "应为数字"), ("-5", "不能为负数"), ("9" * 5000, "过大"),
])
def test_a_number_that_could_be_misread_is_refused_with_a_message(typed, message):
    with pytest.raises(DomainError, match=message) as caught:
        parse_decimal(typed, "amount", "金额")
    assert caught.value.field == "amount"


@pytest.mark.parametrize(("typed", "message"), [
    ("1,0", "千位分隔符"), ("9" * 5000, "过大"), ("1.5", "应为整数"), ("-3", "应为整数"), ("²", "应为整数"),
    ("4000000", "之间"),
])
def test_a_mileage_is_a_whole_number_in_range(typed, message):
    with pytest.raises(DomainError, match=message):
        parse_int(typed, "mileage", "里程", maximum=3_000_000)


def test_grouped_whole_numbers_are_read():
    assert parse_int("68,500", "mileage", "里程") == 68500
    assert parse_int("６８５００", "mileage", "里程") == 68500
