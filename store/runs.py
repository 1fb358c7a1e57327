"""Crawl runs and fetch failures: what each run did and why pages failed."""
from __future__ import annotations

import datetime as dt
import json
from typing import Sequence

import duckdb
import pandas as pd

from core.records import CrawlRunResult, FetchFailure


def start_run(con: duckdb.DuckDBPyConnection, source: str, politeness: str | None = None,
              at: dt.datetime | None = None) -> int:
    """A new run started `at` (default: now); `politeness` names what this run does less politely
    than the defaults. A replay passes its simulated clock, so source health tells its story."""
    return con.execute(
        "INSERT INTO crawl_runs (source, started_at, politeness) VALUES (?, coalesce(?, now()), ?) RETURNING run_id",
        [source, at, politeness],
    ).fetchall()[0][0]


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: int, result: CrawlRunResult, status: str = "ok", note: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """The run's outcome, finished `at` (default: now; a replay passes its simulated clock)."""
    con.execute(
        """
        UPDATE crawl_runs SET finished_at = coalesce(?, now()), status = ?, pages_ok = ?, pages_failed = ?,
               skipped_seen = ?, items_stored = ?, failures = ?, note = ?
        WHERE run_id = ?
        """,
        [at, status, *_counts(result), note, run_id],
    )


def record_progress(con: duckdb.DuckDBPyConnection, run_id: int, result: CrawlRunResult) -> None:
    """The run's counts so far, written with every batch: a run that is killed, and closed as
    interrupted later, still says what it fetched and stored."""
    con.execute(
        "UPDATE crawl_runs SET pages_ok = ?, pages_failed = ?, skipped_seen = ?, items_stored = ?, failures = ? "
        "WHERE run_id = ? AND status = 'running'",
        [*_counts(result), run_id],
    )


def _counts(result: CrawlRunResult) -> list:
    return [result.pages_ok, result.pages_failed, result.skipped_seen, result.items_stored,
            json.dumps(result.failures, ensure_ascii=False)]


def mark_interrupted_runs(con: duckdb.DuckDBPyConnection, run_ids: Sequence[int] | None = None,
                          note: str | None = None, at: dt.datetime | None = None) -> int:
    """Close runs still 'running' as interrupted, keeping the counts their batches recorded:
    all of them (a new writer knows every such run was killed), or the `run_ids` of a crawl
    process that just died. Finished `at` (default: now; a replay passes its simulated clock, as
    to `start_run`), never before the run started. Returns how many were closed."""
    where, params = "status = 'running'", []
    if run_ids is not None:
        if not run_ids:
            return 0
        where += f" AND run_id IN ({', '.join('?' for _ in run_ids)})"
        params = list(run_ids)
    return len(con.execute(
        f"UPDATE crawl_runs SET status = 'interrupted', finished_at = greatest(started_at, coalesce(?, now())), "
        f"note = coalesce(?, note) WHERE {where} RETURNING run_id",
        [at, note, *params],
    ).fetchall())


def record_failures(con: duckdb.DuckDBPyConnection, failures: Sequence[FetchFailure]) -> None:
    if not failures:
        return
    frame = pd.DataFrame(
        {
            "run_id": pd.array([f.run_id for f in failures], dtype="Int64"),
            "source": [f.source for f in failures],
            "url": [f.url for f in failures],
            "cause": [f.cause for f in failures],
            "detail": [(f.detail or "")[:500] for f in failures],
            "failed_at": pd.to_datetime([f.failed_at for f in failures], utc=True),
        }
    )
    con.register("incoming_failures", frame)
    try:
        con.execute("INSERT INTO fetch_failures SELECT * FROM incoming_failures")
    finally:
        con.unregister("incoming_failures")
