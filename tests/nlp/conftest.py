"""Fixtures for the NLP tests: one trained model per test session (seed set only), real DuckDB files."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from core.settings import Settings

REPO = Path(__file__).resolve().parents[2]
VN = dt.timezone(dt.timedelta(hours=7))


def shared_dir() -> Path:
    return Path(os.environ.get("DULUN_SHARED") or REPO.parent / "shared")


@pytest.fixture(scope="session")
def dev_rows():
    path = shared_dir() / "eval" / "dev.jsonl"
    if not path.is_file():
        pytest.skip(f"the labeled dev set {path} is absent (set DULUN_SHARED to the shared directory)")
    import json

    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def gazetteer():
    from nlp.provinces import Gazetteer

    return Gazetteer.load()


@pytest.fixture(scope="session")
def rules():
    from nlp.topic_rules import RuleSet

    return RuleSet.load()


@pytest.fixture(scope="session")
def model_home(trained_home) -> Path:
    """A data dir whose model was trained once for the whole session from the shipped seed set."""
    return trained_home


@pytest.fixture(scope="session")
def enricher(model_home):
    from nlp.api import load_enricher

    return load_enricher(_settings(model_home))


def _settings(data_dir: Path, **nlp) -> Settings:
    return Settings.model_validate({"data_dir": str(data_dir), "nlp": nlp})


@pytest.fixture
def settings(tmp_path, model_home) -> Settings:
    """A fresh database in tmp_path that shares the session's trained model."""
    return Settings.model_validate({"data_dir": str(tmp_path), "nlp": {"model_dir": str(model_home / "models")}})
