"""Shared test helpers: where ../shared is, and a settings object rooted in a temp dir."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("DULUN_SHARED", REPO.parent / "shared"))


@pytest.fixture
def shared() -> Path:
    path = shared_dir()
    if not (path / "taxonomy.md").is_file():
        pytest.skip(f"../shared is not present at {path}; set DULUN_SHARED to run the tests that need it")
    return path


@pytest.fixture
def settings(tmp_path):
    from dulun.settings import load_settings

    return load_settings(None, environ={"DULUN_DATA_DIR": str(tmp_path / "data")})
