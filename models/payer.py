from __future__ import annotations

from enum import StrEnum


class Payer(StrEnum):
    """Who pays a settled line. Only customer lines reach the customer's total."""

    CUSTOMER = "customer"
    WARRANTY = "warranty"  # 三包: the manufacturer named on the line
    INSURANCE = "insurance"  # 保险: the insurer named on the line
    INTERNAL = "internal"

    @property
    def label(self) -> str:
        return PAYER_LABELS[self]


PAYER_LABELS = {Payer.CUSTOMER: "自费", Payer.WARRANTY: "三包", Payer.INSURANCE: "保险", Payer.INTERNAL: "内部"}
