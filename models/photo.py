from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import created_at_field


class Photo(SQLModel, table=True):
    """A walk-around or workshop photo. Files live under the data directory with random names."""

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    vehicle_id: int = Field(foreign_key="vehicle.id", index=True)
    work_order_id: int | None = Field(default=None, foreign_key="work_order.id", index=True)
    # Taken at a job line (its note and photos are the line's technician's, a team lead's or a manager's); none for
    # the intake's walk-around photos (an intake role's).
    job_line_id: int | None = Field(default=None, foreign_key="job_line.id", index=True)
    note: str = Field(default="", max_length=200)
    file_name: str = Field(max_length=64)
    thumb_name: str = Field(max_length=64)
    width: int
    height: int
    taken_by_id: int = Field(foreign_key="user.id")
    # Made by the device for each shot, so that a resend after a dropped connection stores the photo once.
    client_key: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = created_at_field()
