// The connection to the server as the person sees it. While the browser is offline or Reflex's websocket cannot
// reconnect (`serverLost`), a banner says so and every button that acts on the server is disabled: really
// disabled (the `disabled` attribute, kept on buttons React renders meanwhile), and form submits are stopped
// before React sees them. Typing goes on (drafts keep it). When the connection is back, a short "back" banner.
import { createElement, useEffect, useRef, useState, useSyncExternalStore } from "react";

// Buttons that only work the page itself stay usable: form controls (radios, checkboxes, selects), menus and
// accordions (aria-haspopup / aria-expanded), and anything inside [data-works-offline].
const SERVER_BUTTONS = "button:not([role]):not([aria-haspopup]):not([aria-expanded]):not([disabled])";
const WORKS_OFFLINE = "[data-works-offline]";
const MARK = "data-offline-disabled";
const BACK_FOR_MS = 4000;

function subscribeOnline(callback) {
  window.addEventListener("online", callback);
  window.addEventListener("offline", callback);
  return () => {
    window.removeEventListener("online", callback);
    window.removeEventListener("offline", callback);
  };
}

function disableServerButtons() {
  for (const button of document.querySelectorAll(SERVER_BUTTONS)) {
    if (!button.closest(WORKS_OFFLINE)) {
      button.disabled = true;
      button.setAttribute(MARK, "");
    }
  }
}

function enableServerButtons() {
  for (const button of document.querySelectorAll(`[${MARK}]`)) {
    button.disabled = false;
    button.removeAttribute(MARK);
  }
}

function stopSubmit(event) {
  if (!event.target?.closest?.(WORKS_OFFLINE)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}

export function ConnectionBanner({ serverLost, downText, backText }) {
  const online = useSyncExternalStore(subscribeOnline, () => navigator.onLine, () => true);
  const down = Boolean(serverLost) || !online;
  const wasDown = useRef(false);
  const [back, setBack] = useState(false);

  useEffect(() => {
    if (!down) {
      return undefined;
    }
    document.documentElement.dataset.connection = "down";
    disableServerButtons();
    const observer = new MutationObserver(disableServerButtons);
    observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["disabled"] });
    window.addEventListener("submit", stopSubmit, true);
    return () => {
      observer.disconnect();
      window.removeEventListener("submit", stopSubmit, true);
      enableServerButtons();
      delete document.documentElement.dataset.connection;
    };
  }, [down]);

  useEffect(() => {
    if (down) {
      wasDown.current = true;
      setBack(false);
      return undefined;
    }
    if (!wasDown.current) {
      return undefined;
    }
    setBack(true);
    const timer = window.setTimeout(() => setBack(false), BACK_FOR_MS);
    return () => window.clearTimeout(timer);
  }, [down]);

  if (down) {
    return createElement("div", { role: "alert", className: "connection-banner connection-down", id: "connection-down" },
      downText);
  }
  if (back) {
    return createElement("div", { role: "status", className: "connection-banner connection-back", id: "connection-back" },
      backText);
  }
  return null;
}
