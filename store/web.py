"""Read-only SQL behind the workbench's pages (`dulun serve`).

Aggregate, not people: nothing here groups, filters or sorts by an author; `author_hash` is
never selected, and `byline` only for one press document's own page. The link users get for a
forum post is its thread (`thread_url`), never the post's permalink, which shows its author.
Every query reads a bounded window (a period, a cell, a story, a document), never the whole history row by row.
The daily digest's queries (`store.digests`) are reused as they are for the Today page.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from core.timeutil import vn_midnight
from store.detections import latest_run_at
from store.frames import register


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> pd.DataFrame:
    return con.execute(sql, params or {}).df()


# Each document published in [$start, $end) with its current enrichment (as the
# `current_enrichments` view means it), in one join; narrowed to a topic and/or province
# ($topic, $province; NULL for any) before anything is unnested.
_CURRENT_IN_WINDOW = """
    SELECT * FROM (
        SELECT d.doc_id, d.published_at, d.source, coalesce(e.story_id, d.doc_id) AS story, e.topics, e.provinces
        FROM documents d JOIN enrichments e ON e.doc_id = d.doc_id
        WHERE d.published_at >= $start AND d.published_at < $end AND e.content_hash = d.content_hash
        QUALIFY row_number() OVER (PARTITION BY e.doc_id ORDER BY e.enriched_at DESC, e.model_version DESC) = 1
    ) WHERE ($topic IS NULL OR list_contains(topics, $topic)) AND ($province IS NULL OR list_contains(provinces, $province))
"""


# ---------------------------------------------------------------- hot spots

def hotspot_weeks(con: duckdb.DuckDBPyConnection, limit: int = 26) -> pd.DataFrame:
    """Computed weeks, newest first, with how many cells each level flagged."""
    return _frame(con, """
        SELECT iso_week, any_value(week_start) AS week_start,
               count(*) FILTER (WHERE level IN ('new', 'rising', 'persistent')) AS flagged,
               count(*) FILTER (WHERE level = 'cooling') AS cooling
        FROM hotspots GROUP BY iso_week ORDER BY iso_week DESC LIMIT $n
    """, {"n": limit})


def hotspot_cell(con: duckdb.DuckDBPyConnection, iso_week: str, topic: str, province: str) -> dict | None:
    rows = _frame(con, "SELECT * FROM hotspots WHERE iso_week = $w AND topic = $t AND province = $p",
                  {"w": iso_week, "t": topic, "p": province})
    return None if rows.empty else rows.iloc[0].to_dict()


def cell_history(con: duckdb.DuckDBPyConnection, topic: str, province: str, last_week: str, weeks: int) -> pd.DataFrame:
    """The cell's stored weekly rows up to `last_week` (the levels it had before)."""
    return _frame(con, """
        SELECT iso_week, stories, documents, baseline, level FROM hotspots
        WHERE topic = $t AND province = $p AND iso_week <= $w ORDER BY iso_week DESC LIMIT $n
    """, {"t": topic, "p": province, "w": last_week, "n": weeks})


def cell_daily_counts(con: duckdb.DuckDBPyConnection, topic: str, province: str, first_day: dt.date,
                      last_day: dt.date) -> pd.DataFrame:
    """Stories and documents per day (Asia/Ho_Chi_Minh) of one topic x province cell."""
    return _frame(con, f"""
        SELECT CAST(published_at AS DATE) AS day, count(DISTINCT story) AS stories, count(*) AS documents
        FROM ({_CURRENT_IN_WINDOW}) GROUP BY ALL ORDER BY 1
    """, {"start": vn_midnight(first_day), "end": vn_midnight(last_day + dt.timedelta(days=1)),
          "topic": topic, "province": province})


# ---------------------------------------------------------------- rising now (rolling detection)

def rising_now(con: duckdb.DuckDBPyConnection) -> tuple[dt.datetime | None, pd.DataFrame]:
    """What the newest stored detection run flags, and every open episode: per cell its most
    significant window (stories against the expected count), when the episode opened, when it
    last escalated (an `escalated` alert) and when it was last flagged. Read as stored by the
    detect stage, never recomputed by a page. (run time, rows most significant first)"""
    detected_at = latest_run_at(con)
    rows = _frame(con, """
        WITH best AS (SELECT * FROM detections WHERE best),
        open AS (SELECT * FROM detect_episodes WHERE closed_at IS NULL),
        escalated AS (SELECT episode_id, max(detected_at) AS escalated_at FROM alerts
                      WHERE kind = 'escalated' AND episode_id IN (SELECT episode_id FROM open) GROUP BY ALL)
        SELECT coalesce(b.topic, o.topic) AS topic, coalesce(b.province, o.province) AS province,
               coalesce(b.flagged, false) AS flagged, b.level, b.window_hours, b.stories, b.baseline, b.score,
               b.documents, b.sources, b.detected_at,
               o.episode_id, o.opened_at, o.last_flagged_at, o.open_stories, o.open_window_hours,
               o.week_stories, o.peak_week_stories, x.escalated_at
        FROM best b
        FULL OUTER JOIN open o ON o.topic = b.topic AND o.province = b.province
        LEFT JOIN escalated x ON x.episode_id = o.episode_id
        WHERE b.flagged OR o.episode_id IS NOT NULL  -- an open episode below the threshold: its best window now
        ORDER BY coalesce(b.flagged, false) DESC, b.score DESC NULLS LAST, topic, province
    """)
    return detected_at, rows


def cell_episodes(con: duckdb.DuckDBPyConnection, topic: str, province: str, limit: int = 5) -> pd.DataFrame:
    """The cell's latest episodes (newest first), each with its alerts' moments by kind: the
    history the cell page tells (opened, escalated, cooling)."""
    return _frame(con, """
        SELECT e.*, (SELECT list({'kind': a.kind, 'detected_at': a.detected_at, 'rule': a.rule} ORDER BY a.detected_at, a.rule)
                     FROM alerts a WHERE a.episode_id = e.episode_id AND a.kind IS NOT NULL) AS alert_events
        FROM detect_episodes e WHERE e.topic = $t AND e.province = $p
        ORDER BY e.opened_at DESC LIMIT $n
    """, {"t": topic, "p": province, "n": limit})


def cell_detections(con: duckdb.DuckDBPyConnection, topic: str, province: str) -> pd.DataFrame:
    """The newest detection run's rows for one cell: every window (24 h, 72 h, 7 days)."""
    return _frame(con, "SELECT * FROM detections WHERE topic = $t AND province = $p ORDER BY window_hours",
                  {"t": topic, "p": province})


# ---------------------------------------------------------------- map and heat map

def province_counts(con: duckdb.DuckDBPyConnection, start: dt.datetime, end: dt.datetime,
                    topic: str | None) -> pd.DataFrame:
    """Distinct stories and documents per province in [start, end), one topic or all."""
    return _frame(con, f"""
        SELECT province, count(DISTINCT story) AS stories, count(DISTINCT doc_id) AS documents
        FROM (SELECT doc_id, story, unnest(list_distinct(provinces)) AS province FROM ({_CURRENT_IN_WINDOW}))
        GROUP BY ALL
    """, {"start": start, "end": end, "topic": topic, "province": None})


def province_levels(con: duckdb.DuckDBPyConnection, iso_week: str, topic: str | None) -> pd.DataFrame:
    """Hot-spot level per province for a week: one topic, or the strongest of any topic."""
    return _frame(con, """
        SELECT province, arg_max(level, coalesce(score, 0)) AS level, max(score) AS score,
               arg_max(topic, coalesce(score, 0)) AS topic, sum(stories) AS stories
        FROM hotspots
        WHERE iso_week = $w AND level IS NOT NULL AND ($topic IS NULL OR topic = $topic)
        GROUP BY province
    """, {"w": iso_week, "topic": topic})


def topic_province_weeks(con: duckdb.DuckDBPyConnection, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """Distinct stories per (topic, province) over [start, end): the heat map."""
    return _frame(con, f"""
        WITH cur AS ({_CURRENT_IN_WINDOW}),
        by_topic AS (SELECT story, provinces, unnest(list_distinct(topics)) AS topic FROM cur)
        SELECT topic, province, count(DISTINCT story) AS stories
        FROM (SELECT story, topic, unnest(list_distinct(provinces)) AS province FROM by_topic)
        GROUP BY ALL
    """, {"start": start, "end": end, "topic": None, "province": None})


# ---------------------------------------------------------------- stories and documents

def documents_with_tags(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> pd.DataFrame:
    """Given documents (a story's members from the search read model), oldest first, with their
    current topics and provinces: point lookups, not a scan."""
    register(con, "wanted_docs", pa.table({"doc_id": list(doc_ids)}))
    try:
        return _frame(con, """
            SELECT d.doc_id, d.source, d.kind, coalesce(d.thread_url, d.url) AS url, d.title, d.published_at,
                   d.fetched_at, e.topics, e.provinces
            FROM wanted_docs w JOIN documents d USING (doc_id)
            LEFT JOIN (SELECT * FROM enrichments WHERE doc_id IN (SELECT doc_id FROM wanted_docs)) e
                   ON e.doc_id = d.doc_id AND e.content_hash = d.content_hash
            QUALIFY row_number() OVER (PARTITION BY d.doc_id ORDER BY e.enriched_at DESC NULLS LAST, e.model_version DESC) = 1
            ORDER BY d.published_at NULLS LAST, d.doc_id
        """)
    finally:
        con.unregister("wanted_docs")


def story_mentions(con: duckdb.DuckDBPyConnection, story: str) -> pd.DataFrame:
    """Every document of one story (its cluster id, or a lone document's own id), oldest first."""
    return _frame(con, """
        WITH members AS (SELECT * FROM enrichments WHERE coalesce(story_id, doc_id) = $story)
        SELECT d.doc_id, d.source, d.kind, coalesce(d.thread_url, d.url) AS url, d.title, d.published_at, d.fetched_at,
               e.topics, e.provinces
        FROM members e JOIN documents d ON d.doc_id = e.doc_id AND d.content_hash = e.content_hash
        WHERE d.doc_id IN (SELECT doc_id FROM members)
        QUALIFY row_number() OVER (PARTITION BY e.doc_id ORDER BY e.enriched_at DESC, e.model_version DESC) = 1
        ORDER BY d.published_at NULLS LAST, d.doc_id
    """, {"story": story})


@dataclass
class DocumentView:
    doc_id: str
    source: str
    kind: str
    url: str | None
    title: str | None
    lead: str | None
    text: str | None
    byline: str | None  # press only, as published; None for posts and petitions
    published_at: dt.datetime | None
    fetched_at: dt.datetime | None
    text_dropped: bool
    topics: list[str]
    scores: dict[str, float]
    provinces: list[str]
    story: str | None
    model_version: str | None
    label_topics: list[str] | None
    label_provinces: list[str] | None
    labeled_at: dt.datetime | None


def document(con: duckdb.DuckDBPyConnection, doc_id: str) -> DocumentView | None:
    rows = con.execute("""
        SELECT d.doc_id, d.source, d.kind, coalesce(d.thread_url, d.url), d.title, d.lead, d.text,
               CASE WHEN d.kind = 'press' THEN d.byline END,
               d.published_at, d.fetched_at, d.text_dropped_at IS NOT NULL,
               e.topics, CAST(e.scores AS VARCHAR), e.provinces, coalesce(e.story_id, d.doc_id), e.model_version,
               l.topics, l.provinces, l.labeled_at
        FROM documents d
        LEFT JOIN (SELECT * FROM enrichments WHERE doc_id = $id) e ON e.content_hash = d.content_hash
        LEFT JOIN labels l ON l.doc_id = d.doc_id
        WHERE d.doc_id = $id
        QUALIFY row_number() OVER (ORDER BY e.enriched_at DESC NULLS LAST, e.model_version DESC) = 1
    """, {"id": doc_id}).fetchall()
    if not rows:
        return None
    r = rows[0]
    scores = json.loads(r[12]) if r[12] else {}
    return DocumentView(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], bool(r[10]),
                        list(r[11] or []), {k: float(v) for k, v in scores.items() if v is not None},
                        list(r[13] or []), r[14], r[15], None if r[16] is None else list(r[16]),
                        None if r[17] is None else list(r[17]), r[18])


# ---------------------------------------------------------------- sources and alerts

def source_overview(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> pd.DataFrame:
    """Per source: documents, newest item fetched, last run and its outcome, failures in 7 days."""
    return _frame(con, """
        WITH docs AS (SELECT source, any_value(kind) AS kind, count(*) AS documents, max(fetched_at) AS last_new
                      FROM documents GROUP BY source),
        names AS (SELECT name AS source FROM sources UNION SELECT source FROM crawl_runs
                  UNION SELECT source FROM docs),
        last_run AS (SELECT source, status, started_at, finished_at, pages_ok, pages_failed, items_stored
                     FROM crawl_runs QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC) = 1),
        fails AS (SELECT source, count(*) AS failures_7d FROM fetch_failures
                  WHERE failed_at >= $week_ago GROUP BY source)
        SELECT n.source, d.kind, coalesce(d.documents, 0) AS documents, d.last_new,
               l.status, l.started_at, l.pages_ok, l.pages_failed, l.items_stored, coalesce(f.failures_7d, 0) AS failures_7d
        FROM names n LEFT JOIN docs d USING (source) LEFT JOIN last_run l USING (source) LEFT JOIN fails f USING (source)
        ORDER BY n.source
    """, {"week_ago": now - dt.timedelta(days=7)})


def failures_by_cause(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> pd.DataFrame:
    return _frame(con, """
        SELECT source, cause, count(*) AS failures, max(failed_at) AS last_failed, any_value(url) AS example_url
        FROM fetch_failures WHERE failed_at >= $since GROUP BY ALL ORDER BY failures DESC, source, cause
    """, {"since": since})


def alert_outbox(con: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """Alerts newest first with each channel's delivery state."""
    return _frame(con, """
        SELECT a.alert_key, a.rule, a.topic, a.province, a.period, a.created_at, CAST(a.payload AS VARCHAR) AS payload,
               list({'channel': o.channel, 'status': o.status, 'attempts': o.attempts, 'last_error': o.last_error,
                     'sent_at': o.sent_at, 'next_attempt_at': o.next_attempt_at} ORDER BY o.channel) AS deliveries
        FROM alerts a LEFT JOIN alert_outbox o USING (alert_key)
        GROUP BY ALL ORDER BY a.created_at DESC LIMIT $n
    """, {"n": limit})


# ---------------------------------------------------------------- labels

def label_status(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Analysts' topic labels and role corrections, and how many of each came after the newest
    model that learns from them (the topic model, the role model): they wait for `dulun train`."""
    total, waiting, newest_model, roles, roles_waiting = con.execute("""
        WITH m AS (SELECT max(created_at) FILTER (WHERE kind = 'topics') AS topics,
                          max(created_at) FILTER (WHERE kind = 'roles') AS roles FROM models)
        SELECT (SELECT count(*) FROM labels),
               (SELECT count(*) FROM labels l, m WHERE m.topics IS NULL OR l.labeled_at > m.topics),
               (SELECT topics FROM m),
               (SELECT count(*) FROM role_labels),
               (SELECT count(*) FROM role_labels l, m WHERE m.roles IS NULL OR l.labeled_at > m.roles)
    """).fetchall()[0]
    return {"labels": int(total), "waiting": int(waiting), "newest_model_at": newest_model,
            "role corrections": int(roles), "role corrections waiting": int(roles_waiting)}


def review_candidates(con: duckdb.DuckDBPyConnection, since: dt.datetime, limit: int) -> list[dict]:
    """Enriched, unlabeled Vietnamese documents published since `since`, the most recently
    enriched first (as `dulun label` offers them), with their scores (the caller ranks how
    unsure the model was).

    Only the newest enrichments are read (`seq` numbers them in the order they were written and
    the table is stored in that order, so DuckDB skips the rest), twenty times as many
    as asked for: joining the window with every enrichment ever stored would read them all."""
    rows = con.execute("""
        WITH recent AS (
            SELECT doc_id, content_hash, language, scores, topics, provinces, enriched_at, model_version, seq
            FROM enrichments WHERE seq > (SELECT max(seq) FROM enrichments) - $recent
            QUALIFY row_number() OVER (PARTITION BY doc_id ORDER BY enriched_at DESC, model_version DESC) = 1)
        SELECT d.doc_id, d.title, d.lead, CAST(e.scores AS VARCHAR), e.topics, e.provinces
        FROM recent e JOIN documents d ON d.doc_id = e.doc_id AND d.content_hash = e.content_hash
        WHERE d.published_at >= $since AND coalesce(e.language, 'vi') = 'vi'
          AND d.doc_id NOT IN (SELECT doc_id FROM labels)
        ORDER BY e.seq DESC LIMIT $n
    """, {"since": since, "n": limit, "recent": 20 * limit}).fetchall()
    keys = ("doc_id", "title", "lead", "scores", "topics", "provinces")
    out = []
    for row in rows:
        item = dict(zip(keys, row))
        item["scores"] = json.loads(item["scores"]) if item["scores"] else {}
        out.append(item)
    return out


def documents_exist(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> set[str]:
    if not doc_ids:
        return set()
    register(con, "wanted_docs", pa.table({"doc_id": list(doc_ids)}))
    try:
        return {r[0] for r in con.execute("SELECT doc_id FROM documents JOIN wanted_docs USING (doc_id)").fetchall()}
    finally:
        con.unregister("wanted_docs")
