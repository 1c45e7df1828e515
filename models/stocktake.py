"""Stocktaking (盘点, P10): a count sheet for one warehouse, its lines (one per part), and the count entries clerks
type or scan on their phones.

Entries are append-only: re-counting a part adds an entry, and the line carries the latest entry's figures (count,
who, when, ledger position) so the sheet reads without a scan of the history. The line's ``ledger_position`` is the
highest ``StockMove.id`` when that entry was made: posting takes on hand at that position as the expected quantity.

The database refuses what must never happen: a negative count, and one part on two open sheets of a warehouse
(``is_open`` is true on the lines of a sheet in draft or counting).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field

OPEN_ONLY = text("is_open")


class CountScope(StrEnum):
    WAREHOUSE = "warehouse"  # 整仓
    SHELVES = "shelves"  # 按库位
    CATEGORIES = "categories"  # 按分类
    ABC = "abc"  # ABC 循环盘点

    @property
    def label(self) -> str:
        return {"warehouse": "整仓盘点", "shelves": "按库位", "categories": "按分类", "abc": "ABC循环盘点"}[self.value]


class CountSheetStatus(StrEnum):
    DRAFT = "draft"
    COUNTING = "counting"
    POSTED = "posted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "counting": "盘点中", "posted": "已过账", "cancelled": "已作废"}[self.value]


class RecountState(StrEnum):
    NONE = ""  # nothing asked
    NEEDED = "needed"  # 需复盘: the variance's value is above the sheet's threshold
    RECOUNTED = "recounted"  # 已复盘: counted again after the flag; that count stands
    CONFIRMED = "confirmed"  # 店长确认: the manager accepted the variance without a recount


class CountSheet(SQLModel, table=True):
    """盘点单: which warehouse, which parts (the scope), its status, and the value above which a variance asks for a
    recount."""

    __tablename__ = "count_sheet"
    __table_args__ = (UniqueConstraint("branch_id", "number", name="uq_count_sheet_branch_number"),
                      UniqueConstraint("branch_id", "request_key", name="uq_count_sheet_request_key"),
                      CheckConstraint("recount_threshold >= 0", name="threshold_not_negative"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)
    warehouse_id: int = Field(foreign_key="warehouse.id", index=True)
    scope: CountScope = enum_field()
    scope_values: str = Field(default="", max_length=400)  # shelves, categories or A/B/C classes, "、"-joined
    status: CountSheetStatus = enum_field(default=CountSheetStatus.DRAFT, index=True)
    recount_threshold: Decimal = money_field()
    note: str = Field(default="", max_length=200)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()
    started_at: datetime | None = None
    posted_by_id: int | None = Field(default=None, foreign_key="user.id")
    posted_at: datetime | None = None
    cancelled_at: datetime | None = None
    updated_at: datetime = created_at_field()
    request_key: str | None = Field(default=None, max_length=36)


class CountLine(SQLModel, table=True):
    """One part on a sheet, with its latest count (see the module's docstring)."""

    __tablename__ = "count_line"
    __table_args__ = (UniqueConstraint("sheet_id", "part_id", name="uq_count_line_sheet_part"),
                      Index("uq_count_line_open_part", "warehouse_id", "part_id", unique=True,
                            sqlite_where=OPEN_ONLY, postgresql_where=OPEN_ONLY),
                      CheckConstraint("counted_quantity IS NULL OR counted_quantity >= 0",
                                      name="counted_not_negative"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    sheet_id: int = Field(foreign_key="count_sheet.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouse.id")
    part_id: int = Field(foreign_key="part.id", index=True)
    shelf: str = Field(default="", max_length=20)  # where the part is expected (库位), as the sheet was made
    is_open: bool = True
    counted_quantity: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)  # None: 未盘
    counted_by_id: int | None = Field(default=None, foreign_key="user.id")
    counted_at: datetime | None = None
    ledger_position: int | None = None  # the highest stock move id when the latest count was entered
    entry_count: int = 0
    recount: RecountState = enum_field(default=RecountState.NONE)
    note: str = Field(default="", max_length=200)


class CountEntry(SQLModel, table=True):
    """One count typed or scanned by a clerk: append-only; the line shows the latest."""

    __tablename__ = "count_entry"
    __table_args__ = (UniqueConstraint("branch_id", "request_key", name="uq_count_entry_request_key"),
                      CheckConstraint("quantity >= 0", name="quantity_not_negative"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    sheet_id: int = Field(foreign_key="count_sheet.id", index=True)
    line_id: int = Field(foreign_key="count_line.id", index=True)
    quantity: Decimal = Field(max_digits=12, decimal_places=2)
    ledger_position: int
    is_recount: bool = False
    note: str = Field(default="", max_length=200)
    counted_by_id: int = Field(foreign_key="user.id")
    counted_at: datetime = created_at_field()
    request_key: str | None = Field(default=None, max_length=36)
