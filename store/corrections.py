"""Analysts' corrections from the workbench: queued durably, applied by whoever writes next.

A correction (a document's topics and provinces as the analyst says they are) becomes a row
of `labels`, which the next `dulun train` learns from. Only one process may write DuckDB, and
a crawl can hold the writer for minutes, so a correction is first appended to a small SQLite
queue next to the database (`dulun.corrections.sqlite`, committed before the page answers),
then applied through the single-writer path: at once when the writer is free, otherwise by the
next writer (`store.db` drains the queue every time it opens the database for writing). A row
is marked applied only after DuckDB committed it; applying twice writes the same label, so a
crash between the two commits loses nothing and duplicates nothing.

A role correction (a document's follow-up role: report / response / resolution / none) takes
the same path through its own queue table and becomes a row of `role_labels`
(`store.followup.record_role_labels`), which follow-up reads over the model's role at once.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import duckdb
import pyarrow as pa

from store.frames import register

_SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id      TEXT NOT NULL,
    topics      TEXT NOT NULL,      -- JSON list of topic ids
    provinces   TEXT NOT NULL,      -- JSON list of province names
    created_at  TEXT NOT NULL,      -- ISO time with zone: becomes labels.labeled_at
    applied_at  TEXT
);
CREATE INDEX IF NOT EXISTS corrections_pending ON corrections (applied_at, id);
CREATE TABLE IF NOT EXISTS role_corrections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id      TEXT NOT NULL,
    role        TEXT NOT NULL,
    created_at  TEXT NOT NULL,      -- ISO time with zone: becomes role_labels.labeled_at
    applied_at  TEXT
);
"""


@dataclass
class Correction:
    id: int
    doc_id: str
    topics: list[str]
    provinces: list[str]
    created_at: dt.datetime


def queue_path(db_path: Path) -> Path:
    """`data/dulun.duckdb` -> `data/dulun.corrections.sqlite`."""
    return Path(db_path).with_suffix(".corrections.sqlite")


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = FULL")  # a correction the page confirmed survives a power cut
    con.executescript(_SCHEMA)
    return con


def enqueue(db_path: Path, doc_id: str, topics: Sequence[str], provinces: Sequence[str],
            created_at: dt.datetime) -> int:
    """Append one correction durably; returns its queue id."""
    con = _connect(queue_path(db_path))
    try:
        cur = con.execute(
            "INSERT INTO corrections (doc_id, topics, provinces, created_at) VALUES (?, ?, ?, ?)",
            (doc_id, json.dumps(list(topics), ensure_ascii=False), json.dumps(list(provinces), ensure_ascii=False),
             created_at.isoformat()))
        return int(cur.lastrowid)
    finally:
        con.close()


def _queued(db_path: Path, query: str) -> list[tuple]:
    """Rows of the queue not yet applied (none when no correction was ever queued)."""
    path = queue_path(db_path)
    if not path.is_file():
        return []
    con = _connect(path)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def pending(db_path: Path) -> list[Correction]:
    rows = _queued(db_path, "SELECT id, doc_id, topics, provinces, created_at FROM corrections "
                            "WHERE applied_at IS NULL ORDER BY id")
    return [Correction(r[0], r[1], json.loads(r[2]), json.loads(r[3]), dt.datetime.fromisoformat(r[4])) for r in rows]


def enqueue_role(db_path: Path, doc_id: str, role: str, created_at: dt.datetime) -> int:
    """Append one role correction durably; returns its queue id."""
    con = _connect(queue_path(db_path))
    try:
        cur = con.execute("INSERT INTO role_corrections (doc_id, role, created_at) VALUES (?, ?, ?)",
                          (doc_id, role, created_at.isoformat()))
        return int(cur.lastrowid)
    finally:
        con.close()


def pending_roles(db_path: Path) -> list[tuple[int, str, str, dt.datetime]]:
    """Queued role corrections not yet applied: (id, doc_id, role, created_at), oldest first."""
    rows = _queued(db_path, "SELECT id, doc_id, role, created_at FROM role_corrections WHERE applied_at IS NULL ORDER BY id")
    return [(r[0], r[1], r[2], dt.datetime.fromisoformat(r[3])) for r in rows]


def pending_count(db_path: Path) -> int:
    return len(pending(db_path)) + len(pending_roles(db_path))


def apply_pending(con: duckdb.DuckDBPyConnection, db_path: Path) -> int:
    """Apply every queued correction (the caller holds the writer): topics and provinces into
    `labels`, roles into `role_labels`. Returns how many."""
    return _apply_topic_corrections(con, db_path) + _apply_role_corrections(con, db_path)


def _apply_role_corrections(con: duckdb.DuckDBPyConnection, db_path: Path) -> int:
    queued = pending_roles(db_path)
    if not queued:
        return 0
    record_role_labels(con, [(doc_id, role, at) for _, doc_id, role, at in queued])
    _mark_applied(db_path, "role_corrections", max(q[0] for q in queued))
    return len(queued)


def record_role_labels(con: duckdb.DuckDBPyConnection, labels: Sequence[tuple[str, str, dt.datetime]]) -> int:
    """Store (doc_id, role, labeled_at) corrections in one statement; the latest of a document
    replaces any earlier one. Documents not in the database are dropped. Returns how many kept."""
    latest: dict[str, tuple[str, str, dt.datetime]] = {}
    for label in sorted(labels, key=lambda lab: lab[2]):
        latest[label[0]] = label
    if not latest:
        return 0
    table = pa.table({
        "doc_id": [lab[0] for lab in latest.values()],
        "role": [lab[1] for lab in latest.values()],
        "labeled_at": pa.array([lab[2].astimezone(dt.timezone.utc) for lab in latest.values()], type=pa.timestamp("us", tz="UTC")),
    })
    register(con, "new_role_labels", table)
    try:
        return con.execute(
            """INSERT OR REPLACE INTO role_labels
               SELECT n.doc_id, n.role, n.labeled_at FROM new_role_labels n JOIN documents d USING (doc_id)"""
        ).fetchall()[0][0]
    finally:
        con.unregister("new_role_labels")


def _mark_applied(db_path: Path, table: str, up_to_id: int) -> None:
    queue = _connect(queue_path(db_path))
    try:
        queue.execute(f"UPDATE {table} SET applied_at = ? WHERE id <= ? AND applied_at IS NULL",
                      (dt.datetime.now(dt.timezone.utc).isoformat(), up_to_id))
    finally:
        queue.close()


def _apply_topic_corrections(con: duckdb.DuckDBPyConnection, db_path: Path) -> int:
    """Write every queued topic correction into `labels`, oldest first, so the newest
    correction of a document wins; then mark them applied. Returns how many."""
    queued = pending(db_path)
    if not queued:
        return 0
    latest: dict[str, Correction] = {}
    for c in queued:
        latest[c.doc_id] = c
    rows = list(latest.values())
    table = pa.table({
        "doc_id": [c.doc_id for c in rows],
        "topics": pa.array([c.topics for c in rows], type=pa.list_(pa.string())),
        "provinces": pa.array([c.provinces for c in rows], type=pa.list_(pa.string())),
        "labeled_at": pa.array([c.created_at for c in rows], type=pa.timestamp("us", tz="UTC")),
    })
    register(con, "queued_labels", table)
    try:
        # Only documents that exist: a correction for a document since removed is dropped here.
        con.execute("""
            INSERT OR REPLACE INTO labels
            SELECT q.doc_id, q.topics, q.provinces, q.labeled_at FROM queued_labels q JOIN documents d USING (doc_id)
        """)
    finally:
        con.unregister("queued_labels")
    _mark_applied(db_path, "corrections", max(c.id for c in queued))
    return len(queued)
