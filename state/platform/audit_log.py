"""The audit log (``/admin/audit``, admin only): the newest sign-ins with their address and why a refused one was
refused, and the other changes people made."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.timezone import format_local
from state.platform.session import SessionState

ACTION_LABELS = {
    "sign_in": "登录成功", "sign_in.refused": "登录失败",
    "user.create": "新建用户", "user.update": "修改用户", "user.enable": "启用用户", "user.disable": "停用用户",
    "user.reset_password": "重置密码", "user.change_password": "修改本人密码", "user.end_sessions": "强制下线",
    "branch.create": "新建门店", "branch.update": "修改门店", "branch.close": "门店停业", "branch.reopen": "门店复业",
    "branch.vat_rate": "修改税率", "branch.follow_up_days": "修改回访天数",
    "branch.technicians_see_contact_and_prices": "修改技师可见范围",
    "fee_type.create": "新建费用类型", "fee_type.enable": "启用/停用费用类型", "team.create": "新建班组",
    "warehouse.create": "新建仓库",
    "part.create": "新建配件", "part.update": "修改配件", "part.retire": "停用配件", "part.reactivate": "启用配件",
    "stock_limit.set": "设置安全库存", "stock_limit.remove": "取消安全库存", "stock.opening": "期初入库",
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
    "settlement.create": "结算", "settlement.reopen": "撤销结算", "settlement.fee_add": "添加费用",
    "settlement.fee_remove": "删除费用", "settlement.line_terms": "修改结算条款",
    "settlement.order_discount": "整单优惠", "payment.take": "收款",
    "member_card.issue": "开会员卡", "member_card.top_up": "会员卡充值", "member_card.spend": "会员卡消费",
    "care_reminder.contacted": "提醒已联系", "care_reminder.snooze": "提醒推迟",
    "follow_up.call": "电话回访", "follow_up.send_link": "发送评价链接", "follow_up.answer": "客户评价",
    "complaint.create": "新建投诉", "complaint.assign": "分派投诉", "complaint.status": "投诉状态变更",
    "notification.queue": "消息排队", "notification.retry": "消息重发",
}


@dataclasses.dataclass
class AuditRow:
    at: str = ""
    action: str = ""
    refused: bool = False
    who: str = ""  # who did it, or the name a sign-in tried
    address: str = ""
    note: str = ""  # why a sign-in was refused; what else changed


def audit_row(line: audit.AuditLine) -> AuditRow:
    detail = dict(line.detail)
    tried = str(detail.pop("username", ""))
    address = str(detail.pop("address", ""))
    reason = str(detail.pop("reason", ""))
    note = audit.REFUSAL_REASONS.get(reason, reason) if reason else \
        "，".join(f"{key}: {value}" for key, value in detail.items())
    return AuditRow(at=format_local(line.at, "%Y-%m-%d %H:%M:%S"), action=ACTION_LABELS.get(line.action, line.action),
                    refused=line.action == "sign_in.refused", who=line.who or tried, address=address, note=note)


class AuditLogState(SessionState):
    rows: list[AuditRow] = []
    sign_ins_only: bool = True
    error: str = ""

    async def _show(self):
        shown = await self._in_read(
            lambda db, actor: [audit_row(line) for line in audit.recent(db, actor, sign_ins_only=self.sign_ins_only)],
            page=Permission.VIEW_AUDIT)
        if shown.redirect is not None:
            return shown.redirect
        self.rows = shown.value if shown.ok else []
        self.error = "" if shown.ok else shown.error.message
        return None

    @rx.event
    async def load(self):
        return await self._show()

    @rx.event
    async def show_sign_ins_only(self, only: bool):
        self.sign_ins_only = bool(only)
        return await self._show()
