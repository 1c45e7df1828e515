"""Where the app keeps its photos and its browsers' state, and how many workers it runs, from the environment."""

from __future__ import annotations

import pytest

from lantong_pwa.settings import DEFAULT_STATE_EXPIRY, load_settings


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("LANTONG_PHOTO_DIR", "LANTONG_REDIS_URL", "LANTONG_STATE_EXPIRY", "LANTONG_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANTONG_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


def test_the_embedded_default_keeps_photos_in_the_data_directory_and_runs_one_worker(clean_env, tmp_path):
    settings = load_settings()
    assert settings.photo_dir == (tmp_path / "data" / "photos").resolve()
    assert settings.redis_url is None and settings.workers == 1
    assert settings.state_expiry_seconds == DEFAULT_STATE_EXPIRY


def test_a_chain_names_a_shared_photo_directory_redis_and_its_workers(clean_env, tmp_path, monkeypatch):
    clean_env.setenv("LANTONG_PHOTO_DIR", str(tmp_path / "shared"))
    clean_env.setenv("LANTONG_REDIS_URL", "redis://127.0.0.1:6379/3")
    clean_env.setenv("LANTONG_STATE_EXPIRY", "900")
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    settings = load_settings()
    assert settings.photo_dir == (tmp_path / "shared").resolve()
    assert (settings.redis_url, settings.state_expiry_seconds, settings.workers) == ("redis://127.0.0.1:6379/3", 900, 2)
    clean_env.setenv("LANTONG_WORKERS", "1")
    assert load_settings().workers == 1


def test_several_workers_without_redis_are_refused(clean_env):
    clean_env.setenv("LANTONG_WORKERS", "2")
    with pytest.raises(ValueError, match="LANTONG_REDIS_URL"):
        load_settings()
