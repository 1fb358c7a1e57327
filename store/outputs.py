"""SQL for what users see: weekly hot spots, digests and the alert outbox.

Reads `documents`, `enrichments` (with the same "current enrichment" rule as the
`current_enrichments` view), `crawl_runs`, `fetch_failures` and `sources`; writes `hotspots`,
`digests`, `alerts` and `alert_outbox`. Every write is one set-based statement per batch.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from store.db import transaction
from store.records import Enrichment

# The rows hot spots count over, restricted to a time window BEFORE the "newest enrichment per
# document" window function runs: same meaning as the `document_topic_places` view, but a week's
# computation reads only the weeks it needs instead of ranking every enrichment ever stored.
# One join of documents and enrichments (the content-hash match as a filter): at a million
# documents each such join is most of a page's time in the workbench.
# `url` is the link users get: a forum post's thread, never the post's own permalink (which
# shows its author's name beside the post).
_TOPIC_PLACE_ROWS = """
    SELECT x.doc_id, x.source, x.url, x.title, x.published_at,
           CAST(x.published_at AS DATE) AS published_day,
           coalesce(x.story_id, x.doc_id) AS story,
           t.topic, p.province
    FROM (
        SELECT d.doc_id, d.source, coalesce(d.thread_url, d.url) AS url, d.title, d.published_at,
               e.topics, e.provinces, e.story_id
        FROM documents d JOIN enrichments e ON e.doc_id = d.doc_id
        WHERE d.published_at >= $start AND d.published_at < $end AND e.content_hash = d.content_hash
        QUALIFY row_number() OVER (PARTITION BY e.doc_id ORDER BY e.enriched_at DESC, e.model_version DESC) = 1
    ) x
    CROSS JOIN unnest(x.topics) AS t(topic)
    CROSS JOIN unnest(x.provinces) AS p(province)
"""


def _register(con: duckdb.DuckDBPyConnection, name: str, frame) -> None:
    """Register a frame for one set-based statement. DuckDB 2 refuses while an earlier
    statement's result is unfinished (fetchone() leaves it so, e.g. in migrations), so a trivial
    fully-fetched query closes it first."""
    con.execute("SELECT 1").fetchall()
    con.register(name, frame)


def vn_midnight(day: dt.date) -> dt.datetime:
    from dulun.timeutil import VN

    return dt.datetime.combine(day, dt.time(0), tzinfo=VN)


# ---------------------------------------------------------------- hot spots

def first_published_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The first day (Asia/Ho_Chi_Minh) any stored document was published, or None."""
    return con.execute("SELECT CAST(min(published_at) AS DATE) FROM documents").fetchall()[0][0]


def hotspot_cell_stats(
    con: duckdb.DuckDBPyConnection, week_start: dt.date, baseline_weeks: int
) -> pd.DataFrame:
    """Per (topic, province) and target t (0 = the week, 1 = the week before): this week's
    documents, stories and sources, and the trailing `baseline_weeks` weeks' story sum and sum of
    squares (weeks with nothing count as zeros), plus the topic's, province's and country's
    trailing totals for the prior. One query over all cells; the result is small."""
    start = vn_midnight(week_start - dt.timedelta(weeks=baseline_weeks + 1))
    end = vn_midnight(week_start + dt.timedelta(weeks=1))
    # Lean on purpose (this is the 5-million-row path): only the columns counted, the week index
    # computed before unnesting, one join, and documents = count(*) because each document's
    # topics and provinces are made distinct before they are unnested.
    sql = f"""
    WITH {{current_rows}},
    by_topic AS (SELECT story, source, back, provinces,
                        unnest(CASE WHEN len(topics) < 2 THEN topics ELSE list_distinct(topics) END) AS topic FROM cur),
    rows AS (SELECT story, source, back, topic,
                    unnest(CASE WHEN len(provinces) < 2 THEN provinces ELSE list_distinct(provinces) END) AS province
             FROM by_topic),
    weekly AS (
        SELECT topic, province, back,
               count(*) AS documents,
               count(DISTINCT story) AS stories,
               count(DISTINCT source) AS sources
        FROM rows GROUP BY ALL
    ),
    targets AS (SELECT unnest([0, 1]) AS t),
    cells AS (SELECT DISTINCT topic, province FROM weekly),
    stats AS (
        SELECT c.topic, c.province, tg.t,
               coalesce(max(w.documents) FILTER (WHERE w.back = tg.t), 0) AS documents,
               coalesce(max(w.stories) FILTER (WHERE w.back = tg.t), 0) AS stories,
               coalesce(max(w.sources) FILTER (WHERE w.back = tg.t), 0) AS sources,
               coalesce(sum(w.stories) FILTER (WHERE w.back > tg.t AND w.back <= tg.t + $b), 0) AS hist_sum,
               coalesce(sum(w.stories * w.stories) FILTER (WHERE w.back > tg.t AND w.back <= tg.t + $b), 0) AS hist_sumsq
        FROM cells c CROSS JOIN targets tg LEFT JOIN weekly w USING (topic, province)
        GROUP BY ALL
    )
    SELECT *,
           sum(hist_sum) OVER (PARTITION BY t, topic) AS topic_hist,
           sum(hist_sum) OVER (PARTITION BY t, province) AS province_hist,
           sum(hist_sum) OVER (PARTITION BY t) AS all_hist
    FROM stats
    """
    back, bounds = _weeks_back(week_start, baseline_weeks + 2)
    sql = sql.replace("{current_rows}", _current_rows_cte(back, several_versions=_some_document_has_several_enrichments(con)))
    params = {"start": start, "end": end, "b": baseline_weeks, **bounds}
    return con.execute(sql, params).df()


def _current_rows_cte(back: str, several_versions: bool) -> str:
    """`cur`: each document's current enrichment (as in the `current_enrichments` view) with the
    columns hot spots count.

    The NLP stage keeps one enrichment per document (a re-tagged document's older tags are
    deleted), so normally nothing needs ranking: the window function, which is most of the cost
    at millions of rows, runs only when some document has several enrichments, and then only
    over those documents."""
    columns = f"e.topics, e.provinces, coalesce(e.story_id, e.doc_id) AS story, d.source, {back} AS back"
    base = f"""
        SELECT {columns}
        FROM enrichments e
        JOIN documents d ON d.doc_id = e.doc_id AND d.content_hash = e.content_hash
        WHERE d.published_at >= $start AND d.published_at < $end"""
    if not several_versions:
        return f"cur AS ({base})"
    return f"""several AS (SELECT doc_id FROM enrichments GROUP BY doc_id HAVING count(*) > 1),
    cur AS (
        {base} AND e.doc_id NOT IN (SELECT doc_id FROM several)
        UNION ALL
        {base} AND e.doc_id IN (SELECT doc_id FROM several)
        QUALIFY row_number() OVER (PARTITION BY e.doc_id ORDER BY e.enriched_at DESC, e.model_version DESC) = 1
    )"""


def _some_document_has_several_enrichments(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute(
        "SELECT EXISTS (SELECT 1 FROM enrichments GROUP BY doc_id HAVING count(*) > 1)"
    ).fetchall()[0][0]


def _weeks_back(week_start: dt.date, weeks: int) -> tuple[str, dict[str, dt.datetime]]:
    """How many weeks before `week_start` a row was published (0 = that week), as comparisons
    with the weeks' Monday midnights in Asia/Ho_Chi_Minh: exact in any zone, and much cheaper
    than converting five million timestamps to local dates."""
    bounds = {f"w{i}": vn_midnight(week_start - dt.timedelta(weeks=i)) for i in range(weeks)}
    cases = " ".join(f"WHEN d.published_at >= $w{i} THEN {i}" for i in range(weeks))
    return f"CASE {cases} END", bounds


def replace_hotspots(con: duckdb.DuckDBPyConnection, iso_week: str, rows: pd.DataFrame) -> None:
    """Recomputing a week replaces it: delete + insert in one transaction."""
    columns = ["iso_week", "week_start", "topic", "province", "documents", "stories", "sources",
               "baseline", "score", "p_value", "level", "computed_at"]
    _register(con, "incoming_hotspots", rows[columns])
    try:
        with transaction(con):
            con.execute("DELETE FROM hotspots WHERE iso_week = ?", [iso_week])
            con.execute(f"INSERT INTO hotspots ({', '.join(columns)}) SELECT {', '.join(columns)} FROM incoming_hotspots")
    finally:
        con.unregister("incoming_hotspots")


def hotspots_for_week(con: duckdb.DuckDBPyConnection, iso_week: str, flagged_only: bool = True) -> pd.DataFrame:
    where = "AND level IS NOT NULL" if flagged_only else ""
    return con.execute(
        f"""SELECT * FROM hotspots WHERE iso_week = ? {where}
            ORDER BY CASE level WHEN 'new' THEN 0 WHEN 'rising' THEN 1 WHEN 'persistent' THEN 2
                     WHEN 'cooling' THEN 3 ELSE 4 END, score DESC NULLS LAST, stories DESC""",
        [iso_week],
    ).df()


def latest_hotspot_week(con: duckdb.DuckDBPyConnection, on_or_before: dt.date) -> str | None:
    return con.execute(
        "SELECT max(iso_week) FROM hotspots WHERE week_start <= ?", [on_or_before]
    ).fetchall()[0][0]


def weekly_story_series(
    con: duckdb.DuckDBPyConnection, cells: Sequence[tuple[str, str]], last_week_start: dt.date, weeks: int
) -> dict[tuple[str, str], list[int]]:
    """Stories per week for each (topic, province), oldest first, zeros filled: the trend charts."""
    if not cells:
        return {}
    first = last_week_start - dt.timedelta(weeks=weeks - 1)
    wanted = pa.table({"topic": [c[0] for c in cells], "province": [c[1] for c in cells]})
    _register(con, "wanted_cells", wanted)
    try:
        rows = con.execute(
            f"""
            WITH rows AS ({_TOPIC_PLACE_ROWS})
            SELECT r.topic, r.province,
                   CAST(date_diff('day', $first, CAST(date_trunc('week', r.published_day) AS DATE)) / 7 AS INTEGER) AS i,
                   count(DISTINCT r.story) AS stories
            FROM rows r JOIN wanted_cells w USING (topic, province)
            GROUP BY ALL
            """,
            {"start": vn_midnight(first), "end": vn_midnight(last_week_start + dt.timedelta(weeks=1)), "first": first},
        ).fetchall()
    finally:
        con.unregister("wanted_cells")
    series = {cell: [0] * weeks for cell in cells}
    for topic, province, i, stories in rows:
        if 0 <= i < weeks:
            series[(topic, province)][i] = stories
    return series


# ---------------------------------------------------------------- stories and headlines

def top_stories(
    con: duckdb.DuckDBPyConnection, start: dt.datetime, end: dt.datetime,
    cells: Sequence[tuple[str, str | None]] | None = None, per_group: int = 5,
) -> pd.DataFrame:
    """The stories published in [start, end), grouped by topic (and by province when `cells` are
    given), best first: most outlets, then most documents. Each row carries the representative
    headline (the earliest item's title), every item's source and link, and when the story was
    first seen (over all time, not just this window)."""
    params = {"start": start, "end": end, "n": per_group}
    if cells is not None:
        wanted = pa.table({"topic": [c[0] for c in cells], "province": [c[1] for c in cells]})
        _register(con, "wanted_cells", wanted)
        group = "topic, province"
        rows_sql = f"SELECT r.* FROM ({_TOPIC_PLACE_ROWS}) r JOIN wanted_cells w USING (topic, province)"
    else:
        group = "topic"
        # A story counts once per topic however many provinces it names.
        rows_sql = f"SELECT DISTINCT doc_id, source, url, title, published_at, story, topic FROM ({_TOPIC_PLACE_ROWS})"
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
            members AS (  -- the shown stories' documents first, then their dates: not a join of all
                SELECT e.doc_id, coalesce(e.story_id, e.doc_id) AS story FROM enrichments e
                WHERE coalesce(e.story_id, e.doc_id) IN (SELECT story FROM ranked WHERE rank <= $n)
            ),
            first_seen AS (
                SELECT m.story, min(d.published_at) AS first_seen
                FROM members m JOIN documents d ON d.doc_id = m.doc_id
                WHERE d.doc_id IN (SELECT doc_id FROM members)
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


# ---------------------------------------------------------------- daily digest

def daily_totals(con: duckdb.DuckDBPyConnection, day: dt.date, trailing_days: int = 7) -> pd.DataFrame:
    """Documents, stories and sources per day for `day` and the `trailing_days` before it, plus
    per topic (topic NULL = all documents)."""
    start = vn_midnight(day - dt.timedelta(days=trailing_days))
    end = vn_midnight(day + dt.timedelta(days=1))
    return con.execute(
        """
        WITH docs AS (
            SELECT d.doc_id, d.source, CAST(d.published_at AS DATE) AS published_day,
                   coalesce(e.story_id, d.doc_id) AS story, coalesce(e.topics, []) AS topics
            FROM documents d
            LEFT JOIN (
                SELECT e.doc_id, e.topics, e.story_id FROM enrichments e
                JOIN documents d2 ON d2.doc_id = e.doc_id AND d2.content_hash = e.content_hash
                WHERE d2.published_at >= $start AND d2.published_at < $end
                QUALIFY row_number() OVER (PARTITION BY e.doc_id ORDER BY e.enriched_at DESC, e.model_version DESC) = 1
            ) e ON e.doc_id = d.doc_id
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
        WITH rows AS ({_TOPIC_PLACE_ROWS})
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


# ---------------------------------------------------------------- alerts

def recent_alert_keys(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> pd.DataFrame:
    return con.execute(
        "SELECT alert_key, rule, topic, province, period, created_at FROM alerts WHERE created_at >= ?", [since]
    ).df()


def existing_alert_keys(con: duckdb.DuckDBPyConnection, keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    _register(con, "wanted_keys", pa.table({"alert_key": list(keys)}))
    try:
        return {r[0] for r in con.execute("SELECT a.alert_key FROM alerts a JOIN wanted_keys USING (alert_key)").fetchall()}
    finally:
        con.unregister("wanted_keys")


def insert_alerts(con: duckdb.DuckDBPyConnection, alerts: pd.DataFrame, outbox: pd.DataFrame) -> int:
    """Alerts and their outbox rows in one transaction, before any delivery is tried; a key that
    already exists is skipped (the same rule, topic, province and period is never sent twice)."""
    if alerts.empty:
        return 0
    _register(con, "incoming_alerts", alerts)
    _register(con, "incoming_outbox", outbox)
    try:
        with transaction(con):
            added = con.execute(
                """
                INSERT INTO alerts (alert_key, rule, topic, province, period, created_at, payload)
                SELECT alert_key, rule, topic, province, period, created_at, CAST(payload AS JSON) FROM incoming_alerts
                ON CONFLICT DO NOTHING RETURNING alert_key
                """
            ).fetchall()
            con.execute(
                """
                INSERT INTO alert_outbox (alert_key, channel, status, attempts, next_attempt_at)
                SELECT alert_key, channel, 'pending', 0, next_attempt_at FROM incoming_outbox
                ON CONFLICT DO NOTHING
                """
            )
    finally:
        con.unregister("incoming_alerts")
        con.unregister("incoming_outbox")
    return len(added)


def due_deliveries(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> pd.DataFrame:
    return con.execute(
        """
        SELECT o.alert_key, o.channel, o.attempts, CAST(a.payload AS VARCHAR) AS payload
        FROM alert_outbox o JOIN alerts a USING (alert_key)
        WHERE o.status = 'pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= $now)
        ORDER BY a.created_at, o.alert_key, o.channel
        """,
        {"now": now},
    ).df()


def record_deliveries(con: duckdb.DuckDBPyConnection, results: pd.DataFrame) -> None:
    """One batched update of the outbox after a delivery round (status, attempts, next try, error)."""
    if results.empty:
        return
    results = results.assign(
        next_attempt_at=pd.to_datetime(results["next_attempt_at"], utc=True),
        sent_at=pd.to_datetime(results["sent_at"], utc=True),
        last_error=results["last_error"].astype(object),
    )
    _register(con, "delivery_results", results)
    try:
        con.execute(
            """
            UPDATE alert_outbox SET status = r.status, attempts = r.attempts,
                   next_attempt_at = r.next_attempt_at, last_error = r.last_error, sent_at = r.sent_at
            FROM delivery_results r
            WHERE alert_outbox.alert_key = r.alert_key AND alert_outbox.channel = r.channel
            """
        )
    finally:
        con.unregister("delivery_results")


def outbox_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT o.*, a.rule, a.topic, a.province, a.period FROM alert_outbox o JOIN alerts a USING (alert_key) ORDER BY a.created_at"
    ).df()


# ---------------------------------------------------------------- synthetic data (tests, benchmark)

def _insert_enrichments_for_tests(con: duckdb.DuckDBPyConnection, enrichments: Sequence[Enrichment]) -> None:
    """Batched enrichment insert for tests (the NLP stage owns the real writer)."""
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
    _register(con, "incoming_enrichments", frame)
    try:
        con.execute(
            """INSERT INTO enrichments SELECT doc_id, model_version, content_hash, language,
                   CAST(topics AS VARCHAR[]), CAST(scores AS JSON), CAST(provinces AS VARCHAR[]), story_id, now()
               FROM incoming_enrichments"""
        )
    finally:
        con.unregister("incoming_enrichments")


def insert_synthetic_items(con: duckdb.DuckDBPyConnection, items: pd.DataFrame, model_version: str = "sim") -> None:
    """Synthetic documents and their enrichments from a frame with columns doc_id, source,
    published_at (tz-aware), topic, province, story_id: one document per row (the simulator)."""
    _register(con, "sim_items", items)
    try:
        with transaction(con):
            con.execute(
                """
                INSERT INTO documents (doc_id, source, kind, url, title, published_at, fetched_at, updated_at, content_hash)
                SELECT doc_id, source, 'press', 'https://sim.example/' || doc_id, 'Tin ' || topic || ' ' || province,
                       published_at, published_at, published_at, 'h' || doc_id
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
