"""Job functions: how a child's exit becomes an outcome and a cause, and how results are logged."""
from __future__ import annotations

import signal
import sys

import pytest

from core.errors import UserError
from core.settings import load_settings
from dulun.jobs import EXIT_STOPPED, _count_stored, child_argv, classify_exit, run_child, stage_steps
from store.ops import job_failures_by_cause, job_results_for, last_job_results


@pytest.mark.parametrize(
    "code, stdout, expected",
    [
        (0, 'DULUN_JOB_SUMMARY {"stored": 3}\n', ("ok", None, '{"stored": 3}')),
        (-signal.SIGKILL, "", ("interrupted", "killed_SIGKILL", None)),
        (EXIT_STOPPED, 'DULUN_JOB_SUMMARY {"stopped": true}', ("interrupted", "stopped_on_request", '{"stopped": true}')),
        (2, 'DULUN_JOB_SUMMARY {"ok": false, "cause": "user_error", "error": "x."}', ("failed", "user_error", '{"ok": false, "cause": "user_error", "error": "x."}')),
        (1, "Traceback...\n", ("failed", "exit_1", None)),
    ],
)
def test_a_childs_exit_is_classified_by_outcome_and_cause(code, stdout, expected):
    assert classify_exit(code, stdout) == expected


def test_the_child_is_a_dulun_subprocess_with_the_same_settings_file():
    assert child_argv("/etc/dulun/dulun.toml", "crawl", ["--source", "vnexpress-thoi-su"]) == [
        sys.executable, "-m", "dulun", "--config", "/etc/dulun/dulun.toml", "job", "crawl", "--source", "vnexpress-thoi-su"]
    assert child_argv(None, "digest", []) == [sys.executable, "-m", "dulun", "job", "digest"]


def test_stored_counts_are_read_from_whatever_shape_the_crawl_summary_has():
    assert _count_stored([{"source": "a", "items_stored": 2}, {"source": "b", "stored": 3}]) == 5
    assert _count_stored([{"source": "a", "result": {"items_stored": 4}}]) == 4
    assert _count_stored(None) == 0


def test_unknown_stage_and_crawl_without_source_are_user_errors(ops_env):
    settings = load_settings(ops_env.config, environ={})
    with pytest.raises(UserError, match="Unknown stage 'train'"):
        stage_steps(settings, "train", None)
    with pytest.raises(UserError, match="needs --source NAME"):
        stage_steps(settings, "crawl", None)


@pytest.mark.slow
def test_run_child_logs_ok_and_failed_runs_for_status(ops_env):
    assert ops_env.dulun("init").returncode == 0
    ok = run_child(str(ops_env.config), "retention", "retention", [])
    assert ok["outcome"] == "ok"
    failed = run_child(str(ops_env.config), "crawl:nowhere", "crawl", [])  # no --source: the child says so
    assert (failed["outcome"], failed["cause"]) == ("failed", "user_error")
    assert "needs --source NAME" in failed["summary"]
    assert [r.outcome for r in job_results_for(ops_env.jobstore, "retention")] == ["ok"]
    assert {row[0] for row in last_job_results(ops_env.jobstore)} == {"retention", "crawl:nowhere"}
    assert job_failures_by_cause(ops_env.jobstore)[0][:3] == ("crawl", "user_error", 1)


def test_a_job_stopped_on_request_exits_75_as_its_summary_says(ops_env, monkeypatch, capsys):
    """Seen: the CLI dropped the exit code typer hands back (75 here, 130 for Ctrl-C): exit 0,
    and the scheduler recorded a stopped job as ok."""
    import dulun.jobs
    from dulun.cli import main

    monkeypatch.setattr(dulun.jobs, "run_stage_here", lambda *args, **kwargs: {"stage": "enrich", "stopped": True})
    with pytest.raises(SystemExit) as exited:
        main(["--config", str(ops_env.config), "job", "enrich"])
    assert exited.value.code == EXIT_STOPPED
    assert classify_exit(exited.value.code, capsys.readouterr().out)[:2] == ("interrupted", "stopped_on_request")
