"""The amount in Chinese capitals, against cases written out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lantong_pwa.services.finance.capitals import in_capitals


@pytest.mark.parametrize(("amount", "words"), [
    # The cases.
    ("0.50", "伍角"),
    ("10.05", "壹拾元零伍分"),
    ("100200.00", "壹拾万零贰佰元整"),
    ("1000000.01", "壹佰万元零壹分"),
    # More a cashier meets.
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("0.55", "伍角伍分"),
    ("1", "壹元整"),
    ("10", "壹拾元整"),
    ("15", "壹拾伍元整"),
    ("100.50", "壹佰元伍角"),
    ("101", "壹佰零壹元整"),
    ("1010", "壹仟零壹拾元整"),
    ("1001", "壹仟零壹元整"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("10000", "壹万元整"),
    ("10001", "壹万零壹元整"),
    ("10010", "壹万零壹拾元整"),
    ("11000", "壹万壹仟元整"),
    ("105000", "壹拾万伍仟元整"),
    ("1000100", "壹佰万零壹佰元整"),
    ("12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角"),
    ("100000000", "壹亿元整"),
    ("100000001", "壹亿零壹元整"),
    ("100010000", "壹亿零壹万元整"),
    ("9999999999.99", "玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("-368.00", "负叁佰陆拾捌元整"),
    ("0.005", "壹分"),  # rounded to the fen, half up
])
def test_in_capitals(amount, words):
    assert in_capitals(Decimal(amount)) == words
