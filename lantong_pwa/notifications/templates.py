"""Chinese message templates, one per message type, rendered with named fields when a message is queued."""

from __future__ import annotations

import string
from dataclasses import dataclass, field

from lantong_pwa.errors import DomainError

MAX_BODY = 1000  # Notification.body


@dataclass(frozen=True)
class MessageTemplate:
    label: str  # what the delivery log calls this kind of message
    text: str  # str.format placeholders: every one is a required field unless listed in ``optional``
    optional: dict[str, str] = field(default_factory=dict)  # field -> the fragment shown only when it is given

    def required(self) -> list[str]:
        names = [name for _, name, _, _ in string.Formatter().parse(self.text) if name]
        return [name for name in dict.fromkeys(names) if name not in self.optional]


TEMPLATES: dict[str, MessageTemplate] = {
    "inspection": MessageTemplate(
        "年检提醒", "【{shop}】{name}您好，您的爱车{plate}年检将于{date}到期，请及时安排上线检验，有需要可联系我们代办。"),
    "compulsory_insurance": MessageTemplate(
        "交强险提醒", "【{shop}】{name}您好，您的爱车{plate}交强险将于{date}到期，请及时续保，以免影响出行。"),
    "commercial_insurance": MessageTemplate(
        "商业险提醒", "【{shop}】{name}您好，您的爱车{plate}商业险将于{date}到期，请及时续保。"),
    "maintenance": MessageTemplate(
        "保养提醒", "【{shop}】{name}您好，您的爱车{plate}将于{date}{mileage}到达保养时间，欢迎预约到店保养。",
        optional={"mileage": "或行驶至{mileage}公里时（以先到者为准）"}),
    "birthday": MessageTemplate("生日祝福", "【{shop}】{name}您好，祝您生日快乐！感谢您一直以来的信任与支持。"),
    "first_service": MessageTemplate(
        "首保提醒", "【{shop}】{name}您好，您的新车{plate}将于{date}前后到达首次保养时间，欢迎预约到店首保。"),
    "follow_up": MessageTemplate(
        "服务回访", "【{shop}】{name}您好，感谢您到店为爱车{plate}维修保养。请花一分钟评价本次服务：{link}"),
    "statement": MessageTemplate("对账确认", "【{shop}】{name}您好，您{date}的对账单已生成，请点击核对并确认：{link}"),
}

MESSAGE_TYPES = tuple(TEMPLATES)


def label(message_type: str) -> str:
    template = TEMPLATES.get(message_type)
    return template.label if template else message_type


def render(message_type: str, fields: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The message text and the cleaned fields it used; ``DomainError`` for an unknown type or a missing field."""
    template = TEMPLATES.get(message_type)
    if template is None:
        raise DomainError(f"未知的消息类型：{message_type}")
    cleaned = {str(key): str(value).strip() for key, value in fields.items() if value is not None}
    missing = [name for name in template.required() if not cleaned.get(name)]
    if missing:
        raise DomainError(f"消息缺少字段：{'、'.join(missing)}")
    values = dict(cleaned)
    for name, fragment in template.optional.items():
        values[name] = fragment.format(**{name: cleaned[name]}) if cleaned.get(name) else ""
    body = template.text.format(**values)
    if len(body) > MAX_BODY:
        raise DomainError(f"消息过长（最多{MAX_BODY}字）")
    return body, cleaned
