"""Kill -9 during writes: committed documents stay intact, the next run resumes, nothing doubles.

Every test here kills a real subprocess with SIGKILL in the middle of its work, then opens the
real DuckDB file again.
"""
from __future__ import annotations

import signal
import sys
import time

import duckdb
import pytest

from ops_support import SCHEDULER_HARNESS, kill_group, wait_for_line, wait_until, writer_argv
from store.ops import database_integrity, job_results_for
from tests.processes import children
from core.records import content_hash

pytestmark = pytest.mark.slow

BATCH = 2000
BATCHES = 12


def stored_pages(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT url, title, lead, text, content_hash FROM documents ORDER BY url").fetchall()
    finally:
        con.close()


def assert_intact(db, expect_whole_batches: bool = True) -> int:
    """Every stored row is complete and matches the page it claims to be; returns how many."""
    rows = stored_pages(db)
    for url, title, lead, text, digest in rows:
        i = int(url.rsplit("/", 1)[1].split(".")[0])
        assert title == f"Tin số {i}: công nhân đình công đòi lương"
        assert text == (f"Nội dung bài {i}. " * 40).strip()
        assert digest == content_hash(title, lead, text)
    if expect_whole_batches:
        assert len(rows) % BATCH == 0, f"{len(rows)} rows: a batch was half-written"
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert database_integrity(con) == []
    finally:
        con.close()
    return len(rows)


def run_statuses(db) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT status FROM crawl_runs ORDER BY run_id").fetchall()]
    finally:
        con.close()


def test_kill_9_mid_write_keeps_committed_batches_and_the_rerun_completes_without_duplicates(ops_env, reaper):
    writer = ops_env.spawn_writer(BATCHES, BATCH)
    reaper(writer)
    wait_for_line(writer, "batch 2 committed")
    time.sleep(0.1)  # now inside a later batch's transaction
    kill_group(writer, signal.SIGKILL)
    assert writer.returncode == -signal.SIGKILL

    committed = assert_intact(ops_env.db)
    assert 3 * BATCH <= committed < BATCHES * BATCH
    assert run_statuses(ops_env.db) == ["running"]

    rerun = ops_env.spawn_writer(BATCHES, BATCH)
    reaper(rerun)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert assert_intact(ops_env.db) == BATCHES * BATCH
    # the killed run is closed as interrupted by the next writer, the rerun is ok
    assert run_statuses(ops_env.db) == ["interrupted", "ok"]


def test_kill_9_of_the_scheduler_during_a_job_then_restart_resumes(ops_env, reaper):
    command = writer_argv(ops_env.db, BATCHES, BATCH, pause=0.2)
    harness = [sys.executable, str(SCHEDULER_HARNESS), str(ops_env.config), "writer", "3600", "--", *command]
    scheduler = ops_env.spawn(harness)
    reaper(scheduler)
    wait_until(lambda: ops_env.db.exists() and len(run_statuses_safe(ops_env.db)) >= 1, what="the job to start writing")
    wait_until(lambda: documents_safe(ops_env.db) >= 2 * BATCH, what="two committed batches")
    kill_group(scheduler, signal.SIGKILL)  # the scheduler and its running child, as a power cut would

    committed = assert_intact(ops_env.db)
    assert committed < BATCHES * BATCH

    # Restarted, the schedule comes back from the job store: the job is not due (interval 1 h),
    # so run it the way its next run would, through the same job function.
    from dulun.jobs import run_child

    result = run_child(str(ops_env.config), "writer", "writer", (), tuple(command))
    assert result["outcome"] == "ok"
    assert assert_intact(ops_env.db) == BATCHES * BATCH
    assert run_statuses(ops_env.db) == ["interrupted", "ok"]


def test_a_killed_child_is_recorded_with_its_cause_and_the_scheduler_keeps_running(ops_env, reaper):
    command = writer_argv(ops_env.db, BATCHES, BATCH, pause=0.3)
    harness = [sys.executable, str(SCHEDULER_HARNESS), str(ops_env.config), "writer", "2", "--", *command]
    scheduler = ops_env.spawn(harness)
    reaper(scheduler)
    wait_until(lambda: documents_safe(ops_env.db) >= BATCH, what="a committed batch")
    child = wait_until(lambda: children(scheduler.pid), what="the job's child process")
    import os
    os.kill(child[0], signal.SIGKILL)

    results = wait_until(lambda: [r for r in job_results_for(ops_env.jobstore, "writer") if r.outcome == "ok"],
                         timeout=120, what="the next run to finish")
    everything = job_results_for(ops_env.jobstore, "writer")
    assert everything[0].outcome == "interrupted" and everything[0].cause == "killed_SIGKILL"
    assert results and scheduler.poll() is None
    kill_group(scheduler, signal.SIGTERM)
    assert assert_intact(ops_env.db) == BATCHES * BATCH


def documents_safe(db) -> int:
    try:
        return len(stored_pages(db))
    except duckdb.Error:
        return 0  # the writer has the file open right now


def run_statuses_safe(db) -> list[str]:
    try:
        return run_statuses(db)
    except duckdb.Error:
        return []
