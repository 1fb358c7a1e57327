"""SQL for rolling detection: the story index, the counts the model reads, runs, episodes.

The index (`detect_stories`) holds one row per (topic, province, story) placed at the story's
first report in that cell, with when that report was published and fetched. It is maintained
from `enrichments` by sequence number (`enrichments.seq`): a cycle reads only what was
(re-)enriched since the last one, so its cost does not grow with the stored history, and
detection reads the index rows of its baseline period (a few hundred thousand at most) instead
of unnesting every enrichment. `rebuild_story_index` computes the same table from scratch: the
benchmark's baseline, and the first run on an existing database.

Replay: every count takes `as_of`: only stories whose first report was published before the
window's end AND fetched by `as_of` count.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from store.current import (current_enrichments_cheaply_sql, current_enrichments_sql,
                           some_document_has_several_enrichments)
from store.db import register, scalar, transaction

DAY_S = 86400
# Hour of the week (0 = Monday 00:00 in Asia/Ho_Chi_Minh, UTC+7 all year) by arithmetic on the
# epoch: no per-row time-zone conversion on the index scan. 1970-01-05 was a Monday.
_HOUR_OF_WEEK = "CAST(((floor((epoch(published_at) + 25200 - 345600) / 3600) % 168) + 168) % 168 AS INTEGER)"


@dataclass
class IndexRefresh:
    mode: str            # "rebuilt", "incremental", "unchanged"
    changed_documents: int = 0
    recomputed_stories: int = 0
    rows: int = 0


# ---------------------------------------------------------------- the story index

def _current_rows(doc_filter: str, few: bool, several_versions: bool = True, with_source: bool = False) -> str:
    """One row per (document, topic, province) of each document's current enrichment (the one
    definition, store/current.py) for the documents `doc_filter` (SQL on `e` and `d`) selects:
    doc_id, story, published_at, fetched_at (and source), topic, province. `few`: the filter
    selects few documents (a window, what changed), so ranking all of them is cheap; otherwise
    ranking runs only when and where some document has several enrichments."""
    source = "d.source, " if with_source else ""
    columns = f"""e.doc_id, {source}coalesce(e.story_id, e.doc_id) AS story, d.published_at, d.fetched_at,
               CASE WHEN len(e.topics) < 2 THEN e.topics ELSE list_distinct(e.topics) END AS topics,
               CASE WHEN len(e.provinces) < 2 THEN e.provinces ELSE list_distinct(e.provinces) END AS provinces"""
    where = f"d.published_at IS NOT NULL AND ({doc_filter})"
    cur = (current_enrichments_sql(columns, where) if few
           else current_enrichments_cheaply_sql(columns, where, several_versions))
    return f"""
        WITH cur AS ({cur}),
        by_topic AS (SELECT * EXCLUDE (topics), unnest(topics) AS topic FROM cur)
        SELECT * EXCLUDE (provinces), unnest(provinces) AS province FROM by_topic"""


_FIRST_REPORTS = """
    SELECT topic, province, story,
           arg_min(doc_id, (published_at, doc_id)) AS first_doc,
           min(published_at) AS published_at,
           arg_min(fetched_at, (published_at, doc_id)) AS fetched_at
    FROM ({rows}) GROUP BY topic, province, story
"""


def rebuild_story_index(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> IndexRefresh:
    """The whole index from the current enrichments (rows ordered by publication time, so a
    detection's time filter skips whole row groups)."""
    several = some_document_has_several_enrichments(con)
    last_seq = scalar(con, "SELECT coalesce(max(seq), 0) FROM enrichments")
    with transaction(con):
        con.execute("DELETE FROM detect_stories")
        rows = _current_rows("true", few=False, several_versions=several)
        con.execute(f"INSERT INTO detect_stories {_FIRST_REPORTS.format(rows=rows)} ORDER BY published_at")
        _save_state(con, last_seq, now, rebuilt=True)
    return IndexRefresh("rebuilt", rows=scalar(con, "SELECT count(*) FROM detect_stories"))


def refresh_story_index(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> IndexRefresh:
    """Bring the index up to date with what was enriched since it last looked.

    New documents merge in (a story's row moves only if the new report was published earlier).
    A re-enriched document that was some story's first report may have lost that topic, place or
    story, so those stories are recomputed from all their current reports (rare: a retrain or a
    changed page)."""
    state = con.execute("SELECT last_seq FROM detect_index_state WHERE id = 1").fetchall()
    if not state:
        return rebuild_story_index(con, now)
    last_seq = state[0][0]
    newest = scalar(con, "SELECT coalesce(max(seq), 0) FROM enrichments")
    if newest <= last_seq:
        return IndexRefresh("unchanged")
    # Only the changed documents and their stories are read: ranking enrichments there is cheap,
    # and checking the whole table for documents with several enrichments would not be.
    with transaction(con):
        con.execute("CREATE OR REPLACE TEMP TABLE detect_changed AS SELECT DISTINCT doc_id FROM enrichments WHERE seq > ?",
                    [last_seq])
        changed = scalar(con, "SELECT count(*) FROM detect_changed")
        con.execute("CREATE OR REPLACE TEMP TABLE detect_redo AS SELECT DISTINCT story FROM detect_stories "
                    "WHERE first_doc IN (SELECT doc_id FROM detect_changed)")
        redo = scalar(con, "SELECT count(*) FROM detect_redo")
        if redo:
            con.execute("DELETE FROM detect_stories WHERE story IN (SELECT story FROM detect_redo)")
            rows = _current_rows("coalesce(e.story_id, e.doc_id) IN (SELECT story FROM detect_redo)", few=True)
            con.execute(f"INSERT INTO detect_stories {_FIRST_REPORTS.format(rows=rows)}")
        rows = _current_rows("e.doc_id IN (SELECT doc_id FROM detect_changed)", few=True)
        con.execute(f"""CREATE OR REPLACE TEMP TABLE detect_incoming AS
                        SELECT * FROM ({_FIRST_REPORTS.format(rows=rows)})
                        WHERE story NOT IN (SELECT story FROM detect_redo)""")
        # An earlier report of a story already indexed replaces its row; a later one changes nothing.
        con.execute("""
            DELETE FROM detect_stories s USING detect_incoming i
            WHERE s.topic = i.topic AND s.province = i.province AND s.story = i.story
              AND (i.published_at, i.first_doc) < (s.published_at, s.first_doc)""")
        con.execute("""
            INSERT INTO detect_stories
            SELECT i.* FROM detect_incoming i
            ANTI JOIN detect_stories s ON s.topic = i.topic AND s.province = i.province AND s.story = i.story
            ORDER BY i.published_at""")
        _save_state(con, newest, now, rebuilt=False)
        con.execute("DROP TABLE detect_changed")
        con.execute("DROP TABLE detect_redo")
        con.execute("DROP TABLE detect_incoming")
    return IndexRefresh("incremental", changed_documents=changed, recomputed_stories=redo)


def _save_state(con: duckdb.DuckDBPyConnection, last_seq: int, now: dt.datetime, rebuilt: bool) -> None:
    con.execute(
        """INSERT INTO detect_index_state VALUES (1, $seq, $now, $now)
           ON CONFLICT (id) DO UPDATE SET last_seq = $seq, refreshed_at = $now,
               rebuilt_at = CASE WHEN $rebuilt THEN $now ELSE detect_index_state.rebuilt_at END""",
        {"seq": last_seq, "now": now, "rebuilt": rebuilt},
    )


def story_index(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The whole index, sorted (tests compare the maintained and the rebuilt index)."""
    return con.execute("SELECT * FROM detect_stories ORDER BY topic, province, story").df()


# ---------------------------------------------------------------- what the model reads

def cell_day_counts(con: duckdb.DuckDBPyConnection, end: dt.datetime, as_of: dt.datetime, days: int) -> pd.DataFrame:
    """Stories first reported per (topic, province) in each of the `days` 24-hour blocks before
    `end` (`back` 0 = the 24 hours ending at `end`), counting only reports fetched by `as_of`."""
    return con.execute(
        f"""
        SELECT topic, province,
               least(CAST(floor((epoch($end) - epoch(published_at)) / {DAY_S}) AS INTEGER), {days - 1}) AS back,
               count(*) AS stories
        FROM detect_stories
        WHERE published_at >= $start AND published_at < $end AND fetched_at <= $as_of
        GROUP BY ALL
        """,
        {"start": end - dt.timedelta(days=days), "end": end, "as_of": as_of},
    ).df()


def hour_of_week_counts(con: duckdb.DuckDBPyConnection, start: dt.datetime, end: dt.datetime,
                        as_of: dt.datetime) -> pd.DataFrame:
    """Stories first reported in [start, end) by hour of the week (0 = Monday 00:00 local): the
    press's weekly rhythm, from the whole corpus."""
    return con.execute(
        f"""SELECT {_HOUR_OF_WEEK} AS how, count(*) AS stories FROM detect_stories
            WHERE published_at >= $start AND published_at < $end AND fetched_at <= $as_of GROUP BY ALL""",
        {"start": start, "end": end, "as_of": as_of},
    ).df()


def first_published(con: duckdb.DuckDBPyConnection, as_of: dt.datetime) -> dt.datetime | None:
    """When the first document fetched by `as_of` was published: history starts there."""
    return scalar(con, "SELECT min(published_at) FROM documents WHERE fetched_at <= ?", [as_of])


def window_documents(
    con: duckdb.DuckDBPyConnection, start: dt.datetime, end: dt.datetime, as_of: dt.datetime,
    cells: Sequence[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Documents and distinct sources per (topic, province) published in [start, end) and fetched
    by `as_of` (every cell, or only `cells`)."""
    # Ranked within the window only (a week at most), never over every enrichment stored.
    rows = _current_rows("d.published_at >= $start AND d.published_at < $end AND d.fetched_at <= $as_of", few=True,
                         with_source=True)
    join = ""
    if cells is not None:
        register(con, "detect_wanted_cells", pa.table({"topic": [c[0] for c in cells], "province": [c[1] for c in cells]}))
        join = "JOIN detect_wanted_cells USING (topic, province)"
    try:
        return con.execute(
            f"""SELECT topic, province, count(*) AS documents, count(DISTINCT source) AS sources
                FROM ({rows}) r {join} GROUP BY ALL""",
            {"start": start, "end": end, "as_of": as_of},
        ).df()
    finally:
        if cells is not None:
            con.unregister("detect_wanted_cells")


def window_details(con: duckdb.DuckDBPyConnection, end: dt.datetime, as_of: dt.datetime,
                   cells: Sequence[tuple[str, str, int]]) -> pd.DataFrame:
    """For each (topic, province, window_hours): the documents and distinct sources published in
    the window ending at `end` and fetched by `as_of`, and the publication time of the newest
    story first reported there (the story that tipped it). One query for every window."""
    columns = ["topic", "province", "window_hours", "documents", "sources", "newest_story_at"]
    if not cells:
        return pd.DataFrame(columns=columns)
    wanted = pa.table({"topic": [c[0] for c in cells], "province": [c[1] for c in cells],
                       "window_hours": pa.array([int(c[2]) for c in cells], pa.int32())})
    longest = max(int(c[2]) for c in cells)
    # Ranked within the longest window only (a week at most), never over every enrichment stored.
    rows = _current_rows("d.published_at >= $start AND d.published_at < $end AND d.fetched_at <= $as_of", few=True,
                         with_source=True)
    register(con, "detect_wanted_windows", wanted)
    try:
        return con.execute(
            f"""WITH docs AS (
                    SELECT w.topic, w.province, w.window_hours, count(*) AS documents,
                           count(DISTINCT r.source) AS sources
                    FROM ({rows}) r JOIN detect_wanted_windows w USING (topic, province)
                    WHERE r.published_at >= $end - to_hours(w.window_hours)
                    GROUP BY ALL),
                newest AS (
                    SELECT w.topic, w.province, w.window_hours, max(s.published_at) AS newest_story_at
                    FROM detect_wanted_windows w JOIN detect_stories s USING (topic, province)
                    WHERE s.published_at >= $start AND s.published_at < $end AND s.fetched_at <= $as_of
                      AND s.published_at >= $end - to_hours(w.window_hours)
                    GROUP BY ALL)
                SELECT {", ".join(columns)}
                FROM detect_wanted_windows LEFT JOIN docs USING (topic, province, window_hours)
                     LEFT JOIN newest USING (topic, province, window_hours)""",
            {"start": end - dt.timedelta(hours=longest), "end": end, "as_of": as_of},
        ).df()
    finally:
        con.unregister("detect_wanted_windows")


# ---------------------------------------------------------------- runs and scores

def record_run(con: duckdb.DuckDBPyConnection, detected_at: dt.datetime, rows: pd.DataFrame, seconds: float,
               keep_runs: int = 2000) -> None:
    """The newest run's scores replace the previous ones; the run itself is kept (the last
    `keep_runs`), so `dulun status` and `dulun alerts --now` know what was detected when."""
    columns = ["detected_at", "topic", "province", "window_hours", "stories", "documents", "sources", "baseline",
               "p_value", "score", "flagged", "level", "best", "newest_story_at"]
    frame = rows.assign(detected_at=detected_at)[columns]
    register(con, "incoming_detections", frame)
    flagged = int(rows.loc[rows.best, "flagged"].sum()) if len(rows) else 0
    cells = int(rows.loc[rows.best].shape[0]) if len(rows) else 0
    try:
        with transaction(con):
            con.execute("DELETE FROM detections")
            con.execute(f"INSERT INTO detections ({', '.join(columns)}) SELECT {', '.join(columns)} FROM incoming_detections")
            con.execute("DELETE FROM detection_runs WHERE detected_at = ?", [detected_at])
            con.execute("INSERT INTO detection_runs VALUES (?, now(), ?, ?, ?)", [detected_at, cells, flagged, seconds])
            con.execute("""DELETE FROM detection_runs WHERE detected_at NOT IN
                           (SELECT detected_at FROM detection_runs ORDER BY detected_at DESC LIMIT ?)""", [keep_runs])
    finally:
        con.unregister("incoming_detections")


def latest_run_at(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    return scalar(con, "SELECT max(detected_at) FROM detections")


def newest_run_at(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """The latest moment any detection run looked at (a replay may since have gone back)."""
    return scalar(con, "SELECT max(detected_at) FROM detection_runs")


def latest_detections(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM detections ORDER BY topic, province, window_hours").df()


# ---------------------------------------------------------------- episodes

EPISODE_COLUMNS = ["episode_id", "topic", "province", "opened_at", "tipping_published_at", "open_window_hours",
                   "open_stories", "open_week_stories", "last_flagged_at", "updated_at", "level", "window_hours",
                   "stories", "week_stories", "peak_week_stories", "score", "closed_at"]


def open_episodes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM detect_episodes WHERE closed_at IS NULL ORDER BY episode_id").df()


def episodes_since(con: duckdb.DuckDBPyConnection, since: dt.datetime | None = None) -> pd.DataFrame:
    """Open episodes and those closed at or after `since` (all when None)."""
    return con.execute(
        "SELECT * FROM detect_episodes WHERE closed_at IS NULL OR ? IS NULL OR closed_at >= ? ORDER BY episode_id",
        [since, since],
    ).df()


def save_episodes(con: duckdb.DuckDBPyConnection, changed: pd.DataFrame, opened: pd.DataFrame) -> None:
    """Updates of existing episodes (by id) and new ones (ids from the sequence), in one transaction."""
    columns = [c for c in EPISODE_COLUMNS if c != "episode_id"]
    with transaction(con):
        if len(changed):
            register(con, "changed_episodes", changed[EPISODE_COLUMNS])
            try:
                sets = ", ".join(f"{c} = c.{c}" for c in columns)
                con.execute(f"UPDATE detect_episodes SET {sets} FROM changed_episodes c "
                            "WHERE detect_episodes.episode_id = c.episode_id")
            finally:
                con.unregister("changed_episodes")
        if len(opened):
            register(con, "opened_episodes", opened[columns])
            try:
                con.execute(f"INSERT INTO detect_episodes ({', '.join(columns)}) SELECT {', '.join(columns)} FROM opened_episodes")
            finally:
                con.unregister("opened_episodes")


def cell_first_reports(con: duckdb.DuckDBPyConnection, topic: str, province: str, start: dt.datetime,
                       end: dt.datetime) -> list[dt.datetime]:
    """When each story of one cell first appeared there, for stories first reported in [start, end)."""
    rows = con.execute(
        "SELECT published_at FROM detect_stories WHERE topic = ? AND province = ? AND published_at >= ? "
        "AND published_at < ? ORDER BY published_at", [topic, province, start, end]).fetchall()
    return [r[0] for r in rows]
