"""Human document numbers per branch and day: ``WX20261126-0007`` is the 7th work order of that day.

The counter row is bumped with a single ``UPDATE … RETURNING`` so concurrent requests never get the same number.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models import DocumentSequence

WORK_ORDER_PREFIX = "WX"


def next_number(session: Session, branch_id: int, prefix: str, day: date) -> str:
    for _ in range(3):
        bumped = session.execute(
            update(DocumentSequence)
            .where(
                DocumentSequence.branch_id == branch_id,
                DocumentSequence.prefix == prefix,
                DocumentSequence.day == day,
            )
            .values(last_value=DocumentSequence.last_value + 1)
            .returning(DocumentSequence.last_value)
        ).scalar_one_or_none()
        if bumped is not None:
            return f"{prefix}{day:%Y%m%d}-{bumped:04d}"
        try:
            with session.begin_nested():
                session.add(DocumentSequence(branch_id=branch_id, prefix=prefix, day=day, last_value=0))
        except IntegrityError:
            continue  # another request created today's counter first; bump it
    raise RuntimeError("could not allocate a document number")
