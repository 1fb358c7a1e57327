"""The CLI teaches with --help and turns user mistakes into one sentence and a non-zero exit."""
import os
import subprocess
import sys

import pytest


def dulun(*args, cwd, env=None):
    full_env = {**os.environ, **(env or {})}
    full_env.pop("DULUN_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "dulun", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


def test_help_teaches_with_examples(tmp_path):
    result = dulun("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "dulun demo" in result.stdout and "dulun status" in result.stdout


def test_init_then_status(tmp_path):
    assert dulun("init", cwd=tmp_path).returncode == 0
    status = dulun("status", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "documents" in status.stdout


@pytest.mark.parametrize(
    "args, env, sentence",
    [
        (["status"], {}, "No database at data/dulun.duckdb; run `dulun init`"),
        (["--config", "missing.toml", "init"], {}, "Config file missing.toml does not exist."),
        (["init"], {"DULUN_CRAWL__RETRIES": "many"}, "Invalid setting `crawl.retries`"),
    ],
)
def test_user_mistakes_are_one_sentence_without_traceback(tmp_path, args, env, sentence):
    result = dulun(*args, cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert sentence in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_command_is_a_usage_error(tmp_path):
    result = dulun("statsu", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such command" in result.stderr and "Traceback" not in result.stderr


def test_what_dulun_writes_is_private_and_a_shared_data_folder_is_pointed_out(tmp_path):
    # The test process's umask (typically 022) would make everything world-readable.
    assert dulun("init", cwd=tmp_path).returncode == 0
    data = tmp_path / "data"
    assert oct(data.stat().st_mode & 0o777) == oct(0o700)
    assert oct((data / "dulun.duckdb").stat().st_mode & 0o777) == oct(0o600)
    assert "can be read by other users" not in dulun("status", cwd=tmp_path).stderr
    data.chmod(0o755)
    warned = dulun("status", cwd=tmp_path)
    assert warned.returncode == 0 and "can be read by other users (mode 755)" in warned.stderr
    assert "chmod 700" in warned.stderr


def one_sentence_exit_2(result) -> str:
    """The error a user sees: exit 2, one `dulun:` line, no traceback."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    [line] = [l for l in result.stderr.splitlines() if l.startswith("dulun:")]
    return line


@pytest.mark.parametrize(
    "args, sentence",
    [
        (["hotspots", "--week", "9999-W52"], "The week 9999-W52 is out of range"),
        (["digest", "--date", "0001-01-01"], "The date 0001-01-01 is out of range"),
        (["digest", "--week", "0001-W01"], "The week 0001-W01 is out of range"),
        (["alerts", "--now", "9999-12-31T23:00+07:00"], "The --now moment 9999-12-31T23:00+07:00 is out of range"),
        (["hotspots", "--now", "0001-01-01T00:00+07:00"], "The --now moment 0001-01-01T00:00+07:00 is out of range"),
        (["run", "--now", "9999-12-31T23:00+07:00"], "The --now moment 9999-12-31T23:00+07:00 is out of range"),
        (["export", "--since", "9999-12-31"], "The --since date 9999-12-31 is out of range"),
    ],
)
def test_out_of_range_weeks_and_dates_are_one_sentence(tmp_path, args, sentence):
    """Seen: `hotspots --week 9999-W52`, `digest --date 0001-01-01` and `alerts --now 9999-12-31T23:00+07:00`
    ended in an OverflowError traceback."""
    assert dulun("init", cwd=tmp_path).returncode == 0
    assert sentence in one_sentence_exit_2(dulun(*args, cwd=tmp_path))


@pytest.mark.parametrize("command", [["hotspots"], ["alerts"], ["digest"], ["digest", "--week", "2026-W47"], ["label"],
                                     ["enrich"], ["export", "--since", "2026-11-01"], ["retention"], ["backup"]])
def test_commands_that_read_or_compute_refuse_a_missing_database_instead_of_creating_one(tmp_path, command):
    """Seen: before `dulun init`, or with a mistyped data folder, these created an empty database
    and reported nothing found, as if all were well."""
    mistyped = tmp_path / "dat"
    line = one_sentence_exit_2(dulun(*command, cwd=tmp_path, env={"DULUN_DATA_DIR": str(mistyped)}))
    assert f"No database at {mistyped / 'dulun.duckdb'}" in line
    assert "run `dulun init`" in line and "data folder" in line
    assert not mistyped.exists()


def _damage(db, how: str) -> None:
    data = bytearray(db.read_bytes())
    if how == "truncated":
        db.write_bytes(data[: len(data) // 3])
    elif how == "overwritten block":
        data[8192:8192 + 4096] = os.urandom(4096)
        db.write_bytes(bytes(data))
    else:  # not a database at all
        db.write_bytes(os.urandom(len(data)))


@pytest.mark.parametrize("command, how", [
    (["status"], "truncated"), (["status"], "overwritten block"), (["status"], "random bytes"),
    (["init"], "overwritten block"), (["hotspots", "--week", "2026-W47"], "truncated"),
])
def test_a_damaged_database_is_one_sentence_saying_what_to_do(tmp_path, command, how):
    """Seen: a corrupted block ended in a `_duckdb.Error: Corrupt database file` traceback."""
    assert dulun("init", cwd=tmp_path).returncode == 0
    _damage(tmp_path / "data" / "dulun.duckdb", how)
    line = one_sentence_exit_2(dulun(*command, cwd=tmp_path))
    assert "data/dulun.duckdb is damaged" in line
    assert "dulun backup" in line and "dulun init" in line
