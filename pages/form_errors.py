"""Every form's refusal is seen: after a submit, the first error the answer brings (a field's message under its
field, the page's red banner, a field marked ``aria-invalid``) is scrolled to the middle of the screen when it is
off it. One script in the page head listens to every form's submit, so no form and no State handler repeats it."""

from __future__ import annotations

# What counts as an error on a screen: pages/components.py field_error and banner_error (role="alert"), and any
# field marked invalid.
ERRORS = "[role=alert], [aria-invalid=true]"

SCROLL_TO_FIRST_ERROR = """
(() => {
  const ERRORS = %r;
  const offScreen = (el) => { const box = el.getBoundingClientRect();
    return box.top < 0 || box.bottom > (window.visualViewport?.height ?? innerHeight); };
  const show = (el) => { if (offScreen(el)) el.scrollIntoView({ block: "center" }); };
  let watching = null;
  document.addEventListener("submit", (event) => {
    watching?.stop();
    // The errors on the screen as the form was sent: an error counts once the answer adds or changes one.
    const before = new Map([...document.querySelectorAll(ERRORS)].map((el) => [el, el.textContent]));
    const observer = new MutationObserver(() => {
      const fresh = [...document.querySelectorAll(ERRORS)].find((el) => before.get(el) !== el.textContent);
      if (fresh) { stop(); show(fresh); }
    });
    // The same refusal again changes nothing on the screen: the form's own first error is shown once the answer
    // is in (another form's older message is no answer to this one).
    const again = setTimeout(() => { const first = event.target.querySelector(ERRORS); stop(); if (first) show(first); },
                             1500);
    const stop = () => { observer.disconnect(); clearTimeout(again); };
    observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true,
                                      attributeFilter: ["aria-invalid"] });
    watching = { stop };
  }, true);
})();
""" % ERRORS
