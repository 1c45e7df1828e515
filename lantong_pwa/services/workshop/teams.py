"""Workshop teams (班组): a named group of a branch's technicians with a leader, that a whole order can go to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.permissions import Permission, require, require_branch, row_in_branch
from models import Role, Team, TeamMember, User


@dataclass(frozen=True)
class TeamInfo:
    team: Team
    leader: User | None
    members: list[User]


def branch_technicians(session: Session, actor: User, branch_id: int | None = None) -> list[User]:
    """The active technicians of the actor's branch (or ``branch_id``), by name: who work can be sent to."""
    require(actor, Permission.VIEW_VEHICLES)
    require_branch(actor, branch_id or actor.branch_id)
    return list(session.exec(
        select(User).where(User.branch_id == (branch_id or actor.branch_id), User.role == Role.TECHNICIAN,
                           col(User.is_active).is_(True)).order_by(User.display_name, User.id)
    ).all())


def active_technician(session: Session, branch_id: int, user_id: int) -> User:
    """The user, if it is an active technician of the branch; ``DomainError`` otherwise."""
    user = session.get(User, user_id)
    if user is None or user.branch_id != branch_id or Role(user.role) != Role.TECHNICIAN or not user.is_active:
        raise DomainError("只能派给本店在职的维修技师", field="technician")
    return user


def create_team(session: Session, actor: User, name: str, member_ids: list[int], leader_id: int | None) -> Team:
    """A new team of the actor's branch; the leader must be one of the members."""
    require(actor, Permission.LEAD_WORKSHOP)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "请填写班组名称"
    elif len(name) > 32:
        errors["name"] = "班组名称不能超过32字"
    elif session.exec(select(Team.id).where(Team.branch_id == actor.branch_id, Team.name == name)).first():
        errors["name"] = f"已有名为“{name}”的班组"
    members: list[User] = []
    try:
        members = [active_technician(session, actor.branch_id, int(i)) for i in dict.fromkeys(member_ids)]
    except DomainError as error:
        errors["members"] = error.message
    if not members and "members" not in errors:
        errors["members"] = "请至少选择一名班组成员"
    if leader_id and leader_id not in {m.id for m in members}:
        errors["leader"] = "组长须是班组成员"
    if errors:
        raise FormErrors(errors)
    team = Team(branch_id=actor.branch_id, name=name, leader_id=leader_id or None)
    session.add(team)
    session.flush()
    for member in members:
        session.add(TeamMember(team_id=team.id, user_id=member.id))
    audit.record(session, actor, "team.create", "team", team.id, branch_id=team.branch_id, name=name,
                 members=[m.id for m in members], leader_id=team.leader_id)
    session.flush()
    return team


def list_teams(session: Session, actor: User, branch_id: int | None = None) -> list[TeamInfo]:
    """The actor's branch's (or ``branch_id``'s) active teams with their members, by name."""
    require(actor, Permission.VIEW_VEHICLES)
    require_branch(actor, branch_id or actor.branch_id)
    teams = list(session.exec(select(Team).where(Team.branch_id == (branch_id or actor.branch_id), col(Team.is_active).is_(True))
                              .order_by(Team.name)).all())
    members: dict[int, list[User]] = {team.id: [] for team in teams}
    users: dict[int, User] = {}
    if teams:
        rows = session.exec(select(TeamMember, User).join(User, User.id == TeamMember.user_id)
                            .where(col(TeamMember.team_id).in_(list(members))).order_by(User.display_name)).all()
        for link, user in rows:
            members[link.team_id].append(user)
            users[user.id] = user
    return [TeamInfo(team=t, leader=users.get(t.leader_id) if t.leader_id else None, members=members[t.id])
            for t in teams]


def team_members(session: Session, actor: User, team_id: int) -> tuple[Team, list[User]]:
    """A team of the actor's branch and its members who are still active technicians."""
    team = row_in_branch(session, actor, Team, team_id, "班组不存在")
    if not team.is_active:
        raise DomainError("该班组已停用")
    users = session.exec(select(User).join(TeamMember, TeamMember.user_id == User.id)
                         .where(TeamMember.team_id == team.id, User.role == Role.TECHNICIAN,
                                col(User.is_active).is_(True)).order_by(User.id)).all()
    if not users:
        raise DomainError(f"班组“{team.name}”没有在职技师")
    return team, list(users)
