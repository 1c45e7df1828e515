"""The audit trail: one row for every change a person makes to money, stock, users or a document's status, and every
sign-in; the admin reads the newest (审计日志)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from lantong_pwa.services.platform.permissions import Permission, require
from models import AuditEvent, User


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    branch_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    event = AuditEvent(
        branch_id=branch_id if branch_id is not None else (actor.branch_id if actor else None),
        user_id=actor.id if actor else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail=json.dumps(detail, ensure_ascii=False, default=str),
    )
    session.add(event)
    return event


SIGN_IN_ACTIONS = ("sign_in", "sign_in.refused")
# Why a sign-in was refused, for the admin's eyes only (the person signing in is told none of it).
REFUSAL_REASONS = {
    "unknown_user": "无此用户",
    "wrong_password": "密码错误",
    "disabled": "账号已停用",
    "branch_closed": "门店已停业",
    "throttled": "尝试过多，稍后再试",
}
# What each audited action is called on the audit log (tests/services/platform/test_audit_labels.py keeps it whole).
ACTION_LABELS = {
    "sign_in": "登录成功", "sign_in.refused": "登录失败",
    "user.create": "新建用户", "user.update": "修改用户", "user.enable": "启用用户", "user.disable": "停用用户",
    "user.reset_password": "重置密码", "user.change_password": "修改本人密码", "user.end_sessions": "强制下线",
    "branch.create": "新建门店", "branch.update": "修改门店", "branch.close": "门店停业", "branch.reopen": "门店复业",
    "branch.vat_rate": "修改税率", "branch.follow_up_days": "修改回访天数",
    "branch.warranty": "修改维修质保期",
    "money_account.create": "新建资金账户", "money_account.map_method": "设置收付款方式的账户",
    "money_account.opening": "设置账户期初余额", "money_account.transfer": "资金转账",
    "cash_close.count": "交班清点现金", "cash_close.explain": "说明交班差异",
    "branch.technicians_see_contact_and_prices": "修改技师可见范围",
    "fee_type.create": "新建费用类型", "fee_type.enable": "启用/停用费用类型", "team.create": "新建班组",
    "warehouse.create": "新建仓库",
    "part.create": "新建配件", "part.update": "修改配件", "part.retire": "停用配件", "part.reactivate": "启用配件",
    "stock_limit.set": "设置安全库存", "stock_limit.remove": "取消安全库存", "stock_limit.apply": "按建议设置安全库存",
    "stock.opening": "期初入库",
    "stock.receipt": "入库", "supplier.create": "新建供应商", "supplier.update": "修改供应商",
    "supplier.deactivate": "停用供应商", "supplier.reactivate": "启用供应商", "supplier_part.create": "新增报价",
    "supplier_part.update": "修改报价", "supplier_part.remove": "删除报价", "import.parts": "导入配件档案",
    "import.suppliers": "导入供应商", "import.offers": "导入供应商报价", "import.opening": "导入期初库存",
    "customer.create": "新建客户", "customer.update": "修改客户", "vehicle.create": "新建车辆",
    "vehicle.update": "修改车辆", "vehicle.next_service": "设置下次保养",
    "work_order.open": "开单", "work_order.dispatch": "派工", "work_order.status": "工单状态变更",
    "work_order.quality_check": "质检", "work_order.complete_without_parts": "未领料完工",
    "job_line.assign": "分派项目", "job_line.status": "项目状态变更", "part_line.remove": "删除配件行",
    "photo.add": "添加照片", "photo.note": "照片备注",
    "pick_request.create": "申请领料", "pick_request.cancel": "取消领料", "pick_request.done": "领料完成",
    "stock.pick": "出库领料", "stock.return": "退料", "stock.rebuild": "重建库存",
    "count_sheet.create": "新建盘点单", "count_sheet.start": "开始盘点", "count_sheet.cancel": "作废盘点单",
    "count_sheet.count": "盘点录入", "count_sheet.confirm": "确认盘点差异", "count_sheet.post": "盘点过账",
    "settlement.create": "结算", "settlement.reopen": "撤销结算", "settlement.fee_add": "添加费用",
    "settlement.fee_remove": "删除费用", "settlement.line_terms": "修改结算条款",
    "settlement.order_discount": "整单优惠", "payment.take": "收款",
    "member_card.issue": "开会员卡", "member_card.top_up": "会员卡充值", "member_card.spend": "会员卡消费",
    "care_reminder.contacted": "提醒已联系", "care_reminder.snooze": "提醒推迟",
    "follow_up.call": "电话回访", "follow_up.send_link": "发送评价链接", "follow_up.answer": "客户评价",
    "complaint.create": "新建投诉", "complaint.assign": "分派投诉", "complaint.status": "投诉状态变更",
    "notification.queue": "消息排队", "notification.retry": "消息重发",
    "purchase_order.create": "新建采购单", "purchase_order.edit": "修改采购单", "purchase_order.status": "采购单状态变更",
    "purchase_order.close": "关闭采购单", "goods_receipt.create": "进货入库", "purchase_return.create": "采购退货",
    "party_payment.pay": "供应商付款", "party_payment.collect": "往来收款",
    "statement_link.send": "发送对账链接", "statement_link.answer": "客户对账确认",
    "transfer.create": "新建调拨", "transfer.request": "调拨申请", "transfer.ship": "调出",
    "transfer.receive": "调拨收货", "transfer.write_off": "调拨在途报损", "transfer.cancel": "取消调拨",
    "part.create_from_transfer": "调拨建档",
    "stock_issue.create": "内部领料/赠品出库", "price_adjustment.prepare": "调价预览",
    "price_adjustment.apply": "执行调价", "price_adjustment.cancel": "作废调价单",
    "expense.request": "报销申请", "expense.approve": "批准费用", "expense.reject": "驳回费用",
    "expense.withdraw": "撤回费用", "expense.pay": "支付费用", "branch.expense_approval_amount": "修改费用审批金额",
    "expense_category.create": "新建费用类别", "expense_category.rename": "费用类别改名",
    "expense_category.enable": "启用费用类别", "expense_category.disable": "停用费用类别",
    "counterparty.create": "新建往来单位", "counterparty.update": "修改往来单位", "counterparty.retire": "停用往来单位",
    "counterparty.restore": "启用往来单位", "payment.credit_override": "经理授权挂账", "customer.credit": "修改挂账额度和账期",
    "invoice.issue": "开票", "invoice.reverse": "红冲发票", "invoice.receive": "收票",
}
RECENT_LIMIT = 200


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    action: str
    who: str  # the person who did it ("" when nobody was signed in)
    detail: dict[str, Any]


def recent(session: Session, actor: User | None, *, sign_ins_only: bool = False,
           limit: int = RECENT_LIMIT) -> list[AuditLine]:
    """The newest ``limit`` audit rows, newest first, with the name of who did each (admin only: every branch)."""
    require(actor, Permission.VIEW_AUDIT)
    query = (select(AuditEvent, User.display_name).join(User, col(User.id) == AuditEvent.user_id, isouter=True)
             .order_by(col(AuditEvent.id).desc()).limit(limit))
    if sign_ins_only:
        query = query.where(col(AuditEvent.action).in_(SIGN_IN_ACTIONS))
    return [AuditLine(at=event.created_at, action=event.action, who=name or "", detail=_detail(event.detail))
            for event, name in session.exec(query).all()]


def _detail(text: str) -> dict[str, Any]:
    try:
        detail = json.loads(text or "{}")
    except ValueError:
        return {}
    return detail if isinstance(detail, dict) else {}


def record_saved(session: Session, actor: User | None, entity: str, row: Any, before: dict[str, Any] | None,
                 fields: tuple[str, ...], **detail: Any) -> AuditEvent | None:
    """Audit a form's save: ``<entity>.create`` with every field when ``before`` is None, else ``<entity>.update``
    with each changed field's [old, new]; nothing when an edit changed nothing."""
    if before is None:
        return record(session, actor, f"{entity}.create", entity, row.id, branch_id=row.branch_id, **detail,
                      fields={key: str(getattr(row, key)) for key in fields})
    changed = {key: [str(before[key]), str(getattr(row, key))] for key in fields if before[key] != getattr(row, key)}
    changed.update(detail.pop("changed", {}))
    if not changed:
        return None
    return record(session, actor, f"{entity}.update", entity, row.id, branch_id=row.branch_id, **detail,
                  changed=changed)


def record_active(session: Session, actor: User | None, entity: str, row: Any, active: bool, *, on: str,
                  off: str) -> bool:
    """Switch a row's ``is_active`` and audit it as ``<entity>.<on>`` or ``<entity>.<off>``; False when it already
    was so (nothing recorded)."""
    if bool(row.is_active) == bool(active):
        return False
    row.is_active = bool(active)
    session.add(row)
    session.flush()
    record(session, actor, f"{entity}.{on if active else off}", entity, row.id, branch_id=row.branch_id,
           code=getattr(row, "code", None))
    session.flush()
    return True
