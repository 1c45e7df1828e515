"""The chain's branches (X1), managed by an admin: create, edit the details printed on the 结算单 and vehicle labels,
close and reopen.

A closed branch (已停业) keeps every row it ever had, and they still count in the admin's figures and reports; nobody
signs in to it (``auth.sign_in`` refuses its users, and closing ends their sessions), and no user is created into it.
The last open branch cannot be closed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound
from lantong_pwa.services.finance import cash_book, expense_categories
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.permissions import Permission, require
from models import Branch, BranchStatus, User, UserSession
from models.common import utc_now

_CODE = re.compile(r"^[A-Z0-9_-]{2,16}$")
_TAX_ID = re.compile(r"^[0-9A-Z]+$")
TAX_ID_LENGTHS = (15, 18, 20)  # the old 税务登记号, the 统一社会信用代码, and the 20-character form
# A landline with its area code (and an extension), a mobile, or a 400/800 service number.
_PHONE = re.compile(r"^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|1[3-9]\d{9}|[48]00-?\d{3}-?\d{4})$")


@dataclass(frozen=True)
class BranchForm:
    code: str
    name: str
    address: str = ""
    phone: str = ""
    tax_id: str = ""
    bank_account: str = ""
    header: str = ""  # 抬头 on the 结算单 and labels; empty prints the name


def header_of(branch: Branch) -> str:
    """The header printed on the branch's 结算单 and vehicle labels: its own 抬头, or its name."""
    return branch.header or branch.name


def is_open(branch: Branch) -> bool:
    return BranchStatus(branch.status) == BranchStatus.OPEN


def _text(value: str | None, field: str, label: str, limit: int, errors: dict[str, str]) -> str:
    text = " ".join((value or "").split())
    if len(text) > limit:
        errors[field] = f"{label}不能超过{limit}个字"
    return text


def _checked(session: Session, form: BranchForm, branch_id: int | None) -> dict[str, str]:
    """The form's values, cleaned; every wrong field's message at once (``FormErrors``)."""
    errors: dict[str, str] = {}
    code = re.sub(r"\s", "", form.code or "").upper()
    if not code:
        errors["code"] = "请填写门店编码"
    elif not _CODE.match(code):
        errors["code"] = "门店编码为2–16位字母、数字、“-”或“_”"
    elif session.exec(select(Branch.id).where(Branch.code == code, Branch.id != (branch_id or 0))).first():
        errors["code"] = f"门店编码“{code}”已被使用"
    name = _text(form.name, "name", "门店名称", 64, errors)
    if not name:
        errors["name"] = "请填写门店名称"
    address = _text(form.address, "address", "地址", 200, errors)
    phone = re.sub(r"[\s()（）]", "", form.phone or "")
    if phone and not _PHONE.match(phone):
        errors["phone"] = "电话格式不正确，例如 0755-86001234 或 13800138000"
    tax_id = re.sub(r"\s", "", form.tax_id or "").upper()
    if tax_id and (len(tax_id) not in TAX_ID_LENGTHS or not _TAX_ID.match(tax_id)):
        errors["tax_id"] = "税号应为15、18或20位数字或大写字母"
    bank_account = _text(form.bank_account, "bank_account", "开户行及账号", 100, errors)
    header = _text(form.header, "header", "抬头", 64, errors)
    if errors:
        raise FormErrors(errors)
    return dict(code=code, name=name, address=address, phone=phone, tax_id=tax_id, bank_account=bank_account,
                header=header)


def list_branches(session: Session, actor: User) -> list[Branch]:
    """Every branch, open ones first."""
    require(actor, Permission.MANAGE_BRANCHES)
    return list(session.exec(select(Branch).order_by(Branch.status.desc(), Branch.id)).all())


def create_branch(session: Session, actor: User | None, form: BranchForm) -> Branch:
    require(actor, Permission.MANAGE_BRANCHES)
    return _create(session, actor, form)


def create_branch_from_command_line(session: Session, form: BranchForm) -> Branch:
    """The machine's owner sets up a branch (the first one, say); the audit row names no user."""
    return _create(session, None, form)


def _flush_unique_code(session: Session, branch: Branch) -> None:
    """Flush ``branch``; a code another request took since the check (two admins at the same moment) gets the same
    message as one taken before, from the unique index."""
    try:
        with session.begin_nested():
            session.add(branch)
    except IntegrityError as error:
        raise FormErrors({"code": f"门店编码“{branch.code}”已被使用"}) from error


def _create(session: Session, actor: User | None, form: BranchForm) -> Branch:
    branch = Branch(**_checked(session, form, None))
    _flush_unique_code(session, branch)
    cash_book.ensure_accounts(session, branch.id)
    expense_categories.seed_defaults(session, branch.id)
    audit.record(session, actor, "branch.create", "branch", branch.id, branch_id=branch.id, code=branch.code,
                 name=branch.name)
    session.flush()
    return branch


def _branch(session: Session, actor: User, branch_id: int) -> Branch:
    require(actor, Permission.MANAGE_BRANCHES)
    branch = session.get(Branch, branch_id)
    if branch is None:
        raise NotFound("门店不存在")
    return branch


def update_branch(session: Session, actor: User, branch_id: int, form: BranchForm) -> Branch:
    """Change a branch's code, name and printed details; settlements made earlier keep their own numbers."""
    branch = _branch(session, actor, branch_id)
    changes = {}
    for field, value in _checked(session, form, branch.id).items():
        if getattr(branch, field) != value:
            changes[field] = [getattr(branch, field), value]
            setattr(branch, field, value)
    if changes:
        _flush_unique_code(session, branch)
        audit.record(session, actor, "branch.update", "branch", branch.id, branch_id=branch.id, changes=changes)
        session.flush()
    return branch


def close_branch(session: Session, actor: User, branch_id: int, *, now: datetime | None = None) -> Branch:
    """停业: the branch keeps its history; its users are signed out everywhere and refused at sign-in until it
    reopens. The open branches' rows are locked first, so two admins closing the last two cannot both succeed."""
    branch = _branch(session, actor, branch_id)
    if actor.branch_id == branch.id:
        raise DomainError("您的账号属于该门店，停业后将无法登录；请先把自己的账号调到其他门店")
    session.execute(update(Branch).where(Branch.status == BranchStatus.OPEN).values(id=Branch.id))
    still_open = session.exec(select(Branch.id).where(Branch.status == BranchStatus.OPEN)).all()
    if branch.id in still_open and len(still_open) == 1:
        raise DomainError("这是唯一营业中的门店，不能停业")
    _move(session, branch, BranchStatus.OPEN, BranchStatus.CLOSED, now or utc_now())
    signed_in = select(User.id).where(User.branch_id == branch.id)
    for row in session.exec(select(UserSession).where(col(UserSession.user_id).in_(signed_in))).all():
        session.delete(row)
    audit.record(session, actor, "branch.close", "branch", branch.id, branch_id=branch.id)
    session.flush()
    return branch


def reopen_branch(session: Session, actor: User, branch_id: int) -> Branch:
    """恢复营业: its users (still active ones) may sign in again."""
    branch = _branch(session, actor, branch_id)
    _move(session, branch, BranchStatus.CLOSED, BranchStatus.OPEN, None)
    audit.record(session, actor, "branch.reopen", "branch", branch.id, branch_id=branch.id)
    session.flush()
    return branch


def _move(session: Session, branch: Branch, expected: BranchStatus, target: BranchStatus,
          closed_at: datetime | None) -> None:
    """Compare-and-set the status: zero rows means someone else moved it first."""
    moved = session.execute(update(Branch).where(Branch.id == branch.id, Branch.status == expected)
                            .values(status=target, closed_at=closed_at))
    if moved.rowcount != 1:
        session.refresh(branch)
        raise DomainError(f"门店状态已变化（现为“{BranchStatus(branch.status).label}”），请刷新后重试")
    session.refresh(branch)


def require_open(session: Session, branch_id: int | None, field: str = "branch_id") -> Branch:
    """The open branch with that id, for a user to be created into or moved to."""
    branch = session.get(Branch, branch_id) if branch_id is not None else None
    if branch is None:
        raise DomainError("请选择所属门店", field=field)
    if not is_open(branch):
        raise DomainError(f"“{branch.name}”已停业，不能添加或调入用户", field=field)
    return branch
