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
