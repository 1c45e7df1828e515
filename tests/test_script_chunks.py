"""The UI kit's code-splitting group goes into the Vite config Reflex writes, once."""

from __future__ import annotations

import pytest
from lantong_pwa.reflex_internals import generated_vite_config
from lantong_pwa.script_chunks import UI_KIT_GROUP, bundle_ui_kit


def test_the_ui_kit_group_comes_first_among_reflexs_own_groups():
    config = generated_vite_config()
    bundled = bundle_ui_kit(config)
    groups = bundled.split("groups: [", 1)[1]
    assert groups.index('name: "ui"') < groups.index('name: "reflex-env"')
    assert bundled.replace(UI_KIT_GROUP, "") == config


def test_a_config_that_has_the_group_is_left_as_it_is():
    once = bundle_ui_kit(generated_vite_config())
    assert bundle_ui_kit(once) == once


def test_a_config_without_code_splitting_groups_is_refused():
    with pytest.raises(ValueError, match="no code-splitting groups"):
        bundle_ui_kit("export default defineConfig({ build: {} });")
