"""The app refuses to start on a bad notification setting, instead of failing later at the first message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[1]


def _import_app(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import lantong_pwa.lantong_pwa"], cwd=REPO,
                          env={**os.environ, "LANTONG_SCHEDULER": "off", **env}, capture_output=True, text=True,
                          timeout=120)


def test_a_bad_notification_setting_stops_the_app_at_start():
    started = _import_app(LANTONG_NOTIFY_QUIET_HOURS="22点到8点")
    assert started.returncode != 0
    assert "LANTONG_NOTIFY_QUIET_HOURS: expected HH:MM-HH:MM or off, got '22点到8点'" in started.stderr


def test_the_default_settings_start():
    started = _import_app()
    assert started.returncode == 0, started.stderr
