"""Digests' SQL: the stories of a window, the day's totals, places new to a topic, source health.

Reads `documents` and `enrichments` (each document's current enrichment, as store/current.py
defines it), `hotspots`, `crawl_runs`, `fetch_failures` and `sources`; writes `digests`.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from core.timeutil import vn_midnight
from store.current import TOPIC_PLACE_ROWS, current_enrichments_sql
from store.db import register, transaction

_CURRENT_IN_WINDOW = current_enrichments_sql("e.doc_id, e.topics, e.story_id",
                                             "d.published_at >= $start AND d.published_at < $end")


def top_stories(
    con: duckdb.DuckDBPyConnection, start: dt.datetime, end: dt.datetime,
    cells: Sequence[tuple[str, str | None]] | None = None, per_group: int = 5, as_of: dt.datetime | None = None,
) -> pd.DataFrame:
    """The stories published in [start, end), grouped by topic (and by province when `cells` are
    given), best first: most outlets, then most documents. Each row carries the representative
    headline (the earliest item's title), every item's source and link, and when the story was
    first seen (over all time, not just this window). With `as_of`, only documents fetched by
    then exist (a replay)."""
    params = {"start": start, "end": end, "n": per_group, "as_of": as_of}
    topic_place_rows = TOPIC_PLACE_ROWS + " AND ($as_of IS NULL OR d.fetched_at <= $as_of)"
    if cells is not None:
        wanted = pa.table({"topic": [c[0] for c in cells], "province": [c[1] for c in cells]})
        register(con, "wanted_cells", wanted)
        group = "topic, province"
        rows_sql = f"SELECT r.* FROM ({topic_place_rows}) r JOIN wanted_cells w USING (topic, province)"
    else:
        group = "topic"
        # A story counts once per topic however many provinces it names.
        rows_sql = f"SELECT DISTINCT doc_id, source, url, title, published_at, story, topic FROM ({topic_place_rows})"
    try:
        return con.execute(
            f"""
            WITH rows AS ({rows_sql}),
            stories AS (
                SELECT {group}, story,
                       arg_min(title, published_at) AS headline,
                       count(DISTINCT source) AS outlets,
                       count(DISTINCT doc_id) AS documents,
                       list(DISTINCT {{'source': source, 'url': url, 'title': title}}) AS links
                FROM rows GROUP BY ALL
            ),
            ranked AS (
                SELECT *, row_number() OVER (PARTITION BY {group} ORDER BY outlets DESC, documents DESC, headline) AS rank
                FROM stories
            ),
            first_seen AS (
                SELECT coalesce(e.story_id, e.doc_id) AS story, min(d.published_at) AS first_seen
                FROM enrichments e JOIN documents d USING (doc_id)
                WHERE coalesce(e.story_id, e.doc_id) IN (SELECT story FROM ranked WHERE rank <= $n)
                  AND ($as_of IS NULL OR d.fetched_at <= $as_of)
                GROUP BY 1
            )
            SELECT r.*, f.first_seen FROM ranked r LEFT JOIN first_seen f USING (story)
            WHERE rank <= $n ORDER BY {group}, rank
            """,
            params,
        ).df()
    finally:
        if cells is not None:
            con.unregister("wanted_cells")


def daily_totals(con: duckdb.DuckDBPyConnection, day: dt.date, trailing_days: int = 7) -> pd.DataFrame:
    """Documents, stories and sources per day for `day` and the `trailing_days` before it, plus
    per topic (topic NULL = all documents)."""
    start = vn_midnight(day - dt.timedelta(days=trailing_days))
    end = vn_midnight(day + dt.timedelta(days=1))
    return con.execute(
        f"""
        WITH docs AS (
            SELECT d.doc_id, d.source, CAST(d.published_at AS DATE) AS published_day,
                   coalesce(e.story_id, d.doc_id) AS story, coalesce(e.topics, []) AS topics
            FROM documents d
            LEFT JOIN ({_CURRENT_IN_WINDOW}) e ON e.doc_id = d.doc_id
            WHERE d.published_at >= $start AND d.published_at < $end
        ),
        by_topic AS (
            SELECT published_day, CAST(NULL AS VARCHAR) AS topic, count(DISTINCT doc_id) AS documents,
                   count(DISTINCT story) AS stories, count(DISTINCT source) AS sources
            FROM docs GROUP BY ALL
            UNION ALL
            SELECT published_day, t.topic, count(DISTINCT doc_id), count(DISTINCT story), count(DISTINCT source)
            FROM docs CROSS JOIN unnest(docs.topics) AS t(topic) GROUP BY ALL
        )
        SELECT * FROM by_topic ORDER BY published_day, topic
        """,
        {"start": start, "end": end},
    ).df()


def new_places(con: duckdb.DuckDBPyConnection, day: dt.date, lookback_days: int) -> pd.DataFrame:
    """(topic, province) pairs seen on `day` and never in the `lookback_days` before it."""
    start = vn_midnight(day - dt.timedelta(days=lookback_days))
    end = vn_midnight(day + dt.timedelta(days=1))
    return con.execute(
        f"""
        WITH rows AS ({TOPIC_PLACE_ROWS})
        SELECT topic, province, count(DISTINCT doc_id) AS documents, count(DISTINCT story) AS stories,
               arg_min(title, published_at) AS headline, arg_min(url, published_at) AS url
        FROM rows
        GROUP BY topic, province
        HAVING min(published_day) = $day
        ORDER BY stories DESC, topic, province
        """,
        {"start": start, "end": end, "day": day},
    ).df()


def source_health(con: duckdb.DuckDBPyConnection, now: dt.datetime, silent_days: int) -> pd.DataFrame:
    """Sources whose last crawl run failed or had failed pages, or that stored nothing new for
    `silent_days` days. Sources come from `sources` and from anything that ever ran or stored."""
    return con.execute(
        """
        WITH names AS (
            SELECT name AS source FROM sources
            UNION SELECT source FROM crawl_runs
            UNION SELECT DISTINCT source FROM documents
        ),
        last_run AS (
            SELECT run_id, source, status, started_at, pages_failed, failures
            FROM crawl_runs QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC) = 1
        ),
        causes AS (
            SELECT f.source, string_agg(f.cause || ' ×' || f.n, ', ' ORDER BY f.n DESC) AS causes
            FROM (SELECT fetch_failures.source, cause, count(*) AS n FROM fetch_failures
                  JOIN last_run l ON l.source = fetch_failures.source
                  WHERE fetch_failures.run_id = l.run_id
                     OR (fetch_failures.run_id IS NULL AND fetch_failures.failed_at >= l.started_at)
                  GROUP BY ALL) f
            GROUP BY f.source
        ),
        newest AS (SELECT source, max(fetched_at) AS last_new FROM documents GROUP BY source)
        SELECT n.source, l.status AS last_status, l.started_at AS last_run_at,
               coalesce(l.pages_failed, 0) AS pages_failed, c.causes, w.last_new,
               CASE WHEN l.status IN ('failed', 'interrupted') THEN 'failed'
                    WHEN coalesce(l.pages_failed, 0) > 0 THEN 'errors'
                    ELSE 'silent' END AS problem
        FROM names n
        LEFT JOIN last_run l USING (source)
        LEFT JOIN causes c USING (source)
        LEFT JOIN newest w USING (source)
        WHERE l.status IN ('failed', 'interrupted') OR coalesce(l.pages_failed, 0) > 0
           OR w.last_new IS NULL OR w.last_new < $cutoff
        ORDER BY problem, n.source
        """,
        {"cutoff": now - dt.timedelta(days=silent_days)},
    ).df()


def record_digest(
    con: duckdb.DuckDBPyConnection, kind: str, period: str, html_path: str, md_path: str, json_path: str,
    summary: dict[str, Any],
) -> None:
    """One row per (kind, period): writing the same digest again replaces its row."""
    with transaction(con):
        con.execute("DELETE FROM digests WHERE kind = ? AND period = ?", [kind, period])
        con.execute(
            "INSERT INTO digests VALUES (?, ?, now(), ?, ?, ?, ?)",
            [kind, period, html_path, md_path, json_path, json.dumps(summary, ensure_ascii=False)],
        )
