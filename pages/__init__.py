"""Reflex components: what each screen shows. No database access and no rules here."""
