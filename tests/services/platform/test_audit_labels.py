"""Every action the services audit has a Chinese name on the audit log (audit.ACTION_LABELS)."""

from __future__ import annotations

import re
from pathlib import Path

from lantong_pwa.services.platform import audit

SOURCES = Path(__file__).resolve().parents[3] / "lantong_pwa"
RECORD = re.compile(r"audit\.record\(\s*[^,]+,\s*[^,]+,\s*\"([a-z_.]+)\"")
SAVED = re.compile(r"audit\.record_saved\(\s*[^,]+,\s*[^,]+,\s*\"([a-z_]+)\"")
# Actions a service picks from a table (``AUDIT_ACTION = {Direction.PAYABLE: "party_payment.pay", …}``)
TABLE = re.compile(r"^AUDIT_ACTIONS?\s*=\s*\{([^}]*)\}", re.MULTILINE)
NAME = re.compile(r"\"([a-z_]+\.[a-z_]+)\"")
ACTIVE = re.compile(r"audit\.record_active\(\s*[^,]+,\s*[^,]+,\s*\"([a-z_]+)\"[^)]*on=\"([a-z_]+)\",\s*off=\"([a-z_]+)\"")


def audited_actions() -> set[str]:
    actions: set[str] = set()
    for path in SOURCES.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        actions.update(RECORD.findall(text))
        for table in TABLE.findall(text):
            actions.update(NAME.findall(table))
        for entity in SAVED.findall(text):
            actions.update({f"{entity}.create", f"{entity}.update"})
        for entity, on, off in ACTIVE.findall(text):
            actions.update({f"{entity}.{on}", f"{entity}.{off}"})
    return actions


def test_every_audited_action_has_a_chinese_name():
    actions = audited_actions()
    assert {"sign_in", "party_payment.pay", "party_payment.collect", "part.retire",
            "supplier.update"} <= actions, "the scan finds them"
    assert sorted(actions - audit.ACTION_LABELS.keys()) == []
