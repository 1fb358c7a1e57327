"""Documents: batched, idempotent upserts that keep earlier versions of changed pages."""
from __future__ import annotations

import datetime as dt
from typing import Sequence

import duckdb
import pyarrow as pa

from store.db import transaction
from core.records import Document, UpsertCounts

_COLUMNS = [
    ("doc_id", pa.string()),
    ("source", pa.string()),
    ("kind", pa.string()),
    ("url", pa.string()),
    ("title", pa.string()),
    ("lead", pa.string()),
    ("text", pa.string()),
    ("byline", pa.string()),
    ("author_hash", pa.string()),
    ("published_at", pa.timestamp("us", tz="UTC")),
    ("fetched_at", pa.timestamp("us", tz="UTC")),
    ("language", pa.string()),
    ("content_hash", pa.string()),
    ("default_province", pa.string()),
    ("thread_url", pa.string()),
]
_SCHEMA = pa.schema(_COLUMNS)
_NAMES = [name for name, _ in _COLUMNS]


def documents_table(docs: Sequence[Document]) -> pa.Table:
    """An Arrow table of the batch; the last copy of a repeated URL wins."""
    latest: dict[str, Document] = {}
    for doc in docs:
        latest[doc.doc_id] = doc
    rows = list(latest.values())
    columns = {
        "doc_id": [d.doc_id for d in rows],
        "source": [d.source for d in rows],
        "kind": [d.kind for d in rows],
        "url": [d.url for d in rows],
        "title": [d.title for d in rows],
        "lead": [d.lead for d in rows],
        "text": [d.text for d in rows],
        "byline": [d.byline for d in rows],
        "author_hash": [d.author_hash for d in rows],
        "published_at": [_utc(d.published_at) for d in rows],
        "fetched_at": [_utc(d.fetched_at) for d in rows],
        "language": [d.language for d in rows],
        "content_hash": [d.content_hash for d in rows],
        "default_province": [d.default_province for d in rows],
        "thread_url": [d.thread_url for d in rows],
    }
    return pa.table(columns, schema=_SCHEMA)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.timezone.utc) if value is not None else None


def upsert_documents(con: duckdb.DuckDBPyConnection, docs: Sequence[Document]) -> UpsertCounts:
    """Insert new documents, update changed ones (keeping the old version), skip unchanged ones.

    Set-based: the batch goes in as one Arrow table; three statements in one transaction.
    """
    if not docs:
        return UpsertCounts()
    return upsert_documents_table(con, documents_table(docs))


def upsert_documents_table(con: duckdb.DuckDBPyConnection, incoming: pa.Table) -> UpsertCounts:
    con.register("incoming_docs", incoming)
    try:
        with transaction(con):
            inserted, updated, unchanged = con.execute(
                """
                SELECT
                    count(*) FILTER (WHERE d.doc_id IS NULL),
                    count(*) FILTER (WHERE d.doc_id IS NOT NULL AND d.content_hash <> i.content_hash),
                    count(*) FILTER (WHERE d.doc_id IS NOT NULL AND d.content_hash = i.content_hash)
                FROM incoming_docs i LEFT JOIN documents d USING (doc_id)
                """
            ).fetchall()[0]
            con.execute(
                """
                INSERT INTO document_versions
                SELECT d.doc_id, d.version, d.title, d.lead, d.text, d.published_at, d.content_hash,
                       d.fetched_at, now()
                FROM documents d JOIN incoming_docs i USING (doc_id)
                WHERE d.content_hash <> i.content_hash
                """
            )
            columns = ", ".join(_NAMES)
            con.execute(
                f"""
                INSERT INTO documents ({columns}, updated_at, version)
                SELECT {columns}, fetched_at, 1 FROM incoming_docs
                ON CONFLICT (doc_id) DO UPDATE SET
                    title = excluded.title,
                    lead = excluded.lead,
                    text = excluded.text,
                    byline = excluded.byline,
                    published_at = coalesce(excluded.published_at, documents.published_at),
                    fetched_at = excluded.fetched_at,
                    updated_at = excluded.fetched_at,
                    language = excluded.language,
                    content_hash = excluded.content_hash,
                    version = documents.version + 1
                WHERE documents.content_hash <> excluded.content_hash
                """
            )
    finally:
        con.unregister("incoming_docs")
    return UpsertCounts(inserted=inserted, updated=updated, unchanged=unchanged)


def stored_by_other_sources(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str], source: str) -> dict[str, str]:
    """doc_id -> the source that stored it, for those of `doc_ids` another source already holds."""
    if not doc_ids:
        return {}
    rows = con.execute(
        "SELECT doc_id, source FROM documents WHERE doc_id IN (SELECT unnest(?::VARCHAR[])) AND source <> ?",
        [list(doc_ids), source],
    ).fetchall()
    return dict(rows)

