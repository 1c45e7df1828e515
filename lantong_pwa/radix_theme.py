"""Radix Themes with only the colours the app uses: ``LeanRadixThemesPlugin`` in ``rxconfig.py``.

Reflex's plugin imports ``@radix-ui/themes/styles.css`` (800 KB: every one of the 31 colour scales), which the
browser parses before the first paint on every page, and puts the whole Radix Themes package on ``window`` for
dynamic components (which this app does not use), so none of its JavaScript can be tree-shaken. This plugin imports
the base tokens, the colour scales in ``COLOURS``, the components and the utilities, and leaves the package to the
components that import it. A colour missing from ``COLOURS`` would render unstyled without an error: the test
``tests/test_radix_colours.py`` fails when the code names a Radix colour that is not listed here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from lantong_pwa.reflex_internals import RadixThemesPlugin

PACKAGE = "@radix-ui/themes"
# Every colour scale named in pages/, state/, lantong_pwa/ or assets/app.css (accent blue, gray slate included).
COLOURS = ("amber", "blue", "gray", "green", "indigo", "orange", "red", "slate")


@dataclasses.dataclass
class LeanRadixThemesPlugin(RadixThemesPlugin):
    def get_stylesheet_paths(self, **context: Any) -> tuple[str, ...]:
        return (f"{PACKAGE}/tokens/base.css", *(f"{PACKAGE}/tokens/colors/{colour}.css" for colour in COLOURS),
                f"{PACKAGE}/components.css", f"{PACKAGE}/utilities.css")

    def get_frontend_dependencies(self, **context: Any) -> tuple[str, ...]:
        # The components' own imports install the package (pinned by Reflex); listing it here would also bundle
        # all of it onto window for dynamic components.
        return ()
