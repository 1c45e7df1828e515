"""The UI kit in one script file instead of thirty: ``OneUiKitFilePlugin`` in ``rxconfig.py``.

The bundler splits the scripts a page imports into a file per shared piece: 我的任务 loaded 36 script files, most of
them under 3 KB (one per Radix component, one per icon). Over HTTP/1.1 a browser opens at most six connections to
a server, so on a slow phone network those files came in six rounds, each at least a round trip; Lighthouse put
the plates of 我的任务 and the vehicle card at 3.0 s, 0.4 s of it waiting for small files. This plugin has the build
put the UI libraries every page imports (Radix Themes and its primitives, the lucide icons, emotion, and what they
import, React among them) into one file, ``ui-<hash>.js`` (about 64 KB compressed): 14 script files on 我的任务.
A page now also downloads the kit's parts it does not show, once: the file is cached for every page after it.
Libraries only imported on demand (the charts, the barcode decoder) stay in their own files.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from lantong_pwa import reflex_internals
from lantong_pwa.reflex_internals import VITE_CONFIG_FILE, VITE_GROUPS_ANCHOR

UI_KIT_GROUP = """            {
              name: "ui",
              test: /node_modules[\\\\/](@radix-ui|lucide-react|@emotion)[\\\\/]/,
              tags: ["$initial"],
            },
"""


def bundle_ui_kit(vite_config: str) -> str:
    """Reflex's ``vite.config.js`` with the UI kit's group first among its code-splitting groups; a config that
    already has it is returned as it is."""
    if UI_KIT_GROUP in vite_config:
        return vite_config
    if vite_config.count(VITE_GROUPS_ANCHOR) != 1:
        raise ValueError(f"{VITE_CONFIG_FILE} has no code-splitting groups: check it after upgrading Reflex")
    return vite_config.replace(VITE_GROUPS_ANCHOR, VITE_GROUPS_ANCHOR + UI_KIT_GROUP)


@dataclasses.dataclass
class OneUiKitFilePlugin(rx.plugins.Plugin):
    def pre_compile(self, **context: Any) -> None:
        reflex_internals.modify_generated_file(context, VITE_CONFIG_FILE, bundle_ui_kit)
