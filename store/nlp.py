"""The NLP stage's SQL: pending documents, enrichments, story signatures, models, labels.

Every write is set-based: rows go in as an Arrow table and one INSERT ... SELECT.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Sequence

import duckdb
import pyarrow as pa

from core.records import DocInput, Enrichment, StorySignature
from store.db import register, transaction


def pending_documents(con: duckdb.DuckDBPyConnection, limit: int) -> list[DocInput]:
    """Documents with no enrichment describing their current content, oldest first.

    The ids are chosen first and the texts fetched for those only: sorting the text columns of
    every pending document made DuckDB hold the whole backlog's text in memory.
    """
    rows = con.execute(
        """
        WITH next AS (
            SELECT d.doc_id, d.published_at
            FROM documents d
            LEFT JOIN current_enrichments e ON e.doc_id = d.doc_id
            WHERE e.doc_id IS NULL
            ORDER BY d.published_at NULLS LAST, d.doc_id
            LIMIT ?
        )
        SELECT d.doc_id, d.title, d.lead, d.text, d.default_province, d.kind, d.published_at, d.url, d.content_hash
        FROM next JOIN documents d USING (doc_id)
        ORDER BY next.published_at NULLS LAST, d.doc_id
        """,
        [limit],
    ).fetchall()
    return [DocInput(doc_id, title or "", lead or "", text or "", province, kind, published_at, url, content_hash)
            for doc_id, title, lead, text, province, kind, published_at, url, content_hash in rows]


def count_pending(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(
        "SELECT count(*) FROM documents d LEFT JOIN current_enrichments e ON e.doc_id = d.doc_id WHERE e.doc_id IS NULL"
    ).fetchone()[0]


def write_enrichments(con: duckdb.DuckDBPyConnection, rows: Sequence[Enrichment], enriched_at: dt.datetime) -> int:
    if not rows:
        return 0
    table = pa.table({
        "doc_id": [r.doc_id for r in rows],
        "model_version": [r.model_version for r in rows],
        "content_hash": [r.content_hash for r in rows],
        "language": [r.language for r in rows],
        "topics": pa.array([r.topics for r in rows], type=pa.list_(pa.string())),
        "scores": [json.dumps(r.scores, ensure_ascii=False) for r in rows],
        "provinces": pa.array([r.provinces for r in rows], type=pa.list_(pa.string())),
        "story_id": [r.story_id for r in rows],
    })
    register(con, "nlp_new_enrichments", table)
    try:
        with transaction(con):
            con.execute(
                """
                INSERT OR REPLACE INTO enrichments
                    (doc_id, model_version, content_hash, language, topics, scores, provinces, story_id, enriched_at, seq)
                SELECT doc_id, model_version, content_hash, language, topics, CAST(scores AS JSON),
                       provinces, story_id, ?, nextval('enrichment_seq') FROM nlp_new_enrichments
                """,
                [enriched_at],
            )
            # `seq` is set explicitly: a replaced row keeps its old number otherwise, and the
            # detection index finds what changed by that number.
            # One enrichment per document: a re-tagged document's older tags go, so readers
            # (hot spots over millions of rows) never have to rank versions.
            con.execute(
                """
                DELETE FROM enrichments e USING nlp_new_enrichments n
                WHERE e.doc_id = n.doc_id AND e.model_version <> n.model_version
                """
            )
    finally:
        con.unregister("nlp_new_enrichments")
    return len(rows)


def recent_signatures(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> list[tuple[str, str, str, bytes]]:
    """(doc_id, story_id, text_key, signature bytes) of documents indexed since `since`, oldest first."""
    return con.execute(
        "SELECT doc_id, story_id, text_key, signature FROM nlp_story_signatures WHERE indexed_at >= ? ORDER BY indexed_at, doc_id",
        [since],
    ).fetchall()


def forget_signatures_before(con: duckdb.DuckDBPyConnection, cutoff: dt.datetime) -> int:
    """Drop story signatures indexed before `cutoff`: nothing older can join a new story, and
    the table would otherwise grow by one row per document forever."""
    return con.execute("DELETE FROM nlp_story_signatures WHERE indexed_at < ?", [cutoff]).fetchall()[0][0]


def write_signatures(con: duckdb.DuckDBPyConnection, rows: Sequence[StorySignature], indexed_at: dt.datetime) -> None:
    if not rows:
        return
    table = pa.table({
        "doc_id": [r.doc_id for r in rows],
        "story_id": [r.story_id for r in rows],
        "text_key": [r.text_key for r in rows],
        "signature": pa.array([r.signature for r in rows], type=pa.binary()),
    })
    register(con, "nlp_new_signatures", table)
    try:
        con.execute(
            "INSERT OR REPLACE INTO nlp_story_signatures SELECT doc_id, story_id, text_key, signature, ? FROM nlp_new_signatures",
            [indexed_at],
        )
    finally:
        con.unregister("nlp_new_signatures")


def record_model(con: duckdb.DuckDBPyConnection, kind: str, version: str, path: str, provenance: dict,
                 created_at: dt.datetime) -> None:
    """`kind` names the stage the model serves ('topics', 'roles'): what its labels wait for."""
    con.execute(
        "INSERT OR REPLACE INTO models (model_version, created_at, path, provenance, kind) VALUES (?, ?, ?, CAST(? AS JSON), ?)",
        [version, created_at, path, json.dumps(provenance, ensure_ascii=False), kind],
    )


def labeled_documents(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Analysts' labels with the text they describe (documents whose text retention kept)."""
    rows = con.execute(
        """
        SELECT l.doc_id, d.title, d.lead, d.text, l.topics, coalesce(l.provinces, [])
        FROM labels l JOIN documents d USING (doc_id)
        ORDER BY l.labeled_at, l.doc_id
        """
    ).fetchall()
    return [dict(zip(("id", "title", "sapo", "text", "topics", "provinces"), r)) for r in rows]


def unlabeled_sample(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict]:
    """Crawled documents with text and no analyst label, for weak supervision."""
    rows = con.execute(
        """
        SELECT d.doc_id, d.title, d.lead, d.text FROM documents d
        LEFT JOIN labels l USING (doc_id)
        WHERE l.doc_id IS NULL AND d.text IS NOT NULL
        ORDER BY d.doc_id LIMIT ?
        """,
        [limit],
    ).fetchall()
    return [dict(zip(("id", "title", "sapo", "text"), r)) for r in rows]


def uncertain_candidates(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict]:
    """Enriched, unlabeled Vietnamese documents with their scores (the caller ranks uncertainty)."""
    rows = con.execute(
        """
        SELECT d.doc_id, d.title, d.lead, d.text, e.scores, e.topics, e.provinces
        FROM documents d JOIN current_enrichments e USING (doc_id)
        LEFT JOIN labels l USING (doc_id)
        WHERE l.doc_id IS NULL AND coalesce(e.language, 'vi') = 'vi'
        ORDER BY e.enriched_at DESC, d.doc_id LIMIT ?
        """,
        [limit],
    ).fetchall()
    keys = ("doc_id", "title", "lead", "text", "scores", "topics", "provinces")
    out = []
    for row in rows:
        item = dict(zip(keys, row))
        item["scores"] = json.loads(item["scores"]) if isinstance(item["scores"], str) else (item["scores"] or {})
        out.append(item)
    return out


def write_labels(con: duckdb.DuckDBPyConnection, rows: list[dict], labeled_at: dt.datetime) -> int:
    if not rows:
        return 0
    table = pa.table({
        "doc_id": [r["doc_id"] for r in rows],
        "topics": pa.array([r["topics"] for r in rows], type=pa.list_(pa.string())),
        "provinces": pa.array([r.get("provinces") for r in rows], type=pa.list_(pa.string())),
    })
    register(con, "nlp_new_labels", table)
    try:
        con.execute("INSERT OR REPLACE INTO labels SELECT doc_id, topics, provinces, ? FROM nlp_new_labels", [labeled_at])
    finally:
        con.unregister("nlp_new_labels")
    return len(rows)
