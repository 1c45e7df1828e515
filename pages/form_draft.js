// A form's draft in localStorage, saved as the person types, so a dropped connection or a reload loses nothing.
// It renders nothing. What it stores: { key, generation, fields, snapshot }, where `fields` are the form's named
// values (FormData, so Radix radios, checkboxes and selects count too), `snapshot` is what the State added (lines),
// and `generation` is the State's request key for the submit. Putting a draft back is the State's job: onRestore
// hands it the stored draft, and the State refills the form (by remounting it with the draft as defaults).
import { useEffect, useRef } from "react";

const EDIT_EVENTS = ["input", "change", "click"];

function readDraft(storageKey) {
  try {
    const draft = JSON.parse(window.localStorage.getItem(storageKey) ?? "null");
    return draft && typeof draft === "object" ? draft : null;
  } catch {
    return null;
  }
}

function formFields(form) {
  const fields = {};
  for (const [name, value] of new FormData(form)) {
    if (typeof value === "string") {
      fields[name] = value;
    }
  }
  return fields;
}

export function FormDraft({ storageKey, formId, generation, snapshot, onRestore }) {
  const latest = useRef({});
  latest.current = { storageKey, formId, generation, snapshot };
  const shown = useRef({ storageKey: null, generation: null, snapshot: null });

  const save = () => {
    const now = latest.current;
    const form = document.getElementById(now.formId);
    if (!form || !now.storageKey) {
      return;
    }
    const draft = { key: now.storageKey, generation: now.generation, fields: formFields(form), snapshot: now.snapshot };
    try {
      window.localStorage.setItem(now.storageKey, JSON.stringify(draft));
    } catch (error) {
      console.warn("the draft could not be saved", error);
    }
  };

  // Offer the stored draft back when the form appears, and again whenever the State starts the form afresh (a new
  // request key, e.g. after the page's load): restoring adopts the draft's key, so this settles after one round.
  useEffect(() => {
    const draft = readDraft(storageKey);
    const firstForKey = shown.current.storageKey !== storageKey;
    if (draft && draft.key === storageKey && (firstForKey || draft.generation !== generation)) {
      onRestore?.(draft);
    }
  }, [storageKey, generation]);

  // What the State added (lines) is saved when it changes, unless the State also changed the request key in the
  // same update: that is a reset or a restore, not the person's work, and must not overwrite the stored draft.
  const snapshotText = JSON.stringify(snapshot ?? null);
  useEffect(() => {
    const before = shown.current;
    shown.current = { storageKey, generation, snapshot: snapshotText };
    if (before.storageKey === storageKey && before.generation === generation && before.snapshot !== snapshotText) {
      save();
    }
  }, [storageKey, generation, snapshotText]);

  // Typing, ticking and choosing in the form; saved after the event, once the controls hold their new values.
  useEffect(() => {
    let timer;
    const onEdit = (event) => {
      const target = event.target;
      const form = target?.form ?? target?.closest?.("form");
      if (form?.id === latest.current.formId) {
        window.clearTimeout(timer);
        timer = window.setTimeout(save, 0);
      }
    };
    EDIT_EVENTS.forEach((name) => document.addEventListener(name, onEdit, true));
    return () => {
      window.clearTimeout(timer);
      EDIT_EVENTS.forEach((name) => document.removeEventListener(name, onEdit, true));
    };
  }, []);

  return null;
}
