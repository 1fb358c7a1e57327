"""Read-only summaries for `dulun status`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

COUNTED_TABLES = ("sources", "documents", "document_versions", "enrichments", "hotspots", "digests", "alerts", "alert_outbox", "labels",
                  "doc_roles", "role_labels", "issue_threads", "thread_members", "portal_statuses")


@dataclass
class StatusReport:
    schema_version: int
    row_counts: dict[str, int]
    documents_by_source: list[tuple]
    last_runs: list[tuple]
    failures_by_cause: list[tuple]
    outbox: list[tuple]
    hotspot_levels: list[tuple] = field(default_factory=list)
    waves: list[tuple] = field(default_factory=list)  # rolling detection: open and recent episodes
    labels: dict = field(default_factory=dict)  # analysts' labels, those waiting for a retrain, corrections queued


def label_summary(con: duckdb.DuckDBPyConnection, db_path: Path | None) -> dict:
    """Topic labels and role corrections stored, those newer than the newest model that learns
    from them (the next `dulun train` uses them), and workbench corrections still queued for the
    writer."""
    from store import corrections
    from store.web import label_status

    found = label_status(con)
    return {"labels": found["labels"], "waiting for a retrain": found["waiting"],
            "role corrections": found["role corrections"],
            "role corrections waiting for a retrain": found["role corrections waiting"],
            "corrections queued": corrections.pending_count(db_path) if db_path else 0}


def status_report(con: duckdb.DuckDBPyConnection, recent_runs: int = 10, db_path: Path | None = None) -> StatusReport:
    from store.db import schema_version

    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in COUNTED_TABLES}
    return StatusReport(
        schema_version=schema_version(con),
        row_counts=counts,
        documents_by_source=con.execute(
            "SELECT source, kind, count(*), max(published_at) FROM documents GROUP BY ALL ORDER BY source"
        ).fetchall(),
        last_runs=con.execute(
            """
            SELECT source, status, started_at, finished_at, pages_ok, pages_failed, skipped_seen, items_stored,
                   politeness
            FROM crawl_runs ORDER BY started_at DESC LIMIT ?
            """,
            [recent_runs],
        ).fetchall(),
        failures_by_cause=con.execute(
            "SELECT source, cause, count(*), max(failed_at) FROM fetch_failures GROUP BY ALL ORDER BY 3 DESC"
        ).fetchall(),
        outbox=con.execute(
            "SELECT channel, status, count(*), max(attempts), any_value(last_error) FROM alert_outbox GROUP BY ALL ORDER BY 1, 2"
        ).fetchall(),
        hotspot_levels=con.execute(
            "SELECT iso_week, level, count(*) FROM hotspots WHERE level IS NOT NULL GROUP BY ALL ORDER BY 1 DESC, 2 LIMIT 20"
        ).fetchall(),
        waves=con.execute(
            """SELECT topic, province, opened_at, updated_at, level, window_hours, stories, week_stories, closed_at
               FROM detect_episodes ORDER BY closed_at IS NULL DESC, coalesce(closed_at, opened_at) DESC LIMIT 20"""
        ).fetchall(),
        labels=label_summary(con, db_path),
    )
