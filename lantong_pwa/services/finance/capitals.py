"""The amount in Chinese capitals (大写金额), as receipts, 结算单 and cheques write it.

The rules a cashier expects (and the tests check by hand-written cases):
- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 within a group of four, groups 万 and 亿;
- zeros inside the number are read once (壹仟零壹拾), zeros at the end of a group are not read, and a group that starts
  with zeros after a higher group is joined by one 零 (壹拾万零贰佰);
- 元 after the yuan, then 角 and 分; 零 before 分 when the yuan is there and the 角 is not (壹拾元零伍分);
  no 元 when there is no yuan (伍角);
- 整 when there are no 角 and 分 (壹拾万零贰佰元整); nothing is 零元整; a negative amount starts with 负.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("仟", "佰", "拾", "")
GROUPS = ("", "万", "亿", "万亿")


def _group(value: int) -> str:
    """1 … 9999 read within its group; a zero between digits is read once, trailing zeros not at all."""
    words, zero = "", False
    for place, digit in zip(PLACES, f"{value:04d}"):
        if digit == "0":
            zero = bool(words)
            continue
        if zero:
            words += "零"
            zero = False
        words += DIGITS[int(digit)] + place
    return words


def _yuan(value: int) -> str:
    groups = []
    while value:
        value, group = divmod(value, 10000)
        groups.append(group)
    words = ""
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            continue
        if words and group < 1000:  # zeros between this group and the higher one, read once
            words += "零"
        words += _group(group) + GROUPS[index]
    return words


def in_capitals(amount: Decimal) -> str:
    """``amount`` (yuan, rounded to the fen) in Chinese capitals: ``Decimal("10.05")`` → 壹拾元零伍分."""
    fen_total = int((abs(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if fen_total == 0:
        return "零元整"
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    words = "负" if amount < 0 else ""
    if yuan:
        words += _yuan(yuan) + "元"
    if jiao:
        words += DIGITS[jiao] + "角"
    if fen:
        words += ("零" if yuan and not jiao else "") + DIGITS[fen] + "分"
    if not cents:
        words += "整"
    return words
