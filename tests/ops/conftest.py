"""Fixtures for the ops tests (helpers live in ops_support.py)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # importlib mode: make ops_support importable

from ops_support import OpsEnv, kill_group, write_config  # noqa: E402


@pytest.fixture
def ops_env(tmp_path: Path) -> OpsEnv:
    return OpsEnv(tmp_path, write_config(tmp_path))


@pytest.fixture
def reaper():
    """Whatever a test started is killed at the end, even when the test fails."""
    started: list[subprocess.Popen] = []
    yield started.append
    for proc in started:
        if proc.poll() is None:
            kill_group(proc)
