"""Hot spots' SQL: the week's cell counts with their trailing history, the stored hot spots, trends.

Reads `documents` and `enrichments` (each document's current enrichment, as store/current.py
defines it); writes `hotspots`, one set-based statement per week.
"""
from __future__ import annotations

import datetime as dt
from typing import Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from core.timeutil import vn_midnight
from store.current import TOPIC_PLACE_ROWS, current_enrichments_cheaply_sql, some_document_has_several_enrichments
from store.db import register, transaction


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
    sql = sql.replace("{current_rows}", _current_rows_cte(back, several_versions=some_document_has_several_enrichments(con)))
    params = {"start": start, "end": end, "b": baseline_weeks, **bounds}
    return con.execute(sql, params).df()


def _current_rows_cte(back: str, several_versions: bool) -> str:
    """`cur`: each document's current enrichment with the columns hot spots count."""
    columns = f"e.topics, e.provinces, coalesce(e.story_id, e.doc_id) AS story, d.source, {back} AS back"
    window = "d.published_at >= $start AND d.published_at < $end"
    return f"cur AS ({current_enrichments_cheaply_sql(columns, window, several_versions)})"


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
    register(con, "incoming_hotspots", rows[columns])
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
    register(con, "wanted_cells", wanted)
    try:
        rows = con.execute(
            f"""
            WITH rows AS ({TOPIC_PLACE_ROWS})
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


