"""Chinese plates, VINs and mobile numbers: normalise, then check; every failure carries a Chinese message.

Also the two rules every search follows: its text is at most ``SEARCH_MAX`` characters (``search_text``), and what
was typed is matched literally, ``%`` and ``_`` no wildcards (``contains``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import col

from lantong_pwa.errors import DomainError

# A plate, a VIN, a name, a mobile, an order number or a part is far shorter; a longer search is refused with a
# message instead of reaching the database (SQLite refuses LIKE patterns over 50,000 bytes with an error).
SEARCH_MAX = 50


def search_text(query: object, field: str = "query") -> str:
    """A search box's text, stripped; refused when over ``SEARCH_MAX`` characters."""
    text = query.strip() if isinstance(query, str) else ""
    if len(text) > SEARCH_MAX:
        raise DomainError(f"搜索内容不能超过{SEARCH_MAX}个字", field=field)
    return text


def contains(column, text: str, *, ignore_case: bool = False) -> ColumnElement[bool]:
    """``column LIKE '%text%' ESCAPE '/'``: the text matched literally, its ``%``, ``_`` and ``/`` escaped."""
    column = col(column)
    return column.icontains(text, autoescape=True) if ignore_case else column.contains(text, autoescape=True)

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Standard plates: province, issuing-authority letter, five letters/digits (I and O are never used).
# Special-use plates end in one of these characters instead of the last letter/digit.
SPECIAL_SUFFIXES = "警学挂领使港澳"
_SERIAL = "[A-HJ-NP-Z0-9]"
_STANDARD_PLATE = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z]{_SERIAL}{{5}}$")
_SPECIAL_PLATE = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z]{_SERIAL}{{4}}[{SPECIAL_SUFFIXES}]$")
# New-energy plates (8 characters): small cars start the serial with D/A-K (electric/hybrid) then five digits
# or a letter and four digits; large vehicles put five digits first and D/F last.
_NEW_ENERGY_SMALL = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z][DABCEFGHJK][A-HJ-NP-Z0-9][0-9]{{4}}$")
_NEW_ENERGY_LARGE = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z][0-9]{{5}}[DABCEFGHJK]$")

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")

_VIN_ALPHABET = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9))),
    **dict(zip("JKLMN", range(1, 6))),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10))),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def _squash(text: str) -> str:
    """Upper-case and drop spaces, dots and dashes people type or scanners add; full-width letters become ASCII."""
    folded = "".join(chr(ord(ch) - 0xFEE0) if "！" <= ch <= "～" else ch for ch in text or "")
    return re.sub(r"[\s·.\-]", "", folded).upper()


def normalize_plate(text: str) -> str:
    """Return the plate in canonical form (``粤B12345``) or raise ``DomainError`` on the ``plate`` field."""
    plate = _squash(text)
    if not plate:
        raise DomainError("请输入车牌号", field="plate")
    if plate[0] not in PROVINCES:
        raise DomainError("车牌号应以省份简称开头，例如“粤B12345”", field="plate")
    if len(plate) not in (7, 8):
        raise DomainError("车牌号应为7位（新能源8位）", field="plate")
    patterns = (_STANDARD_PLATE, _SPECIAL_PLATE) if len(plate) == 7 else (_NEW_ENERGY_SMALL, _NEW_ENERGY_LARGE)
    if not any(pattern.match(plate) for pattern in patterns):
        raise DomainError("车牌号格式不正确（字母不含I和O）", field="plate")
    return plate


def plate_query(text: str) -> str:
    """A search fragment of a plate (e.g. its last 3–4 characters), upper-cased without spaces."""
    return _squash(text)


def normalize_mobile(text: str) -> str:
    mobile = re.sub(r"[\s\-]", "", text or "")
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    if not mobile:
        raise DomainError("请输入手机号", field="mobile")
    if not _MOBILE.match(mobile):
        raise DomainError("手机号应为以1开头的11位数字", field="mobile")
    return mobile


@dataclass(frozen=True)
class VinCheck:
    vin: str
    check_digit_ok: bool

    @property
    def warning(self) -> str | None:
        if self.check_digit_ok:
            return None
        return "VIN校验位不符，请核对行驶证；确认无误可继续保存"


def vin_check_digit(vin: str) -> str:
    total = sum(_VIN_VALUES[ch] * weight for ch, weight in zip(vin, _VIN_WEIGHTS))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def check_vin(text: str) -> VinCheck:
    """Validate a VIN's length and alphabet (hard errors) and its check digit (a warning the advisor may override)."""
    vin = _squash(text)
    if len(vin) != 17:
        raise DomainError(f"VIN应为17位，当前{len(vin)}位", field="vin")
    if not _VIN_ALPHABET.match(vin):
        raise DomainError("VIN只能包含数字和字母，且不含I、O、Q", field="vin")
    return VinCheck(vin=vin, check_digit_ok=vin[8] == vin_check_digit(vin))


def clean_texts(values: dict, fields: dict[str, tuple[str, int, bool, bool]], *,
                partial: bool = False) -> tuple[dict[str, str], dict[str, str]]:
    """A form's text fields, stripped (and upper-cased where asked): ``fields`` maps each key to (label, longest,
    required, upper-case). Returns the cleaned texts and a Chinese message per bad field; ``partial`` checks only
    the keys present."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, (label, longest, required, upper) in fields.items():
        if partial and key not in values:
            continue
        text = str(values.get(key) if values.get(key) is not None else "").strip()
        text = text.upper() if upper else text
        if required and not text:
            errors[key] = f"请输入{label}"
        elif len(text) > longest:
            errors[key] = f"{label}不能超过{longest}个字"
        else:
            cleaned[key] = text
    return cleaned, errors
