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
    from core.settings import load_settings

    return load_settings(None, environ={"DULUN_DATA_DIR": str(tmp_path / "data")})


def run_dulun(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 600,
              input: str | None = None):
    """`dulun ...` as a real subprocess, with the same interpreter as the tests."""
    import subprocess
    import sys

    full_env = {**os.environ, **(env or {})}
    full_env.pop("DULUN_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "dulun", *args], env=full_env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, input=input)


def dulun_on(data_dir: Path, model_dir: Path, cwd: Path):
    """`dulun ...` as a real subprocess on this data dir and model dir that must succeed: a
    replay test's commands, one after another. Returns what it printed."""
    env = {"DULUN_DATA_DIR": str(data_dir), "DULUN_NLP__MODEL_DIR": str(model_dir),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}

    def dulun(*args: str) -> str:
        done = run_dulun(*args, env=env, cwd=cwd)
        assert done.returncode == 0, f"dulun {' '.join(args)}:\n{done.stdout}\n{done.stderr[-3000:]}"
        return done.stdout

    return dulun


@pytest.fixture(scope="session")
def trained_home(tmp_path_factory) -> Path:
    """A data dir whose topic model was trained once for the whole session from the shipped seed
    set (its models folder is `<home>/models`); the NLP tests and the replay test share it."""
    import datetime as dt

    from core.settings import Settings
    from core.timeutil import VN
    from pipeline.enrichment import train

    home = tmp_path_factory.mktemp("nlp-model")
    train(Settings.model_validate({"data_dir": str(home)}), now=dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN))
    return home


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """One offline demo per test session, in its own data dir: (data_dir, first run's result)."""
    pytest.importorskip("crawlers.demo_site.server", reason="the demo fixture site is not in this tree")
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    env = {"DULUN_DATA_DIR": str(data_dir)}
    result = run_dulun("demo", env=env, cwd=data_dir.parent)
    assert result.returncode == 0, f"dulun demo failed:\n{result.stdout}\n{result.stderr[-4000:]}"
    return data_dir, result


@pytest.fixture(scope="session")
def demo_db(demo_run) -> Path:
    """The demo's DuckDB file (open it read-only)."""
    return demo_run[0] / "dulun.duckdb"


@pytest.fixture(scope="session")
def dulun_cli():
    """Run `dulun ...` as a subprocess: dulun_cli("status", env={...})."""
    return run_dulun


@pytest.fixture(scope="session")
def query():
    """Read rows from a DuckDB file through the store's read-only connection."""
    from store import open_reader

    def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
        with open_reader(db) as store:
            return store.con.execute(sql, params or []).fetchall()

    return rows


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium through playwright, shared by every browser test of a session;
    skips with a message when either is missing."""
    import shutil

    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if not executable:
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); `apt-get install chromium` or run .ci/run")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def watched_page():
    """new(browser, width, height) -> (page, problems): a new page and the list its console
    errors, page errors and dialogs go to."""
    return _watched_page


def _watched_page(browser, width: int = 1280, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog opened: {dialog.message}"), dialog.dismiss()))
    return page, problems


@pytest.fixture(scope="session")
def role_model_dir(tmp_path_factory) -> Path:
    """A model dir whose follow-up role model was trained once for the session (a few seconds);
    point `nlp.model_dir` at it to share it."""
    import datetime as dt

    from core.settings import Settings
    from pipeline.followup import ensure_role_model, role_rules

    home = tmp_path_factory.mktemp("roles")
    settings = Settings.model_validate({"data_dir": str(home), "nlp": {"model_dir": str(home / "models")}})
    ensure_role_model(settings, role_rules(settings), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    return home / "models"
