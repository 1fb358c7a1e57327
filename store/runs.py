"""Crawl runs and fetch failures: what each run did and why pages failed."""
from __future__ import annotations

import json
from typing import Sequence

import duckdb
import pandas as pd

from core.records import CrawlRunResult, FetchFailure


def start_run(con: duckdb.DuckDBPyConnection, source: str, politeness: str | None = None) -> int:
    """A new run; `politeness` names what this run does less politely than the defaults."""
    return con.execute(
        "INSERT INTO crawl_runs (source, started_at, politeness) VALUES (?, now(), ?) RETURNING run_id",
        [source, politeness],
    ).fetchall()[0][0]


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: int, result: CrawlRunResult, status: str = "ok", note: str | None = None
) -> None:
    con.execute(
        """
        UPDATE crawl_runs SET finished_at = now(), status = ?, pages_ok = ?, pages_failed = ?,
               skipped_seen = ?, items_stored = ?, failures = ?, note = ?
        WHERE run_id = ?
        """,
        [status, result.pages_ok, result.pages_failed, result.skipped_seen, result.items_stored,
         json.dumps(result.failures, ensure_ascii=False), note, run_id],
    )


def mark_interrupted_runs(con: duckdb.DuckDBPyConnection) -> int:
    """Runs still 'running' when a new writer starts were killed; say so instead of leaving them open."""
    return con.execute(
        "UPDATE crawl_runs SET status = 'interrupted', finished_at = now() "
        "WHERE status = 'running' RETURNING run_id"
    ).fetchall().__len__()


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
