"""SQL of unattended operation: retention, Parquet export, backup checks, and the job log.

The job log and the schedule live in a small SQLite file next to the DuckDB file (the
APScheduler job store), written only by the scheduler process, so recording a job's result
never needs DuckDB's single writer.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import duckdb

from core.errors import UserError
from store.db import WriterLock, _connect_as_writer, disk_problem, transaction

# ---------------------------------------------------------------------------------------------
# Retention (DuckDB, writer connection)


@dataclass(frozen=True)
class RetentionCounts:
    documents: int = 0  # documents whose raw text was dropped now
    versions: int = 0  # earlier versions of those documents removed


def drop_old_text(con: duckdb.DuckDBPyConnection, cutoff: dt.datetime, kinds: Sequence[str]) -> RetentionCounts:
    """Drop raw text (lead, text) of `kinds` documents published before `cutoff`, in one transaction.

    Title, dates, content hash and enrichments stay, so counts, topics and places are unchanged
    (current_enrichments joins on the content hash, which is kept). Earlier versions of the
    same documents hold the same kind of raw text and go too.
    """
    if not kinds:
        return RetentionCounts()
    with transaction(con):
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE retention_targets AS
            SELECT doc_id FROM documents
            WHERE kind IN (SELECT unnest(?::VARCHAR[]))
              AND coalesce(published_at, fetched_at) < ?
              AND (text IS NOT NULL OR lead IS NOT NULL
                   OR doc_id IN (SELECT doc_id FROM document_versions))
            """,
            [list(kinds), cutoff],
        )
        versions = con.execute(
            "DELETE FROM document_versions WHERE doc_id IN (SELECT doc_id FROM retention_targets)"
        ).fetchall()
        documents = con.execute(
            """
            UPDATE documents SET text = NULL, lead = NULL, text_dropped_at = coalesce(text_dropped_at, now())
            WHERE doc_id IN (SELECT doc_id FROM retention_targets)
            """
        ).fetchall()
        con.execute("DROP TABLE retention_targets")
    return RetentionCounts(documents=_affected(documents), versions=_affected(versions))


def _affected(rows: list[tuple]) -> int:
    # DuckDB returns the number of changed rows as a one-row result of DML statements.
    return int(rows[0][0]) if rows else 0


# ---------------------------------------------------------------------------------------------
# Export and backup (DuckDB, any connection)

EXPORT_QUERY = """
SELECT
    d.doc_id, d.source, d.kind,
    CASE WHEN d.kind = 'press' THEN d.url END AS url,
    d.title,
    CASE WHEN d.kind = 'press' THEN d.lead END AS lead,
    CASE WHEN d.kind = 'press' THEN d.text END AS text,
    d.language,
    d.published_at, d.fetched_at, d.version, d.text_dropped_at, d.default_province,
    e.topics, e.provinces, e.story_id, e.model_version, e.enriched_at,
    CAST(d.published_at AS DATE) AS published_day
FROM documents d
LEFT JOIN current_enrichments e USING (doc_id)
WHERE d.published_at >= ?
"""
# Bylines and author hashes are left out on purpose: an export is for counting issues, and
# other tools must not be handed a way to group documents by person. Posts and petitions keep
# only their title, dates, topics and places: their text and permalink (which shows the
# author's name) stay in the database, where retention drops the text; an export file would
# keep them forever.


def export_documents_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path, since: dt.datetime) -> int:
    """Write documents published since `since` as Parquet partitioned by published day; returns rows."""
    rows = con.execute(f"SELECT count(*) FROM ({EXPORT_QUERY})", [since]).fetchall()[0][0]
    if rows:
        target = str(out_dir).replace("'", "''")
        con.execute(
            f"COPY ({EXPORT_QUERY}) TO '{target}' "
            "(FORMAT parquet, PARTITION_BY (published_day), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'documents_{i}')",
            [since],
        )
    return rows


def read_parquet_count(con: duckdb.DuckDBPyConnection, out_dir: Path) -> int:
    pattern = str(Path(out_dir) / "**" / "*.parquet").replace("'", "''")
    return con.execute(f"SELECT count(*) FROM read_parquet('{pattern}', hive_partitioning = true)").fetchall()[0][0]


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Fold the write-ahead log into the file, so the file alone is a complete copy."""
    con.execute("CHECKPOINT")


def fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts that a faithful copy must reproduce."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
    ).fetchall()]
    return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables}


def file_fingerprint(path: Path) -> dict[str, int]:
    """`fingerprint` of a database file (a copy being checked), opened read-only."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return fingerprint(con)
    finally:
        con.close()


def fsync_file(path: Path) -> None:
    with Path(path).open("rb") as fh:
        os.fsync(fh.fileno())


def compact_database(path: Path, lock_timeout_s: float = 30.0) -> None:
    """Rewrite the database into a fresh file and put it in place, holding the writer lock.

    DuckDB leaves the old bytes of updated or deleted values in the file's free blocks: after
    retention set post text to NULL (and CHECKPOINT, and VACUUM), the dropped sentences could
    still be read from the file (tests/ops/test_retention_export_backup.py greps for one).
    Only a rewrite drops them: COPY FROM DATABASE into a new file (tables, views, sequences
    with their current values), verified to hold the same rows, fsynced, then renamed over
    the old file. The disk needs room for a second copy meanwhile; on any failure the old file
    stays as it was.
    """
    path = Path(path)
    fresh = path.with_name(path.name + ".compacting")
    with WriterLock(path, lock_timeout_s):
        con = _connect_as_writer(path, lock_timeout_s)
        try:
            con.execute("CHECKPOINT")  # the write-ahead log folded in: the file alone is the database
            expected = fingerprint(con)
        finally:
            con.close()
        for leftover in (fresh, Path(str(fresh) + ".wal")):
            leftover.unlink(missing_ok=True)
        try:
            copier = duckdb.connect()
            try:
                copier.execute(f"ATTACH '{_quoted(path)}' AS old_db (READ_ONLY)")
                copier.execute(f"ATTACH '{_quoted(fresh)}' AS fresh_db")
                copier.execute("COPY FROM DATABASE old_db TO fresh_db")
                copier.execute("DETACH fresh_db")
                copier.execute("DETACH old_db")
            finally:
                copier.close()
            found = file_fingerprint(fresh)
            if found != expected:
                raise UserError(f"Rewriting {path} gave a copy that differs ({found} vs {expected}); the database was left as it was.")
            fsync_file(fresh)
            os.replace(fresh, path)
            Path(str(path) + ".wal").unlink(missing_ok=True)  # empty after the checkpoint; never the new file's
            directory = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except (duckdb.Error, OSError) as exc:
            raise UserError(f"Rewriting {path} to drop old text failed: {disk_problem(exc) or str(exc).splitlines()[0]}; "
                            "the database was left as it was.") from None
        finally:
            fresh.unlink(missing_ok=True)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def database_integrity(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Problems a crash could leave: duplicate ids or documents whose row is incomplete."""
    problems = []
    dupes = con.execute("SELECT count(*) - count(DISTINCT doc_id) FROM documents").fetchall()[0][0]
    if dupes:
        problems.append(f"{dupes} duplicate document ids")
    url_dupes = con.execute("SELECT count(*) - count(DISTINCT url) FROM documents").fetchall()[0][0]
    if url_dupes:
        problems.append(f"{url_dupes} duplicate document URLs")
    incomplete = con.execute(
        "SELECT count(*) FROM documents WHERE content_hash IS NULL OR url IS NULL OR fetched_at IS NULL"
    ).fetchall()[0][0]
    if incomplete:
        problems.append(f"{incomplete} incomplete document rows")
    return problems


# ---------------------------------------------------------------------------------------------
# The job log and schedule (SQLite, next to the DuckDB file)

_JOB_RESULTS = """
CREATE TABLE IF NOT EXISTS dulun_job_results (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      TEXT NOT NULL,
    stage       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    outcome     TEXT NOT NULL,     -- ok / failed / missed / interrupted / timeout
    cause       TEXT,              -- for failures: user_error, exit_<code>, killed_<signal>, timeout, ...
    summary     TEXT               -- the stage's JSON summary or the error's last line
)
"""


@dataclass(frozen=True)
class JobResult:
    job_id: str
    stage: str
    started_at: dt.datetime
    finished_at: dt.datetime
    outcome: str
    cause: str | None = None
    summary: str | None = None

    def to_dict(self) -> dict:
        return {
            "job_id": self.job_id, "stage": self.stage, "outcome": self.outcome, "cause": self.cause,
            "summary": self.summary, "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
        }


@contextlib.contextmanager
def job_log(path: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived SQLite connection to the schedule file (WAL mode: readers never block it)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), timeout=30)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute(_JOB_RESULTS)
        yield con
        con.commit()
    finally:
        con.close()


def record_job_result(path: Path, result: JobResult, keep: int = 2000) -> None:
    with job_log(path) as con:
        con.execute(
            "INSERT INTO dulun_job_results (job_id, stage, started_at, finished_at, outcome, cause, summary)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (result.job_id, result.stage, result.started_at.isoformat(), result.finished_at.isoformat(),
             result.outcome, result.cause, (result.summary or "")[:2000] or None),
        )
        con.execute(
            "DELETE FROM dulun_job_results WHERE id <= (SELECT max(id) FROM dulun_job_results) - ?", (keep,)
        )


def last_job_results(path: Path) -> list[tuple]:
    """The newest result of every job: job, stage, outcome, cause, finished, summary."""
    if not Path(path).is_file():
        return []
    with job_log(path) as con:
        return con.execute(
            """
            SELECT job_id, stage, outcome, cause, finished_at, summary FROM dulun_job_results r
            WHERE id = (SELECT max(id) FROM dulun_job_results WHERE job_id = r.job_id)
            ORDER BY job_id
            """
        ).fetchall()


def job_failures_by_cause(path: Path) -> list[tuple]:
    """stage, cause, count, last: every kept run that did not end ok."""
    if not Path(path).is_file():
        return []
    with job_log(path) as con:
        return con.execute(
            """
            SELECT stage, coalesce(cause, outcome), count(*), max(finished_at) FROM dulun_job_results
            WHERE outcome <> 'ok' GROUP BY 1, 2 ORDER BY 3 DESC, 1
            """
        ).fetchall()


def job_results_for(path: Path, job_id: str) -> list[JobResult]:
    if not Path(path).is_file():
        return []
    with job_log(path) as con:
        rows = con.execute(
            "SELECT job_id, stage, started_at, finished_at, outcome, cause, summary FROM dulun_job_results"
            " WHERE job_id = ? ORDER BY id",
            (job_id,),
        ).fetchall()
    return [JobResult(r[0], r[1], dt.datetime.fromisoformat(r[2]), dt.datetime.fromisoformat(r[3]), *r[4:]) for r in rows]


def next_run_times(path: Path, tz: dt.tzinfo) -> list[tuple[str, dt.datetime | None]]:
    """Each scheduled job and its next run, read from APScheduler's table without unpickling jobs."""
    if not Path(path).is_file():
        return []
    with job_log(path) as con:
        exists = con.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'apscheduler_jobs'"
        ).fetchall()[0][0]
        if not exists:
            return []
        rows = con.execute("SELECT id, next_run_time FROM apscheduler_jobs ORDER BY next_run_time, id").fetchall()
    return [(job_id, dt.datetime.fromtimestamp(ts, tz) if ts is not None else None) for job_id, ts in rows]


def parse_summary(text: str | None) -> dict:
    try:
        value = json.loads(text or "")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
