"""The schedule: jobs from settings in Asia/Ho_Chi_Minh, persisted across restarts, coalesced
after a sleep, one at a time, and a graceful stop on SIGTERM/SIGINT."""
from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from apscheduler.triggers.interval import IntervalTrigger

from ops_support import SCHEDULER_HARNESS, wait_for_line, wait_until, writer_argv
from core.settings import load_settings
from dulun.schedule import TZ, JobSpec, build_scheduler, job_specs, run_scheduler, sync_jobs
from store.ops import job_results_for

SOURCES = """
sources:
  - name: baohaiphong-thoi-su       # https://baohaiphong.vn/ (a provincial outlet), every hour
    spider: feed
    kind: press
    start_urls: ["{base}/rss/thoi-su.rss"]
    interval_minutes: 60
  - name: dien-dan-cong-nhan        # a public forum, every 3 hours
    spider: forum
    kind: post
    start_urls: ["{base}/forum"]
    interval_minutes: 180
"""


@pytest.fixture
def settings_with_sources(ops_env):
    sources = ops_env.root / "sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")
    ops_env.config.write_text(ops_env.config.read_text() + f'\n[crawl]\nsources_file = "{sources}"\n', encoding="utf-8")
    return load_settings(ops_env.config, environ={})


def test_every_source_gets_its_own_interval_and_reports_follow_cron_in_vietnam_time(settings_with_sources):
    now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=TZ)  # a Monday, after the 06:30 hot spots run
    specs = {s.id: s for s in job_specs(settings_with_sources, "/etc/dulun/dulun.toml", now=now)}
    assert set(specs) == {"crawl:baohaiphong-thoi-su", "crawl:dien-dan-cong-nhan", "enrich", "hotspots", "digest", "alerts",
                          "retention"}
    assert specs["crawl:baohaiphong-thoi-su"].trigger.interval == dt.timedelta(minutes=60)
    assert specs["crawl:dien-dan-cong-nhan"].trigger.interval == dt.timedelta(minutes=180)
    assert specs["crawl:dien-dan-cong-nhan"].args == ("/etc/dulun/dulun.toml", "dien-dan-cong-nhan")
    assert specs["crawl:baohaiphong-thoi-su"].func == "dulun.jobs:crawl_source"
    # hot spots: Monday morning; digest: every morning (07:00); retention: at night
    assert specs["hotspots"].trigger.get_next_fire_time(None, now) == dt.datetime(2026, 11, 30, 6, 30, tzinfo=TZ)
    assert specs["digest"].trigger.get_next_fire_time(None, now) == dt.datetime(2026, 11, 24, 7, 0, tzinfo=TZ)
    assert specs["retention"].trigger.get_next_fire_time(None, now) == dt.datetime(2026, 11, 24, 3, 15, tzinfo=TZ)
    # a fresh schedule crawls soon, one source after the other
    assert specs["crawl:baohaiphong-thoi-su"].first_run < specs["crawl:dien-dan-cong-nhan"].first_run


def test_a_restart_resumes_the_stored_schedule_and_a_changed_setting_reschedules_only_that_job(settings_with_sources, ops_env):
    first = _sync(settings_with_sources, str(ops_env.config))
    assert len(first.added) == 7
    before = _next_runs(settings_with_sources)

    again = _sync(settings_with_sources, str(ops_env.config))
    assert again.added == [] and again.changed == [] and len(again.kept) == 7
    assert _next_runs(settings_with_sources) == before  # persisted in the SQLite job store

    changed = settings_with_sources.model_copy(update={"schedule": settings_with_sources.schedule.model_copy(update={"digest_cron": "30 7 * * *"})})
    third = _sync(changed, str(ops_env.config))
    assert third.changed == ["digest"] and len(third.kept) == 6


def test_jobs_never_overlap_and_a_late_run_is_coalesced(settings_with_sources, ops_env):
    scheduler = build_scheduler(settings_with_sources, run_jobs=False)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, job_specs(settings_with_sources, None))
        for job in scheduler.get_jobs():
            assert job.max_instances == 1 and job.coalesce is True
        assert scheduler.get_job("enrich").misfire_grace_time == 3600
        assert scheduler.get_job("digest").misfire_grace_time == 43200
        assert scheduler._executors["default"]._pool._max_workers == 1
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.slow
def test_after_a_sleep_each_job_runs_once_and_a_run_beyond_the_grace_is_recorded_as_missed(ops_env):
    settings = load_settings(ops_env.config, environ={})
    marks = ops_env.root / "runs.txt"
    append = (sys.executable, "-c", f"open({str(marks)!r}, 'a').write('run\\n')")
    now = dt.datetime.now(TZ)
    # "woke up" 40 minutes after the last run of a every-minute job: 40 runs were missed
    every_minute = JobSpec("catch-up", "dulun.jobs:run_child", (str(ops_env.config), "catch-up", "test", (), append),
                           IntervalTrigger(minutes=1, timezone=TZ), "test", first_run=now - dt.timedelta(minutes=40))
    # a six-hourly job three hours late: beyond the one-hour grace, so skipped and recorded
    six_hourly = JobSpec("too-late", "dulun.jobs:run_child", (str(ops_env.config), "too-late", "test", (), append),
                         IntervalTrigger(hours=6, timezone=TZ), "test", first_run=now - dt.timedelta(hours=3))
    _sync(settings, str(ops_env.config), [every_minute, six_hourly])

    stop = threading.Event()
    runner = threading.Thread(target=run_scheduler, args=(settings, str(ops_env.config), [every_minute, six_hourly], stop))
    runner.start()
    try:
        wait_until(lambda: job_results_for(ops_env.jobstore, "too-late") and job_results_for(ops_env.jobstore, "catch-up"),
                   timeout=30, what="both jobs to be handled")
    finally:
        stop.set()
        runner.join(timeout=60)
    assert marks.read_text().count("run") == 1  # 40 missed minutes, one run
    assert [r.outcome for r in job_results_for(ops_env.jobstore, "catch-up")] == ["ok"]
    assert [(r.outcome, r.cause) for r in job_results_for(ops_env.jobstore, "too-late")] == [("missed", "missed_while_down")]


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_on_sigterm_or_sigint_the_running_job_finishes_its_batch_and_the_scheduler_exits_0(ops_env, reaper, sig):
    command = writer_argv(ops_env.db, 30, 500, pause=0.5)
    scheduler = ops_env.spawn([sys.executable, str(SCHEDULER_HARNESS), str(ops_env.config), "writer", "3600", "--", *command])
    reaper(scheduler)
    wait_until(lambda: _documents(ops_env.db) >= 500, what="a committed batch")
    scheduler.send_signal(sig)
    _, err = scheduler.communicate(timeout=60)
    assert scheduler.returncode == 0, err
    assert "Scheduler stopped." in err
    stored = _documents(ops_env.db)
    assert stored % 500 == 0 and 500 <= stored < 30 * 500  # whole batches only, stopped early
    [result] = job_results_for(ops_env.jobstore, "writer")
    assert (result.outcome, result.cause) == ("interrupted", "stopped_on_request")


@pytest.mark.slow
def test_dulun_schedule_runs_once_per_database_and_status_shows_next_runs_and_last_results(ops_env, reaper):
    assert ops_env.dulun("init").returncode == 0
    first = ops_env.spawn_dulun("schedule")
    reaper(first)
    wait_for_line(first, "Schedule synced", stream="stderr")
    second = ops_env.dulun("schedule", timeout=60)
    assert second.returncode == 2
    assert f"Another `dulun schedule` (pid {first.pid}) is already running" in second.stderr
    first.send_signal(signal.SIGTERM)
    first.communicate(timeout=60)
    assert first.returncode == 0

    from dulun.jobs import run_child

    run_child(str(ops_env.config), "enrich", "enrich", [])  # no NLP stage in this checkout, or it runs
    status = ops_env.dulun("status")
    assert status.returncode == 0, status.stderr
    assert "Schedule" in status.stdout and "digest" in status.stdout and "hotspots" in status.stdout
    assert "Last job results" in status.stdout and "enrich" in status.stdout
    assert "Job failures by cause" in status.stdout


def _sync(settings, config, specs=None):
    scheduler = build_scheduler(settings, run_jobs=False)
    scheduler.start(paused=True)
    try:
        return sync_jobs(scheduler, specs if specs is not None else job_specs(settings, config))
    finally:
        scheduler.shutdown(wait=False)


def _next_runs(settings) -> dict:
    scheduler = build_scheduler(settings, run_jobs=False)
    scheduler.start(paused=True)
    try:
        return {job.id: job.next_run_time for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)


def _documents(db: Path) -> int:
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return 0
    try:
        return con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
    except duckdb.Error:
        return 0
    finally:
        con.close()
