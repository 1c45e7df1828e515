from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel import Field, Index, SQLModel, UniqueConstraint

from models.common import created_at_field


class Team(SQLModel, table=True):
    """A workshop team (班组) that a whole order can be dispatched to."""

    __table_args__ = (UniqueConstraint("branch_id", "name", name="uq_team_branch_name"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    name: str = Field(max_length=32)
    leader_id: int | None = Field(default=None, foreign_key="user.id")
    is_active: bool = True
    created_at: datetime = created_at_field()


class TeamMember(SQLModel, table=True):
    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_team_member"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)


class JobAssignment(SQLModel, table=True):
    """A technician on a job line, with a share of it (percent) for performance and commission.
    The shares of one line add up to 100."""

    __tablename__ = "job_assignment"
    __table_args__ = (UniqueConstraint("job_line_id", "technician_id", name="uq_job_assignment"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    job_line_id: int = Field(foreign_key="job_line.id", index=True)
    technician_id: int = Field(foreign_key="user.id", index=True)
    share_percent: Decimal = Field(max_digits=5, decimal_places=2)
    assigned_by_id: int = Field(foreign_key="user.id")
    assigned_at: datetime = created_at_field()


class TimeEntry(SQLModel, table=True):
    """One stretch of a technician's work on a job line; ``ended_at`` is empty while the clock runs."""

    __tablename__ = "time_entry"
    __table_args__ = (Index("ix_time_entry_branch_started", "branch_id", "started_at"),)  # a branch's day

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    job_line_id: int = Field(foreign_key="job_line.id", index=True)
    technician_id: int = Field(foreign_key="user.id", index=True)
    started_at: datetime = Field(index=True)
    ended_at: datetime | None = None
