"""Branch settings (``/settings``, managers and admins): VAT rate, other-fee types, teams, follow-up delay, the
repair warranty on the 结算单, what technicians see on vehicle cards."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.services.platform import shop_settings
from lantong_pwa.services.workshop import teams
from lantong_pwa.services.platform.permissions import Permission
from state.platform.session import SessionState
from state.platform.views import money


@dataclasses.dataclass
class FeeTypeRow:
    id: int = 0
    name: str = ""
    default_amount: str = ""
    active: bool = True


@dataclasses.dataclass
class TeamRow:
    name: str = ""
    leader: str = ""
    members: str = ""


class SettingsState(SessionState):
    vat_rate: str = ""
    follow_up_days: str = ""
    warranty_days: str = ""
    warranty_km: str = ""
    technicians_see_contact_and_prices: bool = False
    fee_types: list[FeeTypeRow] = []
    teams: list[TeamRow] = []
    technicians: list[list[str]] = []  # [id, name]
    errors: dict[str, str] = {}

    def _refresh(self, db, actor) -> None:
        branch = shop_settings.branch_of(db, actor)
        self.vat_rate = f"{branch.vat_rate:f}"
        self.follow_up_days = str(branch.follow_up_days)
        self.warranty_days = str(branch.warranty_days)
        self.warranty_km = str(branch.warranty_km)
        self.technicians_see_contact_and_prices = branch.technicians_see_contact_and_prices
        self.fee_types = [FeeTypeRow(id=f.id, name=f.name, default_amount=money(f.default_amount), active=f.is_active)
                          for f in shop_settings.all_fee_types(db, actor)]
        self.teams = [TeamRow(name=info.team.name, leader=info.leader.display_name if info.leader else "",
                              members="、".join(m.display_name for m in info.members))
                      for info in teams.list_teams(db, actor)]
        self.technicians = [[str(u.id), u.display_name] for u in teams.branch_technicians(db, actor)]

    async def _change(self, action, success: str):
        """Run one settings change as the signed-in user, then show the settings as they now are."""
        changed = await self._in_unit(lambda db, actor: (action(db, actor), self._refresh(db, actor)))
        self.errors = changed.field_errors
        return rx.toast.success(success) if changed.ok else None

    @rx.event
    async def load(self):
        shown = await self._in_read(self._refresh, page=Permission.MANAGE_SETTINGS)
        if shown.redirect is not None:
            return shown.redirect
        self.errors = {} if shown.ok else {"form": shown.error.message}
        return None

    @rx.event
    async def save_vat_rate(self, form: dict):
        return await self._change(lambda db, actor: shop_settings.set_vat_rate(db, actor, form.get("vat_rate", "")),
                            "税率已保存")

    @rx.event
    async def save_follow_up_days(self, form: dict):
        return await self._change(lambda db, actor: shop_settings.set_follow_up_days(db, actor,
                                                                               form.get("follow_up_days", "")),
                            "回访天数已保存")

    @rx.event
    async def save_warranty(self, form: dict):
        return await self._change(lambda db, actor: shop_settings.set_warranty(
            db, actor, form.get("warranty_days", ""), form.get("warranty_km", "")), "维修质保期已保存")

    @rx.event
    async def save_technicians_see_contact_and_prices(self, allowed: bool):
        """技师可见客户电话和价格, saved as it is switched."""
        self.errors = {}
        outcome = await self._in_unit(lambda db, actor: shop_settings.set_technicians_see_contact_and_prices(
            db, actor, bool(allowed)))
        if not outcome.ok:
            self.errors = {"form": outcome.error.message}
            return None
        self.technicians_see_contact_and_prices = outcome.value.technicians_see_contact_and_prices
        return rx.toast.success("技师可以看到客户电话和价格" if allowed else "技师只看到维修所需的信息")

    @rx.event
    async def add_fee_type(self, form: dict):
        return await self._change(lambda db, actor: shop_settings.add_fee_type(db, actor, form.get("fee_name", ""),
                                                                         form.get("fee_amount", "")), "已添加费用类型")

    @rx.event
    async def set_fee_type_active(self, fee_type_id: int, active: bool):
        return await self._change(lambda db, actor: shop_settings.set_fee_type_active(db, actor, fee_type_id, active),
                            "已启用" if active else "已停用")

    @rx.event
    async def create_team(self, form: dict):
        members = [int(key.removeprefix("member_")) for key, value in form.items()
                   if key.startswith("member_") and key.removeprefix("member_").isdigit() and value]
        leader = form.get("leader", "")
        return await self._change(lambda db, actor: teams.create_team(db, actor, form.get("team_name", ""), members,
                                                                int(leader) if leader.isdigit() else None),
                            "班组已创建")
