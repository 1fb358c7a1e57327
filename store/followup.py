"""Follow-up's SQL: documents to read, roles, issue threads and their members, petition statuses.

Writes are set-based (Arrow tables and one statement each). Everything read "as of" a moment
counts only documents published AND fetched by then, and portal statuses seen by then, so a
replay with `--now` sees what the pipeline could have seen.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Iterable, Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from core.records import Document
from store.current import MATCHES_CONTENT, current_enrichments_sql
from store.db import register, transaction

TEXT_CHARS = 1500  # what follow-up reads of a body: roles read the opening, names the first part


def record_portal_statuses(con: duckdb.DuckDBPyConnection, docs: Iterable[Document]) -> int:
    """Store each petition's portal status when it differs from the last one seen (a crawl sees
    the same status again and again; only changes are kept, with when they were first seen)."""
    rows = [d for d in docs if d.portal_status]
    if not rows:
        return 0
    latest: dict[str, Document] = {}
    for doc in rows:
        latest[doc.doc_id] = doc
    table = pa.table({
        "doc_id": [d.doc_id for d in latest.values()],
        "status": [d.portal_status for d in latest.values()],
        "status_at": pa.array([_utc(d.portal_status_at) for d in latest.values()], type=pa.timestamp("us", tz="UTC")),
        "observed_at": pa.array([_utc(d.fetched_at) for d in latest.values()], type=pa.timestamp("us", tz="UTC")),
    })
    register(con, "incoming_statuses", table)
    try:
        return con.execute(
            """
            INSERT INTO portal_statuses
            SELECT i.doc_id, i.status, i.status_at, i.observed_at FROM incoming_statuses i
            LEFT JOIN (SELECT doc_id, arg_max(status, observed_at) AS status, arg_max(status_at, observed_at) AS status_at
                       FROM portal_statuses GROUP BY doc_id) last USING (doc_id)
            WHERE last.doc_id IS NULL OR last.status <> i.status
                  OR last.status_at IS DISTINCT FROM i.status_at
            ON CONFLICT DO NOTHING
            """
        ).fetchall()[0][0]
    finally:
        con.unregister("incoming_statuses")


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.timezone.utc) if value is not None else None


# Documents follow-up has to read: never read in their current content, or read, left out of
# every thread, and corrected by an analyst since into a step of an issue (a report, an answer,
# a remedy): linking reads them again with the analyst's role.
_TODO = """
    FROM documents d
    JOIN enrichments e ON {matches}
    LEFT JOIN doc_roles r ON r.doc_id = d.doc_id AND r.content_hash = d.content_hash
    LEFT JOIN role_labels l ON l.doc_id = d.doc_id AND l.labeled_at <= $now
    WHERE d.published_at <= $now AND d.fetched_at <= $now
      AND (r.doc_id IS NULL
           OR (l.role <> 'none' AND l.labeled_at > r.decided_at
               AND NOT EXISTS (SELECT 1 FROM thread_members m WHERE m.doc_id = d.doc_id)))
""".format(matches=MATCHES_CONTENT)


def pending_documents(con: duckdb.DuckDBPyConnection, now: dt.datetime, limit: int) -> pd.DataFrame:
    """Enriched documents published and fetched by `now` that follow-up has to read (see _TODO),
    oldest first, with what linking needs: their enrichment (topics with scores, provinces,
    story), the analyst's role if one was given by `now`, and whether they already belong to a
    thread."""
    return con.execute(
        f"""
        WITH todo AS (
            SELECT DISTINCT d.doc_id, d.published_at {_TODO}
            ORDER BY d.published_at, d.doc_id
            LIMIT $limit
        )
        SELECT d.doc_id, d.kind, d.source, d.title, d.lead, left(d.text, {TEXT_CHARS}) AS text, d.published_at,
               d.content_hash, e.topics, e.scores, e.provinces, coalesce(e.story_id, d.doc_id) AS story_id,
               coalesce(e.language, 'vi') AS language, m.thread_id, l.role AS analyst_role
        FROM todo JOIN documents d USING (doc_id)
        JOIN ({current_enrichments_sql("e.*", "d.doc_id IN (SELECT doc_id FROM todo)")}) e ON e.doc_id = d.doc_id
        LEFT JOIN thread_members m ON m.doc_id = d.doc_id
        LEFT JOIN role_labels l ON l.doc_id = d.doc_id AND l.labeled_at <= $now
        ORDER BY d.published_at, d.doc_id
        """,
        {"now": now, "limit": limit},
    ).df()


def count_pending(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> int:
    return con.execute(f"SELECT count(DISTINCT d.doc_id) {_TODO}", {"now": now}).fetchall()[0][0]


def active_threads(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> pd.DataFrame:
    """Threads with a document published since `since` (those a new document may still join)."""
    return con.execute(
        """
        SELECT thread_id, topic, province, topics, CAST(names AS VARCHAR) AS names, CAST(words AS VARCHAR) AS words,
               opened_by, first_published_at, last_published_at, documents, coalesce(companies, []) AS companies
        FROM issue_threads WHERE last_published_at >= ?
        """,
        [since],
    ).df()


def thread_stories(con: duckdb.DuckDBPyConnection, thread_ids: Sequence[str]) -> dict[str, str]:
    """story id -> thread id for the stories of these threads."""
    if not thread_ids:
        return {}
    rows = con.execute(
        "SELECT story_id, arg_min(thread_id, linked_at) FROM thread_members "
        "WHERE thread_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY story_id",
        [list(thread_ids)],
    ).fetchall()
    return dict(rows)


def write_roles(con: duckdb.DuckDBPyConnection, rows: list[dict], decided_at: dt.datetime) -> None:
    if not rows:
        return
    table = pa.table({
        "doc_id": [r["doc_id"] for r in rows],
        "content_hash": [r["content_hash"] for r in rows],
        "role": [r["role"] for r in rows],
        "detail": [r["detail"] for r in rows],
        "confidence": pa.array([r["confidence"] for r in rows], type=pa.float64()),
        "model_version": [r["model_version"] for r in rows],
    })
    register(con, "new_roles", table)
    try:
        con.execute("INSERT OR REPLACE INTO doc_roles SELECT *, ? FROM new_roles", [decided_at])
    finally:
        con.unregister("new_roles")


def write_links(con: duckdb.DuckDBPyConnection, members: list[dict], threads: list[dict], linked_at: dt.datetime) -> None:
    """New members (a document already in a thread is never moved) and the threads they changed."""
    with transaction(con):
        if threads:
            table = pa.table({
                "thread_id": [t["thread_id"] for t in threads],
                "topic": [t["topic"] for t in threads],
                "province": [t["province"] for t in threads],
                "topics": pa.array([sorted(t["topics"]) for t in threads], type=pa.list_(pa.string())),
                "names": [json.dumps(t["names"], ensure_ascii=False, sort_keys=True) for t in threads],
                "words": [json.dumps(t["words"], ensure_ascii=False, sort_keys=True) for t in threads],
                "opened_by": [t["opened_by"] for t in threads],
                "first_published_at": pa.array([_utc(t["first_at"]) for t in threads], type=pa.timestamp("us", tz="UTC")),
                "last_published_at": pa.array([_utc(t["last_at"]) for t in threads], type=pa.timestamp("us", tz="UTC")),
                "documents": pa.array([t["documents"] for t in threads], type=pa.int32()),
                "companies": pa.array([sorted(t["companies"]) for t in threads], type=pa.list_(pa.string())),
            })
            register(con, "changed_threads", table)
            try:
                con.execute(
                    """INSERT OR REPLACE INTO issue_threads (thread_id, topic, province, topics, names, words, opened_by,
                              first_published_at, last_published_at, documents, updated_at, companies)
                       SELECT thread_id, topic, province, topics, CAST(names AS JSON), CAST(words AS JSON), opened_by,
                              first_published_at, last_published_at, documents, ?, companies FROM changed_threads""",
                    [linked_at])
            finally:
                con.unregister("changed_threads")
        if members:
            table = pa.table({
                "doc_id": [m["doc_id"] for m in members],
                "thread_id": [m["thread_id"] for m in members],
                "story_id": [m["story_id"] for m in members],
                "how": [m["how"] for m in members],
                "score": pa.array([m["score"] for m in members], type=pa.float64()),
            })
            register(con, "new_members", table)
            try:
                con.execute("INSERT INTO thread_members SELECT *, ? FROM new_members ON CONFLICT DO NOTHING", [linked_at])
            finally:
                con.unregister("new_members")


# ---------------------------------------------------------------- reading threads as of a moment

def thread_documents(con: duckdb.DuckDBPyConnection, now: dt.datetime, thread_ids: Sequence[str] | None = None,
                     active_since: dt.datetime | None = None, raised_before: dt.datetime | None = None,
                     topics: Sequence[str] | None = None) -> pd.DataFrame:
    """Every member of the threads (all, these, those with a document published since
    `active_since`, those whose first document was published by `raised_before`, those of these
    topics) published and fetched by `now`, with its role and what the timeline shows: title,
    source, kind, the link users get (a forum post's thread)."""
    where, params = ["d.published_at <= $now", "d.fetched_at <= $now"], {"now": now}
    if thread_ids is not None:
        where.append("m.thread_id IN (SELECT unnest($ids::VARCHAR[]))")
        params["ids"] = list(thread_ids)
    if active_since is not None:
        where.append("t.last_published_at >= $since")
        params["since"] = active_since
    if raised_before is not None:
        where.append("t.first_published_at <= $before")
        params["before"] = raised_before
    if topics is not None:
        where.append("t.topic IN (SELECT unnest($topics::VARCHAR[]))")
        params["topics"] = list(topics)
    return con.execute(
        f"""
        SELECT m.thread_id, t.topic, t.province, d.doc_id, d.kind, d.source, d.title,
               coalesce(d.thread_url, d.url) AS url, d.published_at, d.fetched_at, m.story_id,
               {ROLE_COLUMNS}
        FROM thread_members m
        JOIN issue_threads t USING (thread_id)
        JOIN documents d ON d.doc_id = m.doc_id
        {role_joins("m.doc_id")}
        WHERE {' AND '.join(where)}
        ORDER BY m.thread_id, d.published_at, d.doc_id
        """,
        params,
    ).df()


def portal_observations(con: duckdb.DuckDBPyConnection, now: dt.datetime, doc_ids: Sequence[str]) -> pd.DataFrame:
    """Statuses seen by `now` of these petitions (a status dated after `now` is not yet true)."""
    if not len(doc_ids):
        return pd.DataFrame(columns=["doc_id", "status", "status_at", "observed_at"])
    return con.execute(
        """
        SELECT doc_id, status, status_at, observed_at FROM portal_statuses
        WHERE observed_at <= $now AND coalesce(status_at, observed_at) <= $now
              AND doc_id IN (SELECT unnest($ids::VARCHAR[]))
        ORDER BY doc_id, observed_at
        """,
        {"now": now, "ids": list(doc_ids)},
    ).df()


def threads_of_documents(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> dict[str, str]:
    """doc id -> thread id, for those of these documents that belong to a thread."""
    if not doc_ids:
        return {}
    return dict(con.execute(
        "SELECT doc_id, thread_id FROM thread_members WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(doc_ids)],
    ).fetchall())


def role_of(con: duckdb.DuckDBPyConnection, doc_id: str, now: dt.datetime) -> tuple[str, str | None, bool] | None:
    """(role, detail, corrected by an analyst) of a document as of `now`; None when follow-up
    has neither read nor been told it."""
    rows = con.execute(
        f"""SELECT {ROLE_COLUMNS}, r.doc_id IS NOT NULL OR l.doc_id IS NOT NULL AS known
            FROM (SELECT $doc AS doc_id) q {role_joins("q.doc_id")}""",
        {"doc": doc_id, "now": now},
    ).fetchall()
    return rows[0][:3] if rows and rows[0][3] else None


# ---------------------------------------------------------------- analysts' role corrections

# The one place a document's role is decided for everything that reads it (states, the issue
# page, `dulun followup --list`, rates, digests, unanswered alerts): the analyst's latest
# correction made by $now, else the model's. The model's detail (what kind of answer) is kept
# only when the analyst agreed with its role.
ROLE_COLUMNS = """coalesce(l.role, r.role, 'none') AS role,
               CASE WHEN l.role IS NULL OR l.role = r.role THEN r.detail END AS detail,
               l.role IS NOT NULL AS corrected"""


def role_joins(doc_id_column: str) -> str:
    return (f"LEFT JOIN doc_roles r ON r.doc_id = {doc_id_column} "
            f"LEFT JOIN role_labels l ON l.doc_id = {doc_id_column} AND l.labeled_at <= $now")


def role_labels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every analyst's role correction (doc_id, role, labeled_at): what a role model could learn from."""
    return con.execute("SELECT doc_id, role, labeled_at FROM role_labels ORDER BY labeled_at, doc_id").df()


def unsure_roles(con: duckdb.DuckDBPyConnection, now: dt.datetime, since: dt.datetime, limit: int) -> pd.DataFrame:
    """Documents of issue threads published since `since` (and fetched by `now`) whose role the
    model was least sure of, no analyst having corrected it yet: what an analyst's correction
    teaches the role model most (least sure first)."""
    return con.execute(
        """SELECT m.thread_id, d.doc_id, d.title, d.published_at, d.source, d.kind, r.role, r.confidence
           FROM thread_members m JOIN documents d USING (doc_id) JOIN doc_roles r USING (doc_id)
           LEFT JOIN role_labels l USING (doc_id)
           WHERE l.doc_id IS NULL AND d.published_at >= $since AND d.published_at <= $now AND d.fetched_at <= $now
           ORDER BY r.confidence NULLS FIRST, d.published_at DESC, d.doc_id
           LIMIT $limit""",
        {"now": now, "since": since, "limit": limit},
    ).df()


def role_labeled_documents(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Analysts' role corrections with the text they describe (documents whose text retention
    kept), for training the role model: `id`, `title`, `sapo`, `text`, `role`."""
    rows = con.execute(
        """SELECT l.doc_id, d.title, d.lead, d.text, l.role
           FROM role_labels l JOIN documents d USING (doc_id)
           ORDER BY l.labeled_at, l.doc_id"""
    ).fetchall()
    return [dict(zip(("id", "title", "sapo", "text", "role"), r)) for r in rows]


def thread_of_story(con: duckdb.DuckDBPyConnection, story_id: str) -> str | None:
    rows = con.execute("SELECT arg_min(thread_id, linked_at) FROM thread_members WHERE story_id = ?", [story_id]).fetchall()
    return rows[0][0] if rows else None


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How many documents have a role (and an analyst's correction), threads, members, portal statuses (for `dulun status`)."""
    row = con.execute(
        """SELECT (SELECT count(*) FROM doc_roles), (SELECT count(*) FROM role_labels), (SELECT count(*) FROM issue_threads),
                  (SELECT count(*) FROM thread_members), (SELECT count(*) FROM portal_statuses)"""
    ).fetchall()[0]
    return dict(zip(("roles", "role_labels", "threads", "members", "portal_statuses"), row))
