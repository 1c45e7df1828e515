"""The app loads only the Radix colour scales in ``lantong_pwa.radix_theme.COLOURS``; a colour used anywhere else
would render unstyled without an error, so this test reads the code for every Radix colour name it uses."""

from __future__ import annotations

import re
from pathlib import Path

from lantong_pwa.radix_theme import COLOURS

REPO = Path(__file__).parents[1]
RADIX_COLOURS = ("amber", "blue", "bronze", "brown", "crimson", "cyan", "gold", "grass", "gray", "green", "indigo",
                 "iris", "jade", "lime", "mauve", "mint", "olive", "orange", "pink", "plum", "purple", "red", "ruby",
                 "sage", "sand", "sky", "slate", "teal", "tomato", "violet", "yellow")
# Colour names as Python/JS string literals (color_scheme="red", rx.cond(x, "green", "gray"), a tone from a State)
# and as Radix CSS variables (var(--red-11)).
NAMED = re.compile(r"""["'](%s)["']|--(%s)-""" % ("|".join(RADIX_COLOURS), "|".join(RADIX_COLOURS)))


def _sources() -> list[Path]:
    folders = ("pages", "state", "lantong_pwa", "assets")
    files = [path for folder in folders for path in (REPO / folder).rglob("*")
             if path.suffix in {".py", ".jsx", ".js", ".css"}]
    return [*files, REPO / "rxconfig.py"]


def test_every_radix_colour_the_code_names_is_loaded_and_no_other():
    this_module = REPO / "lantong_pwa" / "radix_theme.py"
    used = {name for path in _sources() if path != this_module
            for match in NAMED.finditer(path.read_text(encoding="utf-8")) for name in match.groups() if name}
    assert used - set(COLOURS) == set(), "add these colours to lantong_pwa/radix_theme.py COLOURS"
    assert set(COLOURS) - used == set(), "these colours are loaded but no longer used"
