"""Drafts of the forms people type on the floor (intake, a job line's note): kept in the browser, offered back.

``form_draft`` saves a form's fields and the State's additions to localStorage while the person types
(``form_draft.js``); after a reload or a dropped connection it hands the stored draft to the State's restore
handler, which checks it and refills the form (state/platform/drafts.py). ``draft_hint`` says a draft came back and offers
放弃草稿.
"""

from __future__ import annotations

import reflex as rx

from lantong_pwa.reflex_internals import passthrough_event_spec


class FormDraft(rx.Component):
    """The React side (form_draft.js): renders nothing, keeps the draft of the form with id ``form_id``."""

    library = rx.asset("form_draft.js", shared=True).importable_path
    tag = "FormDraft"

    storage_key: rx.Var[str]
    form_id: rx.Var[str]
    # The State's request key for this form's submit: kept with the draft, and a new one means "started afresh".
    generation: rx.Var[str]
    # What the State added that the form's fields do not hold (job and parts lines), as plain JSON.
    snapshot: rx.Var[dict]

    on_restore: rx.EventHandler[passthrough_event_spec(dict)]


def form_draft(storage_key: rx.Var, form_id: str, on_restore, generation: rx.Var | str = "",
               snapshot: rx.Var | dict | None = None) -> rx.Component:
    return FormDraft.create(storage_key=storage_key, form_id=form_id, generation=generation,
                            snapshot=snapshot if snapshot is not None else {}, on_restore=on_restore)


def draft_hint(restored: rx.Var, on_discard) -> rx.Component:
    """Shown while the form holds a restored draft: say so, and let the person throw it away."""
    return rx.cond(
        restored,
        rx.callout.root(
            rx.callout.icon(rx.icon("history")),
            rx.flex(
                rx.callout.text("已恢复上次未提交的草稿，请核对后再提交。"),
                rx.button("放弃草稿", type="button", size="3", variant="soft", color_scheme="gray",
                          on_click=on_discard, class_name="discard-draft"),
                gap="3", align="center", justify="between", wrap="wrap", width="100%",
            ),
            color_scheme="blue", width="100%", class_name="draft-hint",
        ),
    )
