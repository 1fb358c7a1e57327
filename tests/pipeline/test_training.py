"""Models are trained once, however many processes find them missing at the same moment, and
training never creates a database."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

TRAIN_ROLES = """
import datetime as dt, logging, sys
from core.settings import Settings
from pipeline.followup import ensure_role_model, role_rules
logging.basicConfig(level=logging.INFO, format="%(message)s")
settings = Settings.model_validate({"data_dir": sys.argv[1], "nlp": {"model_dir": sys.argv[2]}})
print(ensure_role_model(settings, role_rules(settings), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)).version)
"""


@pytest.mark.slow
def test_two_follow_up_runs_that_find_no_role_model_train_it_once_and_create_no_database(tmp_path):
    """The scheduler's cycle and a manual `dulun followup` on a fresh install both find no role
    model: one trains it and the other loads what the first saved. Neither makes an empty
    database at a data folder that has none (a mistyped path must stay visibly empty)."""
    data_dir, models = tmp_path / "data", tmp_path / "models"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DULUN_")}, "PYTHONPATH": str(REPO)}
    runs = [subprocess.Popen([sys.executable, "-c", TRAIN_ROLES, str(data_dir), str(models)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sum("trained role model" in err for _, err in outputs) == 1, outputs
    [version] = {out.strip() for out, _ in outputs}
    assert [p.name for p in (models / "roles").iterdir() if p.is_dir()] == [version]
    assert not (data_dir / "dulun.duckdb").exists()
