"""The tests folders have no ``__init__.py`` (pytest imports each test file by its name), so two test files of one
name anywhere under ``tests/`` stop the whole run at collection: this names them even when only a subset runs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).parent


def test_every_test_file_name_is_used_once():
    names = Counter(path.name for path in TESTS.rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
