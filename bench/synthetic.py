"""Made-up documents and enrichments for the tests and the benchmarks, written straight to DuckDB.

These write SQL outside store/ on purpose: they fabricate rows no stage would write (several
enrichments of one document, five million documents made in SQL with range()), so they live
with the tests and benchmarks that need them, not in the store the product uses.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Sequence

import duckdb
import pandas as pd

from core.records import Enrichment
from core.timeutil import vn_midnight
from store.db import register, transaction


def insert_enrichments(con: duckdb.DuckDBPyConnection, enrichments: Sequence[Enrichment]) -> None:
    """Enrichment rows as given, several per document allowed (the NLP stage's writer keeps one)."""
    frame = pd.DataFrame({
        "doc_id": [e.doc_id for e in enrichments],
        "model_version": [e.model_version for e in enrichments],
        "content_hash": [e.content_hash for e in enrichments],
        "language": [e.language for e in enrichments],
        "topics": [list(e.topics) for e in enrichments],
        "scores": [json.dumps(e.scores) for e in enrichments],
        "provinces": [list(e.provinces) for e in enrichments],
        "story_id": [e.story_id for e in enrichments],
    })
    register(con, "incoming_enrichments", frame)
    try:
        con.execute(
            """INSERT INTO enrichments (doc_id, model_version, content_hash, language, topics, scores, provinces,
                                         story_id, enriched_at)
               SELECT doc_id, model_version, content_hash, language,
                   CAST(topics AS VARCHAR[]), CAST(scores AS JSON), CAST(provinces AS VARCHAR[]), story_id, now()
               FROM incoming_enrichments"""
        )
    finally:
        con.unregister("incoming_enrichments")


def insert_synthetic_items(con: duckdb.DuckDBPyConnection, items: pd.DataFrame, model_version: str = "sim") -> None:
    """Synthetic documents and their enrichments from a frame with columns doc_id, source,
    published_at (tz-aware), topic, province, story_id, and optionally fetched_at (default: the
    publication time): one document per row (the simulator)."""
    fetched = "fetched_at" if "fetched_at" in items.columns else "published_at"
    register(con, "sim_items", items)
    try:
        with transaction(con):
            con.execute(
                f"""
                INSERT INTO documents (doc_id, source, kind, url, title, published_at, fetched_at, updated_at, content_hash)
                SELECT doc_id, source, 'press', 'https://sim.example/' || doc_id, 'Tin ' || topic || ' ' || province,
                       published_at, {fetched}, {fetched}, 'h' || doc_id
                FROM sim_items
                """
            )
            con.execute(
                """
                INSERT INTO enrichments (doc_id, model_version, content_hash, topics, provinces, story_id, enriched_at)
                SELECT doc_id, $mv, 'h' || doc_id, [topic], [province], story_id, published_at FROM sim_items
                """,
                {"mv": model_version},
            )
    finally:
        con.unregister("sim_items")


def generate_synthetic_corpus(
    con: duckdb.DuckDBPyConnection, n_docs: int, first_day: dt.date, days: int,
    topics: Sequence[str], provinces: Sequence[str], n_sources: int = 200, seed: float = 0.42,
    reenriched_share: float = 0.0, retagged_share: float = 0.0,
) -> None:
    """`n_docs` documents with enrichments made in SQL with range() (the 5-million-row benchmark).
    Provinces get skewed volumes (a few big cities carry most items); about one document in three
    shares a story with another. `reenriched_share` of them get a second, newer enrichment;
    `retagged_share` of them carry a newer model's tags instead (what a retrain leaves, since the
    NLP stage replaces a document's older enrichment)."""
    con.execute("SELECT setseed(?)", [seed])
    params = {
        "n": n_docs, "first": vn_midnight(first_day), "secs": days * 86400,
        "topics": list(topics), "provinces": list(provinces), "nsrc": n_sources,
    }
    with transaction(con):
        con.execute(
            """
            CREATE TEMP TABLE synth AS
            SELECT i,
                   printf('s%012d', i) AS doc_id,
                   'src-' || CAST(floor(random() * $nsrc) AS INTEGER) AS source,
                   $first + to_seconds(CAST(floor(random() * $secs) AS BIGINT)) AS published_at,
                   list_element($topics, 1 + CAST(floor(random() * len($topics)) AS INTEGER)) AS topic,
                   list_element($provinces, 1 + CAST(floor(pow(random(), 2.5) * len($provinces)) AS INTEGER)) AS province,
                   CASE WHEN random() < 0.33 THEN printf('st%010d', i // 3) ELSE NULL END AS story_id
            FROM range($n) r(i)
            """,
            params,
        )
        con.execute(
            """
            INSERT INTO documents (doc_id, source, kind, url, title, published_at, fetched_at, updated_at, content_hash)
            SELECT doc_id, source, 'press', 'https://synth.example/' || doc_id, 'Tin ' || doc_id,
                   published_at, published_at, published_at, 'h' || doc_id FROM synth
            """
        )
        con.execute(
            """
            INSERT INTO enrichments (doc_id, model_version, content_hash, topics, provinces, story_id, enriched_at)
            SELECT doc_id, 'synth', 'h' || doc_id, [topic], [province], story_id, published_at FROM synth
            """
        )
        if reenriched_share > 0:  # a newer model re-tagged some documents: the newest must win
            con.execute(
                """
                INSERT INTO enrichments (doc_id, model_version, content_hash, topics, provinces, story_id, enriched_at)
                SELECT doc_id, 'synth-2', 'h' || doc_id, [topic], [province], story_id, published_at + INTERVAL 1 DAY
                FROM synth WHERE random() < $share
                """,
                {"share": reenriched_share},
            )
        if retagged_share > 0:
            con.execute("UPDATE enrichments SET model_version = 'synth-2' WHERE random() < $share",
                        {"share": retagged_share})
        con.execute("DROP TABLE synth")
