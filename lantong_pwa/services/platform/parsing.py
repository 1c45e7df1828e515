"""Turn what a person typed into typed values, or a Chinese message naming the field."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lantong_pwa.errors import DomainError

FEN = Decimal("0.01")


def to_fen(amount: Decimal) -> Decimal:
    """Round yuan to the fen, half up: the one rounding rule for money."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def to_hundredths(value: Decimal | None) -> Decimal | None:
    """Round a typed quantity, rate or price to the two decimals its column keeps, so what is stored is what
    amounts are computed from."""
    return None if value is None else to_fen(value)


def parse_int(text: str | int | None, field: str, label: str, *, minimum: int = 0, maximum: int = 10**9,
              required: bool = True) -> int | None:
    raw = str(text if text is not None else "").strip().replace(",", "")
    if not raw:
        if required:
            raise DomainError(f"请输入{label}", field=field)
        return None
    if not raw.isdigit():
        raise DomainError(f"{label}应为整数", field=field)
    value = int(raw)
    if not minimum <= value <= maximum:
        raise DomainError(f"{label}应在{minimum}到{maximum}之间", field=field)
    return value


def parse_decimal(text: str | Decimal | None, field: str, label: str, *, required: bool = True,
                  maximum: Decimal = Decimal("9999999999.99")) -> Decimal | None:
    raw = str(text if text is not None else "").strip().replace(",", "").replace("¥", "")
    if not raw:
        if required:
            raise DomainError(f"请输入{label}", field=field)
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise DomainError(f"{label}应为数字", field=field) from None
    if not value.is_finite() or value < 0:
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
