"""Crawl runs left 'running' by a killed crawl are closed as interrupted, at the clock's moment."""
import datetime as dt

from store import open_writer
from store.runs import mark_interrupted_runs, start_run

VN = dt.timezone(dt.timedelta(hours=7))
REPLAY = dt.datetime(2026, 11, 18, 9, 0, tzinfo=VN)


def test_a_replay_closes_a_killed_run_at_its_own_moment_and_never_before_the_run_began(tmp_path):
    """A replay (the demo's 14 days of polls) runs on a simulated clock: a run it finds left
    open ends at that clock's moment, not weeks later at the machine's."""
    with open_writer(tmp_path / "dulun.duckdb") as store:
        replayed = start_run(store.con, "baohaiphong", at=REPLAY)
        later = start_run(store.con, "laodong", at=REPLAY + dt.timedelta(hours=2))
        assert mark_interrupted_runs(store.con, at=REPLAY + dt.timedelta(hours=1)) == 2
        ended = dict(store.con.execute("SELECT run_id, finished_at FROM crawl_runs").fetchall())
        statuses = {s for (s,) in store.con.execute("SELECT status FROM crawl_runs").fetchall()}
    assert ended[replayed] == REPLAY + dt.timedelta(hours=1)
    assert ended[later] == REPLAY + dt.timedelta(hours=2)   # it began after the clock's moment: it ends as it began
    assert statuses == {"interrupted"}


def test_without_a_clock_a_killed_run_ends_now(tmp_path):
    with open_writer(tmp_path / "dulun.duckdb") as store:
        run = start_run(store.con, "baohaiphong")
        mark_interrupted_runs(store.con, [run], note="the crawl process stopped")
        [[finished, note]] = store.con.execute("SELECT finished_at, note FROM crawl_runs").fetchall()
    assert abs(finished - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=1) and note == "the crawl process stopped"
