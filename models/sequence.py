from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel, UniqueConstraint


class DocumentSequence(SQLModel, table=True):
    """The last number given to a kind of document (``prefix``) in a branch on a day."""

    __tablename__ = "document_sequence"
    __table_args__ = (UniqueConstraint("branch_id", "prefix", "day", name="uq_document_sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id")
    prefix: str = Field(max_length=8)
    day: date
    last_value: int = 0
