"""Read-only queries behind the analysis notebooks (`pipeline/analysis.py` calls these).

Every query is aggregate or document-level; none selects `byline` or `author_hash` except to
count distinct voices. Each returns a pandas DataFrame (fully fetched: DuckDB 2 refuses further
work on a connection whose last result is only partly read).
"""
from __future__ import annotations

import duckdb
import pandas as pd

# What every weekly count means, for cells and for totals alike (a story = its cluster), and
# the rows they count.
_WEEKLY_COUNTS_FROM = """\
               count(DISTINCT p.doc_id) AS documents,
               count(DISTINCT coalesce(p.story_id, p.doc_id)) AS stories,
               count(DISTINCT p.source) AS sources,
               count(DISTINCT d.author_hash) AS voices
        FROM document_topic_places p JOIN documents d USING (doc_id)
        WHERE ? IS NULL OR p.iso_week >= ?"""


def weekly_cells(con: duckdb.DuckDBPyConnection, first_week: str | None = None) -> pd.DataFrame:
    """Documents, stories, sources and distinct voices per (ISO week, topic, province)."""
    return con.execute(
        f"""
        SELECT p.iso_week, p.topic, p.province,
{_WEEKLY_COUNTS_FROM}
        GROUP BY ALL
        ORDER BY 1, 2, 3
        """,
        [first_week, first_week],
    ).df()


def weekly_totals(con: duckdb.DuckDBPyConnection, first_week: str | None = None) -> pd.DataFrame:
    """The same counts per (week, topic) over all provinces and per (week, province) over all
    topics, marked '(all)'. Distinct counts, so a story naming two provinces counts once."""
    return con.execute(
        f"""
        SELECT p.iso_week,
               CASE WHEN grouping(p.topic) = 1 THEN '(all)' ELSE p.topic END AS topic,
               CASE WHEN grouping(p.province) = 1 THEN '(all)' ELSE p.province END AS province,
{_WEEKLY_COUNTS_FROM}
        GROUP BY GROUPING SETS ((p.iso_week, p.topic), (p.iso_week, p.province))
        ORDER BY 1, 2, 3
        """,
        [first_week, first_week],
    ).df()


def hotspot_rows(
    con: duckdb.DuckDBPyConnection, topic: str | None = None, province: str | None = None
) -> pd.DataFrame:
    """Stored hot-spot rows (all cells, or one topic and/or province), oldest week first."""
    return con.execute(
        """
        SELECT iso_week, week_start, topic, province, documents, stories, sources,
               baseline, score, p_value, level, computed_at
        FROM hotspots
        WHERE (? IS NULL OR topic = ?) AND (? IS NULL OR province = ?)
        ORDER BY iso_week, topic, province
        """,
        [topic, topic, province, province],
    ).df()


def document_weeks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every ISO week (Asia/Ho_Chi_Minh) in which a stored document was published."""
    return [row[0] for row in con.execute(
        "SELECT DISTINCT strftime(published_at, '%G-W%V') AS w FROM documents"
        " WHERE published_at IS NOT NULL ORDER BY w"
    ).fetchall()]


def cell_documents(
    con: duckdb.DuckDBPyConnection, topic: str, province: str, weeks: list[str], with_text: bool = False
) -> pd.DataFrame:
    """The documents of one topic x province cell in the given weeks (no bylines, no authors)."""
    text_columns = ", d.lead, d.text" if with_text else ""
    return con.execute(
        f"""
        SELECT DISTINCT p.iso_week, p.published_at, p.source, p.kind, p.title, p.url,
               coalesce(p.story_id, p.doc_id) AS story_id, p.doc_id{text_columns}
        FROM document_topic_places p JOIN documents d USING (doc_id)
        WHERE p.topic = ? AND p.province = ? AND list_contains(?, p.iso_week)
        ORDER BY p.published_at, p.doc_id
        """,
        [topic, province, weeks],
    ).df()


def topic_texts(con: duckdb.DuckDBPyConnection, topic: str, weeks: list[str]) -> pd.DataFrame:
    """Title, lead and text of every document of a topic in the given weeks, any province."""
    return con.execute(
        """
        SELECT DISTINCT p.doc_id, p.iso_week, d.title, d.lead, d.text
        FROM document_topic_places p JOIN documents d USING (doc_id)
        WHERE p.topic = ? AND list_contains(?, p.iso_week)
        """,
        [topic, weeks],
    ).df()


def analyst_labels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Analyst labels next to the current enrichment of the same document."""
    return con.execute(
        """
        SELECT l.doc_id, d.title, d.source, d.kind, l.topics AS label_topics,
               e.topics AS model_topics, e.scores, e.model_version
        FROM labels l
        JOIN documents d USING (doc_id)
        LEFT JOIN current_enrichments e USING (doc_id)
        ORDER BY l.doc_id
        """
    ).df()


def enriched_documents(con: duckdb.DuckDBPyConnection, with_text: bool = False) -> pd.DataFrame:
    """Every document with its current enrichment: topics, topic scores, model version."""
    text_columns = ", d.lead, d.text" if with_text else ""
    return con.execute(
        f"""
        SELECT d.doc_id, d.source, d.kind, d.url, d.title, d.published_at,
               e.topics, e.scores, e.provinces, e.model_version{text_columns}
        FROM documents d JOIN current_enrichments e USING (doc_id)
        ORDER BY d.published_at, d.doc_id
        """
    ).df()


def models(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT model_version, created_at, path, provenance FROM models ORDER BY created_at"
    ).df()


def table_sizes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = ("documents", "enrichments", "hotspots", "labels", "models", "issue_threads")
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}


def latest_fetch(con: duckdb.DuckDBPyConnection):
    """When the newest document was fetched: the moment the data describes."""
    return con.execute("SELECT max(fetched_at) FROM documents").fetchall()[0][0]
