"""One writer at a time: a second `dulun` writer waits, then exits 2 with one clear sentence;
readers wait briefly for a writer and otherwise say who is writing."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from ops_support import wait_for_line
from core.errors import UserError
from store.db import DatabaseBusy, WriterLock, open_reader, open_writer

HOLD_LOCK = """
import sys, time
from store.db import WriterLock
lock = WriterLock(sys.argv[1], 0)
lock.acquire()
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""

HOLD_DATABASE = """
import sys, time
from store import open_writer
with open_writer(sys.argv[1], 5) as store:
    print("writing", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(ops_env, script: str, seconds: float, ready: str):
    proc = ops_env.spawn([sys.executable, "-c", script, str(ops_env.db), str(seconds)])
    wait_for_line(proc, ready)
    return proc


@pytest.mark.slow
def test_two_inits_started_together_both_succeed_one_after_the_other(ops_env):
    procs = [ops_env.spawn_dulun("init") for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    with open_reader(ops_env.db) as store:
        assert store.con.execute("SELECT count(*) FROM schema_version").fetchall()[0][0] >= 2


@pytest.mark.slow
def test_a_second_writer_gives_up_after_lock_timeout_with_one_sentence(ops_env, reaper):
    holder = hold(ops_env, HOLD_LOCK, 30, "holding")
    reaper(holder)
    started = time.monotonic()
    result = ops_env.dulun("init", DULUN_LOCK_TIMEOUT_S="1")
    assert result.returncode == 2
    assert time.monotonic() - started >= 1
    message = result.stderr.strip()
    assert f"Another dulun process (pid {holder.pid}) is writing to {ops_env.db}" in message
    assert "waited 1 s, try again when it finishes." in message
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_waiting_writer_proceeds_when_the_holder_finishes(ops_env, reaper):
    holder = hold(ops_env, HOLD_LOCK, 2, "holding")
    reaper(holder)
    result = ops_env.dulun("init", DULUN_LOCK_TIMEOUT_S="30")
    assert result.returncode == 0, result.stderr
    assert holder.wait(timeout=10) == 0


@pytest.mark.slow
def test_the_lock_of_a_writer_killed_with_sigkill_is_free_at_once(ops_env):
    holder = hold(ops_env, HOLD_LOCK, 60, "holding")
    holder.kill()
    holder.wait()
    lock = WriterLock(ops_env.db, 0)
    lock.acquire()  # flock dies with its process: no stale lock file to clean up
    lock.release()


@pytest.mark.slow
def test_a_reader_while_a_writer_has_the_file_open_gets_a_clear_sentence(ops_env, reaper):
    assert ops_env.dulun("init").returncode == 0
    holder = hold(ops_env, HOLD_DATABASE, 30, "writing")
    reaper(holder)
    with pytest.raises(DatabaseBusy) as caught:
        with open_reader(ops_env.db, wait_s=0.5):
            pass
    assert f"open for writing by pid {holder.pid}" in str(caught.value)
    assert "try again when it finishes" in str(caught.value)


@pytest.mark.slow
def test_a_reader_waits_for_a_short_write_and_then_reads(ops_env, reaper):
    assert ops_env.dulun("init").returncode == 0
    holder = hold(ops_env, HOLD_DATABASE, 2, "writing")
    reaper(holder)
    result = ops_env.dulun("status")  # readers retry for up to 10 s
    assert result.returncode == 0, result.stderr
    assert "Rows" in result.stdout


def test_writer_lock_in_one_process_is_reentrant_free_after_release(tmp_path):
    db = tmp_path / "x.duckdb"
    with WriterLock(db, 0) as lock:
        assert lock.held
        with pytest.raises(UserError, match="Another dulun process"):
            WriterLock(db, 0).acquire()  # a second open file description conflicts, as another process would
    with open_writer(db, 0) as store:
        assert store.con.execute("SELECT 1").fetchall() == [(1,)]


@pytest.mark.slow
def test_two_writers_started_together_interleave_batches_and_store_each_page_once(ops_env, reaper):
    writers = [ops_env.spawn_writer(8, 500) for _ in range(2)]
    for w in writers:
        reaper(w)
    outs = [w.communicate(timeout=180) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], outs
    with open_reader(ops_env.db) as store:
        total, distinct = store.con.execute("SELECT count(*), count(DISTINCT url) FROM documents").fetchall()[0]
        runs = store.con.execute("SELECT status FROM crawl_runs").fetchall()
    assert total == distinct == 8 * 500
    assert sorted(r[0] for r in runs) in (["ok", "ok"], ["interrupted", "ok"])  # a run may look orphaned to the other writer
