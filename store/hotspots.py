"""Hot spots' SQL: the stored weekly hot spots and trends (the counts the weekly model reads are
the rolling detection's, in store/detections.py).

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
from store.current import TOPIC_PLACE_ROWS
from store.db import register, transaction


def first_published_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The first day (Asia/Ho_Chi_Minh) any stored document was published, or None."""
    return con.execute("SELECT CAST(min(published_at) AS DATE) FROM documents").fetchall()[0][0]


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


def first_flagged_week(con: duckdb.DuckDBPyConnection, topic: str, province: str) -> dt.date | None:
    """The Monday of the first week the weekly table flagged this cell (new, rising or persistent)."""
    return con.execute(
        "SELECT min(week_start) FROM hotspots WHERE topic = ? AND province = ? AND level IN ('new', 'rising', 'persistent')",
        [topic, province]).fetchall()[0][0]


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


