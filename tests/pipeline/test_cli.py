"""The commands as a user runs them: a real `python -m dulun` subprocess on a real database."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _dulun(settings, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DULUN_DATA_DIR": str(settings.data_dir), "PYTHONPATH": str(REPO), **extra_env}
    env.pop("DULUN_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "dulun", *args], capture_output=True, text=True, env=env,
                          cwd=settings.data_dir.parent, timeout=120)


@pytest.mark.slow
def test_hotspots_digest_and_alerts_from_the_command_line(timeline_db):
    done = _dulun(timeline_db, "hotspots", "--week", "2026-W47")
    assert done.returncode == 0, done.stderr
    assert "Hot spots 2026-W47" in done.stdout and "rising: 1" in done.stdout
    done = _dulun(timeline_db, "digest", "--date", "2026-11-22")
    assert done.returncode == 0, done.stderr
    assert (timeline_db.digest_dir / "daily" / "2026-11-22.html").is_file()
    done = _dulun(timeline_db, "digest", "--week", "2026-W47")
    assert done.returncode == 0 and (timeline_db.digest_dir / "weekly" / "2026-W47.md").is_file()
    # The wall clock decides quiet hours here, so this rule has none.
    rules = timeline_db.data_dir / "rules.yaml"
    rules.write_text("channels: {f: {type: file}}\nrules:\n  - {name: lao-dong, topics: [labor], channels: [f]}\n")
    done = _dulun(timeline_db, "alerts", "--now", "2026-11-23T08:00+07:00", DULUN_ALERTS__RULES_FILE=str(rules))
    assert done.returncode == 0, done.stderr
    assert "1 new" in done.stdout and "1 sent" in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("args, message", [
    (("hotspots", "--week", "2026-W60"), "2026 has no ISO week 60"),
    (("digest", "--date", "22/11/2026"), "use YYYY-MM-DD"),
    (("digest", "--date", "2026-11-22", "--week", "2026-W47"), "not both"),
    (("hotspots", "--now", "2026-11-20 14:00"), "say which zone it is in"),
    (("alerts", "--now", "hôm qua"), "use an ISO timestamp with its zone"),
    (("run", "--now", "2026-13-01T00:00+07:00"), "Bad --now"),
    (("alerts", "--json"), "--json goes with --list"),
])
def test_bad_weeks_and_dates_are_one_sentence_without_a_traceback(timeline_db, args, message):
    done = _dulun(timeline_db, *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_help_teaches_with_an_example(settings):
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for command, example in (("hotspots", "dulun hotspots --week 2026-W47"), ("digest", "dulun digest --date 2026-11-22"),
                             ("alerts", "dulun alerts --now 2026-11-20T14:00+07:00"), ("import", "dulun import"),
                             ("run", "dulun run --now 2026-11-20T14:00+07:00")):
        done = _dulun(settings, command, "--help")
        assert done.returncode == 0 and example in done.stdout
