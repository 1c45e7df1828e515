"""Turn what a person typed into typed values, or a Chinese message naming the field."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from lantong_pwa.errors import DomainError

FEN = Decimal("0.01")
# What a typed number may look like: digits with an optional decimal part, or thousands grouped by commas exactly
# every three digits (1,000 and 12,345.5). ``1,0``, ``1_0`` or ``1e3`` are refused, never read as ten or a thousand.
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
MAX_NUMBER_CHARS = 24  # no amount, quantity or reading a person types is longer
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")  # what a Chinese keyboard may type


def _number_text(text: object, field: str, label: str) -> tuple[str, bool]:
    """The typed number without its thousands separators, and whether it was negative; refuses anything else."""
    raw = str(text if text is not None else "").translate(_FULL_WIDTH).strip().replace("¥", "").replace(" ", "")
    if len(raw) > MAX_NUMBER_CHARS:
        raise DomainError(f"{label}过大", field=field)
    negative = raw.startswith("-")
    digits = raw[1:] if negative or raw.startswith("+") else raw
    if _GROUPED.fullmatch(digits):
        digits = digits.replace(",", "")
    elif "," in digits:
        raise DomainError(f"{label}格式不正确：千位分隔符应每三位一个逗号，小数点用“.”", field=field)
    return digits, negative


def to_fen(amount: Decimal) -> Decimal:
    """Round yuan to the fen, half up: the one rounding rule for money."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def to_hundredths(value: Decimal | None) -> Decimal | None:
    """Round a typed quantity, rate or price to the two decimals its column keeps, so what is stored is what
    amounts are computed from."""
    return None if value is None else to_fen(value)


def parse_int(text: str | int | None, field: str, label: str, *, minimum: int = 0, maximum: int = 10**9,
              required: bool = True) -> int | None:
    raw, negative = _number_text(text, field, label)
    if not raw:
        if required:
            raise DomainError(f"请输入{label}", field=field)
        return None
    if not raw.isascii() or not raw.isdigit() or negative:  # ``isdigit`` alone takes ² and ١
        raise DomainError(f"{label}应为整数", field=field)
    value = int(raw)
    if not minimum <= value <= maximum:
        raise DomainError(f"{label}应在{minimum}到{maximum}之间", field=field)
    return value


def parse_decimal(text: str | Decimal | None, field: str, label: str, *, required: bool = True,
                  maximum: Decimal = Decimal("9999999999.99")) -> Decimal | None:
    if isinstance(text, Decimal):
        text = format(text, "f") if text.is_finite() else "NaN"
    raw, negative = _number_text(text, field, label)
    if not raw:
        if required:
            raise DomainError(f"请输入{label}", field=field)
        return None
    if not _PLAIN.fullmatch(raw):
        raise DomainError(f"{label}应为数字", field=field)
    value = Decimal(raw)
    if negative and value != 0:
        raise DomainError(f"{label}不能为负数", field=field)
    if value > maximum:
        raise DomainError(f"{label}过大", field=field)
    return value


def parse_date(text: str | date | None, field: str, label: str) -> date | None:
    if isinstance(text, date):
        return text
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(f"{label}格式应为年-月-日", field=field) from None


def parse_local_datetime(text: str | None, field: str, label: str) -> datetime | None:
    """A ``datetime-local`` input value (``2026-11-26T17:30``), naive shop time."""
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise DomainError(f"{label}格式不正确", field=field) from None
