"""Full-text search over titles, leads and bodies: a SQLite FTS5 index in a file next to the database.

Why a sidecar and not DuckDB: DuckDB's own full-text extension cannot be installed offline for
the DuckDB in use and rebuilds its whole index on every change; FTS5 ships inside Python's
sqlite3, updates one document at a time, and in WAL mode lets pages search while the index is
being updated. The sidecar is derived data: deleting it only costs one rebuild.

Insensitive to tone marks: the tokenizer is `unicode61 remove_diacritics 2`, which folds "ì"
to "i" but keeps "đ" a letter of its own, so "đ"/"Đ" become "d"/"D" before a text is indexed
and before a query is parsed (one letter for one letter, so token positions stay the same).

Keys and order: each document's rowid is its publication time (else its fetch time) in
seconds x 1000 plus a small counter, so "newest first" is FTS5's native descending-rowid walk
that stops at the page size, and a period is a rowid range the index seeks to. Counts by ISO
week (Asia/Ho_Chi_Minh) are integer arithmetic on the same rowids.

Filters (topic, province, source, kind) are tag tokens in a fourth FTS column, so a filtered
query is one intersection inside the index. Titles, leads and bodies (capped) are kept beside
the index (`search_text`, the FTS5 external content), so a results page never touches DuckDB
and an updated document's old tokens can be deleted exactly; each document's source, kind,
story, topics and provinces sit in a narrow table (`search_docs`) keyed by the same time-ordered
rowid. That table is also the workbench's read model for counts over a period (a cell's days,
a map's provinces, a story's members): a period is a rowid range, a topic or province a tag
lookup, with no join of a million documents with their enrichments; it is as fresh as the
last index update (after every enrichment cycle). Authors and bylines are never copied here.

Incremental: every document's indexed state (content, current topics, provinces, story,
publication time, dropped text) is a short hash computed in DuckDB; an update compares those
hashes with the sidecar's and re-indexes only what differs (new, changed, re-tagged, or
emptied by retention), deleting what is gone. It reads DuckDB through short read-only
connections, a batch at a time, so writers are never kept waiting long.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from store.db import WriterLock, open_reader
from store.frames import register

INDEX_VERSION = "2"
ROWIDS_PER_SECOND = 1000
BODY_CHARS = 20_000  # the part of a body that is indexed: enough for any article, caps hostile pages
_VN_OFFSET_S = 7 * 3600
_MONDAY_S = 4 * 86400  # 1970-01-01 was a Thursday: ISO weeks start four days later
_WEEK_S = 7 * 86400
_TEXT_COLUMNS = "{title lead body}"
_EPOCH_DAY = dt.date(1970, 1, 1)


def index_path(db_path: Path) -> Path:
    """`data/dulun.duckdb` -> `data/dulun.search.sqlite`."""
    return Path(db_path).with_suffix(".search.sqlite")


# ---------------------------------------------------------------- folding

def fold_for_index(text: str | None) -> str:
    """What the tokenizer sees: NFC, "đ" as "d". Same tokens at the same positions as `text`."""
    return unicodedata.normalize("NFC", text or "").replace("đ", "d").replace("Đ", "D")


def fold(text: str | None) -> str:
    """Lower case with every tone mark and accent removed, "đ" as "d": "Đình công" -> "dinh cong"."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def tag(kind: str, value: str) -> str:
    """A filter value as one alphanumeric token (the tokenizer splits on '-', '_' and spaces)."""
    return "x" + hashlib.sha1(f"{kind}:{value}".encode("utf-8")).hexdigest()[:14]


def document_tags(source: str, kind: str, topics: Sequence[str], provinces: Sequence[str]) -> str:
    tags = [tag("source", source), tag("kind", kind)]
    tags += [tag("topic", t) for t in topics] + [tag("province", p) for p in provinces]
    return " ".join(tags)


# ---------------------------------------------------------------- the sidecar file

_SCHEMA = """
CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value TEXT);
-- One narrow row per document: what filters, counts and series read (kept apart from the
-- text so scanning a period reads little).
CREATE TABLE IF NOT EXISTS search_docs (
    rowid        INTEGER PRIMARY KEY,     -- publication second x 1000 + counter
    doc_id       TEXT NOT NULL UNIQUE,
    state        TEXT NOT NULL,           -- hash of what was indexed (see _STATE)
    source       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    url          TEXT,
    story        TEXT,
    topics       TEXT NOT NULL,           -- space-separated topic ids
    provinces    TEXT NOT NULL            -- '|'-separated province names
);
CREATE INDEX IF NOT EXISTS search_docs_story ON search_docs (story);
-- The text, the FTS5 external content (the same rowids).
CREATE TABLE IF NOT EXISTS search_text (
    rowid        INTEGER PRIMARY KEY,
    title        TEXT,
    lead         TEXT,
    body         TEXT,                    -- the indexed part of the body
    tags         TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS search_sources (source TEXT PRIMARY KEY, documents INTEGER NOT NULL);
-- Per local day (Asia/Ho_Chi_Minh, days since 1970-01-01), topic ('' for none) and province:
-- each story there and how many of its documents. Distinct stories over any period are then
-- one grouped count in SQLite (the map, the heat map, places new to a topic), never a walk
-- through every document of the period. Kept by the same inserts and deletes as search_docs.
CREATE TABLE IF NOT EXISTS search_day_cells (
    day          INTEGER NOT NULL,
    topic        TEXT NOT NULL,
    province     TEXT NOT NULL,
    story        TEXT NOT NULL,
    documents    INTEGER NOT NULL,
    PRIMARY KEY (day, topic, province, story)
) WITHOUT ROWID;
-- One topic's cells over a period (the map of a topic) without reading the other topics' rows.
CREATE INDEX IF NOT EXISTS search_day_cells_topic ON search_day_cells (topic, day, province, story);
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    title, lead, body, tags, content='search_text', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
);
"""
_TABLES = ("search_fts", "search_docs", "search_text", "search_sources", "search_day_cells", "search_meta")


def connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    """WAL mode: searches read while an update writes; writers wait for each other up to 30 s."""
    path = Path(path)
    if read_only:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30, check_same_thread=False,
                              isolation_level=None)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")
        if _version(con) not in (None, INDEX_VERSION):  # an older layout: derived data, rebuilt
            for table in _TABLES:
                con.execute(f"DROP TABLE IF EXISTS {table}")
        con.executescript(_SCHEMA)
        con.execute("INSERT OR IGNORE INTO search_meta VALUES ('version', ?)", (INDEX_VERSION,))
        _fill_day_cells(con)
    con.execute("PRAGMA busy_timeout = 30000")
    return con


def _fill_day_cells(con: sqlite3.Connection, batch: int = 50_000) -> None:
    """Fill `search_day_cells` from `search_docs` once, for a sidecar made before it existed
    (an empty sidecar is marked filled at once: its inserts keep the table)."""
    if con.execute("SELECT 1 FROM search_meta WHERE key = 'day_cells'").fetchone():
        return
    with _write(con):
        if con.execute("SELECT 1 FROM search_meta WHERE key = 'day_cells'").fetchone():
            return  # another updater filled it while this one waited
        con.execute("DELETE FROM search_day_cells")
        after = -1 << 62
        while True:
            rows = con.execute("SELECT rowid, story, topics, provinces FROM search_docs WHERE rowid > ? ORDER BY rowid LIMIT ?",
                               (after, batch)).fetchall()
            if not rows:
                break
            _count_day_cells(con, [(r[0], r[1], r[2].split(), r[3].split("|") if r[3] else []) for r in rows], +1)
            after = rows[-1][0]
        con.execute("INSERT OR REPLACE INTO search_meta VALUES ('day_cells', '1')")


def _day_cell_keys(rowid: int, story: str, topics: Sequence[str], provinces: Sequence[str]) -> list[tuple]:
    day = local_day_number(rowid)
    return [(day, topic, province, story) for province in set(provinces) for topic in (set(topics) or {""})]


def _count_day_cells(con: sqlite3.Connection, docs: Sequence[tuple], sign: int) -> None:
    """Add (sign +1) or take away (-1) documents (rowid, story, topics, provinces) from the day cells."""
    counts = Counter(key for doc in docs for key in _day_cell_keys(*doc))
    if sign > 0:
        con.executemany("INSERT INTO search_day_cells VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE "
                        "SET documents = documents + excluded.documents", [(*k, n) for k, n in counts.items()])
    else:
        con.executemany("UPDATE search_day_cells SET documents = documents - ? WHERE day = ? AND topic = ? "
                        "AND province = ? AND story = ?", [(n, *k) for k, n in counts.items()])
        con.executemany("DELETE FROM search_day_cells WHERE day = ? AND topic = ? AND province = ? AND story = ? "
                        "AND documents <= 0", list(counts))


def _version(con: sqlite3.Connection) -> str | None:
    try:
        row = con.execute("SELECT value FROM search_meta WHERE key = 'version'").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def exists(path: Path) -> bool:
    return Path(path).is_file()


# ---------------------------------------------------------------- incremental update (DuckDB side)

# The state of a document as the index sees it; any change re-indexes it. md5, not hash():
# stable across DuckDB versions, so an upgrade does not re-index everything.
_STATE = """substr(md5(concat_ws('|', d.content_hash, coalesce(CAST(d.text_dropped_at AS VARCHAR), ''), coalesce(d.thread_url, ''),
                  coalesce(CAST(epoch(d.published_at) AS VARCHAR), ''), d.source, d.kind,
                  coalesce(array_to_string(e.topics, ','), '~'), coalesce(array_to_string(e.provinces, '|'), '~'),
                  coalesce(e.story_id, ''))), 1, 16)"""
_CURRENT = f"""
    SELECT d.doc_id, {_STATE} AS state
    FROM documents d LEFT JOIN current_enrichments e USING (doc_id)
"""
# The same for a given set of documents only: the enrichment is chosen among theirs, not ranked
# over the whole table as the view would.
_WANTED_ENRICHMENTS = """
    SELECT e.doc_id, e.topics, e.provinces, e.story_id
    FROM enrichments e JOIN search_wanted w USING (doc_id)
    JOIN documents d2 ON d2.doc_id = e.doc_id AND d2.content_hash = e.content_hash
    QUALIFY row_number() OVER (PARTITION BY e.doc_id ORDER BY e.enriched_at DESC, e.model_version DESC) = 1
"""


def changed_documents(con: duckdb.DuckDBPyConnection, indexed: pa.Table) -> tuple[list[str], list[str]]:
    """(doc ids to (re)index, doc ids to remove), comparing DuckDB's documents with `indexed`
    (doc_id, state) from the sidecar."""
    register(con, "search_indexed", indexed)
    try:
        rows = con.execute(
            f"""
            WITH cur AS ({_CURRENT})
            SELECT coalesce(c.doc_id, i.doc_id), c.doc_id IS NULL
            FROM cur c FULL OUTER JOIN search_indexed i ON i.doc_id = c.doc_id
            WHERE c.state IS DISTINCT FROM i.state
            """
        ).fetchall()
    finally:
        con.unregister("search_indexed")
    return [r[0] for r in rows if not r[1]], [r[0] for r in rows if r[1]]


def documents_to_index(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> list[tuple]:
    """What the index keeps of each document (never its byline or author)."""
    register(con, "search_wanted", pa.table({"doc_id": list(doc_ids)}))
    try:
        return con.execute(
            f"""
            WITH e AS ({_WANTED_ENRICHMENTS})
            SELECT d.doc_id, {_STATE}, d.source, d.kind, coalesce(d.thread_url, d.url), coalesce(e.story_id, d.doc_id),
                   coalesce(e.topics, []), coalesce(e.provinces, []), d.title, d.lead, left(d.text, {BODY_CHARS}),
                   CAST(epoch(coalesce(d.published_at, d.fetched_at)) AS BIGINT)
            FROM search_wanted w JOIN documents d USING (doc_id) LEFT JOIN e USING (doc_id)
            """
        ).fetchall()
    finally:
        con.unregister("search_wanted")


# ---------------------------------------------------------------- incremental update (sidecar side)

@dataclass
class IndexSummary:
    indexed: int = 0
    removed: int = 0
    total: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return (f"Search index: {self.indexed} documents (re)indexed, {self.removed} removed, "
                f"{self.total} in the index ({self.seconds:.1f} s).")


def update_index(db_path: Path, path: Path | None = None, batch: int = 2000, lock_timeout_s: float = 600,
                 progress: Callable[[int, int], None] | None = None,
                 reader: Callable[[], contextlib.AbstractContextManager] | None = None) -> IndexSummary:
    """Bring the sidecar up to date with the database; one updater at a time (a lock file).

    `reader` opens a short read-only connection (default `open_reader(db_path)`)."""
    started = time.perf_counter()
    path = Path(path or index_path(db_path))
    reader = reader or (lambda: open_reader(db_path))
    summary = IndexSummary()
    with WriterLock(path, lock_timeout_s):
        con = connect(path)
        try:
            indexed = _indexed_states(con)
            with reader() as store:
                todo, gone = changed_documents(store.con, indexed)
            del indexed
            with _write(con):
                summary.removed = _remove(con, gone)
            for start in range(0, len(todo), batch):
                ids = todo[start:start + batch]
                with reader() as store:  # short: a writer waits at most one batch
                    rows = documents_to_index(store.con, ids)
                with _write(con):
                    _remove(con, [r[0] for r in rows])
                    _insert(con, rows)
                summary.indexed += len(rows)
                if progress:
                    progress(min(start + batch, len(todo)), len(todo))
            summary.total = con.execute("SELECT count(*) FROM search_docs").fetchone()[0]
        finally:
            con.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _indexed_states(con: sqlite3.Connection) -> pa.Table:
    ids, states = [], []
    for doc_id, state in con.execute("SELECT doc_id, state FROM search_docs"):
        ids.append(doc_id)
        states.append(state)
    return pa.table({"doc_id": pa.array(ids, pa.string()), "state": pa.array(states, pa.string())})


@contextlib.contextmanager
def _write(con: sqlite3.Connection) -> Iterator[None]:
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _remove(con: sqlite3.Connection, doc_ids: Sequence[str]) -> int:
    """Delete documents from the index: the FTS5 'delete' command needs the very tokens that
    were indexed, which the kept text gives back through the same folding."""
    rows = con.execute(
        "SELECT d.rowid, t.title, t.lead, t.body, t.tags, d.source, d.story, d.topics, d.provinces "
        "FROM search_docs d JOIN search_text t USING (rowid) WHERE d.doc_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(doc_ids)),)).fetchall()
    if not rows:
        return 0
    _count_day_cells(con, [(r[0], r[6], r[7].split(), r[8].split("|") if r[8] else []) for r in rows], -1)
    con.executemany("INSERT INTO search_fts (search_fts, rowid, title, lead, body, tags) VALUES ('delete', ?, ?, ?, ?, ?)",
                    [(r[0], fold_for_index(r[1]), fold_for_index(r[2]), fold_for_index(r[3]), r[4]) for r in rows])
    con.executemany("DELETE FROM search_docs WHERE rowid = ?", [(r[0],) for r in rows])
    con.executemany("DELETE FROM search_text WHERE rowid = ?", [(r[0],) for r in rows])
    con.executemany("UPDATE search_sources SET documents = documents - ? WHERE source = ?",
                    [(n, source) for source, n in Counter(r[5] for r in rows).items()])
    return len(rows)


def _insert(con: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    rowids = _free_rowids(con, [int(r[-1] or 0) for r in rows])
    docs, texts, fts, per_source, cells = [], [], [], Counter(), []
    for rowid, (doc_id, state, source, kind, url, story, topics, provinces, title, lead, body, _) in zip(rowids, rows):
        tags = document_tags(source, kind, topics, provinces)
        cells.append((rowid, story, topics, provinces))
        docs.append((rowid, doc_id, state, source, kind, url, story, " ".join(topics), "|".join(provinces)))
        texts.append((rowid, title, lead, body, tags))
        fts.append((rowid, fold_for_index(title), fold_for_index(lead), fold_for_index(body), tags))
        per_source[source] += 1
    con.executemany("INSERT INTO search_docs VALUES (?,?,?,?,?,?,?,?,?)", docs)
    con.executemany("INSERT INTO search_text VALUES (?,?,?,?,?)", texts)
    con.executemany("INSERT INTO search_fts (rowid, title, lead, body, tags) VALUES (?,?,?,?,?)", fts)
    con.executemany("INSERT INTO search_sources VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET documents = documents + excluded.documents",
                    list(per_source.items()))
    _count_day_cells(con, cells, +1)


def _free_rowids(con: sqlite3.Connection, seconds: list[int]) -> list[int]:
    """For each document its second's first free rowid (a thousand per second; more spill into
    the next seconds, where every candidate is checked). One statement asks the index for
    every second of the batch."""
    wanted = sorted(set(seconds))
    tops = dict(con.execute(
        f"SELECT s.value, (SELECT max(rowid) FROM search_docs WHERE rowid >= s.value * {ROWIDS_PER_SECOND} "
        f"AND rowid < (s.value + 1) * {ROWIDS_PER_SECOND}) FROM json_each(?) s", (json.dumps(wanted),)))
    taken: set[int] = set()
    out = []
    for second in seconds:
        top = tops.get(second)
        candidate = second * ROWIDS_PER_SECOND if top is None else top + 1
        # Within its own second, everything above the second's highest rowid is free; past it
        # (a second with more documents than rowids), another second's rows may be there.
        while candidate in taken or (candidate >= (second + 1) * ROWIDS_PER_SECOND and _rowid_used(con, candidate)):
            candidate += 1
        taken.add(candidate)
        out.append(candidate)
    return out


def _rowid_used(con: sqlite3.Connection, rowid: int) -> bool:
    return con.execute("SELECT 1 FROM search_docs WHERE rowid = ?", (rowid,)).fetchone() is not None


# ---------------------------------------------------------------- searching

@dataclass
class SearchQuery:
    phrases: list[list[str]] = field(default_factory=list)  # each phrase: its syllables, in order
    topic: str | None = None
    province: str | None = None
    source: str | None = None
    kind: str | None = None
    start: dt.datetime | None = None  # published at or after
    end: dt.datetime | None = None    # published before
    limit: int = 20
    offset: int = 0
    # A phrase that names a province (joined syllables -> province) also matches documents
    # tagged with that province, whatever their text calls the place ("An Dương", "TP Hải Phòng").
    places: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.phrases and not any((self.topic, self.province, self.source, self.kind))


@dataclass
class SearchHit:
    doc_id: str
    published_at: dt.datetime
    source: str
    kind: str
    url: str | None
    story: str | None
    topics: list[str]
    provinces: list[str]
    title: str | None
    lead: str | None
    body: str | None


@dataclass
class SearchResult:
    total: int
    weeks: list[tuple[dt.date, int]]  # (Monday, documents), oldest first
    hits: list[SearchHit]


def match_expression(query: SearchQuery) -> str:
    """The FTS5 query: every phrase quoted (so no user input is read as an operator), all ANDed."""
    parts = []
    for phrase in query.phrases:
        if not phrase:
            continue
        joined = " ".join(phrase)
        term = f'{_TEXT_COLUMNS} : "' + joined.replace('"', '""') + '"'
        place = query.places.get(joined)
        parts.append(f"({term} OR {{tags}} : {tag('province', place)})" if place else f"({term})")
    for kind, value in (("topic", query.topic), ("province", query.province), ("source", query.source),
                        ("kind", query.kind)):
        if value:
            parts.append(f"{{tags}} : {tag(kind, value)}")
    return " AND ".join(parts)


def _rowid_bounds(query: SearchQuery) -> tuple[int, int]:
    low = int(query.start.timestamp()) * ROWIDS_PER_SECOND if query.start else 0
    high = int(query.end.timestamp()) * ROWIDS_PER_SECOND if query.end else 2**62
    return low, high


def search(con: sqlite3.Connection, query: SearchQuery) -> SearchResult:
    """Matching documents newest first (one page), their total and their count per ISO week."""
    if query.empty:
        return SearchResult(0, [], [])
    expression = match_expression(query)
    low, high = _rowid_bounds(query)
    week = f"((rowid / {ROWIDS_PER_SECOND}) + {_VN_OFFSET_S - _MONDAY_S}) / {_WEEK_S}"
    weeks = con.execute(
        f"SELECT {week} AS w, count(*) FROM search_fts WHERE search_fts MATCH ? AND rowid >= ? AND rowid < ? GROUP BY w ORDER BY w",
        (expression, low, high),
    ).fetchall()
    ids = [r[0] for r in con.execute(
        "SELECT rowid FROM search_fts WHERE search_fts MATCH ? AND rowid >= ? AND rowid < ? ORDER BY rowid DESC LIMIT ? OFFSET ?",
        (expression, low, high, query.limit, query.offset),
    )]
    return SearchResult(sum(n for _, n in weeks), [(_monday(w), n) for w, n in weeks], _hits(con, ids))


def _monday(week_index: int) -> dt.date:
    return dt.date(1970, 1, 5) + dt.timedelta(weeks=week_index)


def _hits(con: sqlite3.Connection, rowids: list[int]) -> list[SearchHit]:
    if not rowids:
        return []
    marks = ",".join("?" * len(rowids))
    rows = {r[0]: r for r in con.execute(
        f"SELECT d.rowid, d.doc_id, d.source, d.kind, d.url, d.story, d.topics, d.provinces, t.title, t.lead, "
        f"substr(t.body, 1, 4000) FROM search_docs d JOIN search_text t USING (rowid) WHERE d.rowid IN ({marks})", rowids)}
    hits = []
    for rowid in rowids:
        _, doc_id, source, kind, url, story, topics, provinces, title, lead, body = rows[rowid]
        published = dt.datetime.fromtimestamp(rowid // ROWIDS_PER_SECOND, dt.timezone.utc)
        hits.append(SearchHit(doc_id, published, source, kind, url, story, topics.split() if topics else [],
                              provinces.split("|") if provinces else [], title, lead, body))
    return hits


def indexed_sources(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT source FROM search_sources WHERE documents > 0 ORDER BY source")]


def indexed_count(con: sqlite3.Connection) -> int:
    return con.execute("SELECT count(*) FROM search_docs").fetchone()[0]


# ---------------------------------------------------------------- the read model: counts over a period

def _bounds(start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    return int(start.timestamp()) * ROWIDS_PER_SECOND, int(end.timestamp()) * ROWIDS_PER_SECOND


def _rows(con: sqlite3.Connection, start: dt.datetime, end: dt.datetime, topic: str | None = None,
          province: str | None = None, columns: str = "d.rowid, d.story") -> list[tuple]:
    """Documents published in [start, end), optionally of one topic and/or province."""
    low, high = _bounds(start, end)
    wanted = [f"{{tags}} : {tag(kind, value)}" for kind, value in (("topic", topic), ("province", province)) if value]
    if not wanted:
        return con.execute(f"SELECT {columns} FROM search_docs d WHERE d.rowid >= ? AND d.rowid < ?", (low, high)).fetchall()
    return con.execute(
        f"SELECT {columns} FROM search_fts f JOIN search_docs d ON d.rowid = f.rowid "
        "WHERE search_fts MATCH ? AND f.rowid >= ? AND f.rowid < ?", (" AND ".join(wanted), low, high)).fetchall()


def local_day_number(rowid: int) -> int:
    """Days since 1970-01-01 of a rowid's publication day in Asia/Ho_Chi_Minh."""
    return (rowid // ROWIDS_PER_SECOND + _VN_OFFSET_S) // 86400


def local_day(rowid: int) -> dt.date:
    """The publication day in Asia/Ho_Chi_Minh of a rowid."""
    return _EPOCH_DAY + dt.timedelta(days=local_day_number(rowid))


def _day_number(day: dt.date) -> int:
    return (day - _EPOCH_DAY).days


def _day_range(start: dt.datetime, end: dt.datetime) -> tuple[int, int] | None:
    """[first, last) day numbers when [start, end) is whole local days, else None."""
    low, high = _bounds(start, end)
    if (low // ROWIDS_PER_SECOND + _VN_OFFSET_S) % 86400 or (high // ROWIDS_PER_SECOND + _VN_OFFSET_S) % 86400:
        return None
    return local_day_number(low), local_day_number(high)


def day_cells_ready(con: sqlite3.Connection) -> bool:
    try:
        return con.execute("SELECT 1 FROM search_meta WHERE key = 'day_cells'").fetchone() is not None
    except sqlite3.OperationalError:
        return False


def daily_counts(con: sqlite3.Connection, topic: str, province: str, start: dt.datetime,
                 end: dt.datetime) -> dict[dt.date, tuple[int, int]]:
    """Per day (Asia/Ho_Chi_Minh): (distinct stories, documents) of one topic x province cell."""
    stories: dict[dt.date, set] = {}
    documents: Counter = Counter()
    for rowid, story in _rows(con, start, end, topic, province):
        day = local_day(rowid)
        stories.setdefault(day, set()).add(story)
        documents[day] += 1
    return {day: (len(stories[day]), documents[day]) for day in stories}


def province_counts(con: sqlite3.Connection, start: dt.datetime, end: dt.datetime,
                    topic: str | None = None) -> dict[str, int]:
    """Distinct stories per province in [start, end), one topic or all."""
    days = _day_range(start, end) if day_cells_ready(con) else None
    if days is not None:
        return dict(con.execute(
            "SELECT province, count(DISTINCT story) FROM search_day_cells WHERE day >= ? AND day < ? "
            "AND (? IS NULL OR topic = ?) GROUP BY province", (*days, topic, topic)).fetchall())
    stories: dict[str, set] = {}
    for provinces, story in _rows(con, start, end, topic, columns="d.provinces, d.story"):
        for province in set(provinces.split("|")) if provinces else ():
            stories.setdefault(province, set()).add(story)
    return {p: len(s) for p, s in stories.items()}


def topic_province_counts(con: sqlite3.Connection, start: dt.datetime, end: dt.datetime) -> dict[tuple[str, str], int]:
    """Distinct stories per (province, topic) in [start, end): the heat map."""
    days = _day_range(start, end) if day_cells_ready(con) else None
    if days is not None:
        return {(p, t): n for p, t, n in con.execute(
            "SELECT province, topic, count(DISTINCT story) FROM search_day_cells WHERE day >= ? AND day < ? "
            "AND topic != '' GROUP BY province, topic", days).fetchall()}
    stories: dict[tuple[str, str], set] = {}
    for topics, provinces, story in _rows(con, start, end, columns="d.topics, d.provinces, d.story"):
        if not topics or not provinces:
            continue
        for province in set(provinces.split("|")):
            for topic in set(topics.split()):
                stories.setdefault((province, topic), set()).add(story)
    return {key: len(s) for key, s in stories.items()}


def story_members(con: sqlite3.Connection, story: str) -> list[str]:
    """The doc ids of one story, oldest first."""
    return [r[0] for r in con.execute("SELECT doc_id FROM search_docs WHERE story = ? ORDER BY rowid", (story,))]


def cell_stories(con: sqlite3.Connection, topic: str, province: str, start: dt.datetime, end: dt.datetime,
                 limit: int = 30) -> list[dict]:
    """The cell's stories in [start, end), most outlets first: headline (the earliest item's
    title), outlets, documents, first seen (over all time), each item's source and link."""
    members: dict[str, list[tuple]] = {}
    for row in _rows(con, start, end, topic, province, columns="d.rowid, d.story, d.source, d.url, d.doc_id"):
        members.setdefault(row[1], []).append(row)
    titles = dict(con.execute(
        f"SELECT rowid, title FROM search_text WHERE rowid IN ({','.join('?' * sum(map(len, members.values())))})",
        [r[0] for rows in members.values() for r in rows]).fetchall()) if members else {}
    stories = []
    for story, rows in members.items():
        rows.sort()
        first = con.execute("SELECT min(rowid) FROM search_docs WHERE story = ?", (story,)).fetchone()[0]
        stories.append({
            "story": story, "headline": titles.get(rows[0][0]), "outlets": len({r[2] for r in rows}),
            "documents": len(rows), "first_seen": _iso_vn(first),
            "links": sorted(({"source": r[2], "url": r[3], "title": titles.get(r[0])} for r in rows),
                            key=lambda link: (link["source"], link["url"] or "")),
        })
    stories.sort(key=lambda x: (-x["outlets"], -x["documents"], x["headline"] or ""))
    return stories[:limit]


def _iso_vn(rowid: int | None) -> str | None:
    if rowid is None:
        return None
    when = dt.datetime.fromtimestamp(rowid // ROWIDS_PER_SECOND, dt.timezone(dt.timedelta(seconds=_VN_OFFSET_S)))
    return when.isoformat(timespec="minutes")


# ---------------------------------------------------------------- the read model: the daily digest's counts
# The same frames as `store.digests` and `store.hotspots` compute in DuckDB (the workbench's
# Today page assembles them with the digest's own code), read from the sidecar instead: a day's
# documents are one rowid range, distinct stories over days are the day cells.

def day_documents(con: sqlite3.Connection, first_day: dt.date, last_day: dt.date) -> list[tuple]:
    """(rowid, source, url, story, topics, provinces) of every document published from
    `first_day` to `last_day` (local days, both included), oldest first."""
    low, high = _bounds(_local_midnight(first_day), _local_midnight(last_day + dt.timedelta(days=1)))
    return [(r[0], r[1], r[2], r[3], r[4].split(), r[5].split("|") if r[5] else []) for r in con.execute(
        "SELECT rowid, source, url, story, topics, provinces FROM search_docs WHERE rowid >= ? AND rowid < ? ORDER BY rowid",
        (low, high))]


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), dt.timezone(dt.timedelta(seconds=_VN_OFFSET_S)))


def daily_totals(con: sqlite3.Connection, day: dt.date, trailing_days: int = 7) -> pd.DataFrame:
    """As `store.digests.daily_totals`: documents, stories and sources per day, all (topic
    None) and per topic, for `day` and the `trailing_days` before it. Counted inside SQLite
    (each document's topics split by json_each), not row by row in Python."""
    low, high = _bounds(_local_midnight(day - dt.timedelta(days=trailing_days)),
                        _local_midnight(day + dt.timedelta(days=1)))
    day_of = f"(d.rowid / {ROWIDS_PER_SECOND} + {_VN_OFFSET_S}) / 86400"
    rows = con.execute(f"""
        SELECT {day_of} AS n, NULL, count(*), count(DISTINCT d.story), count(DISTINCT d.source)
        FROM search_docs d WHERE d.rowid >= ? AND d.rowid < ? GROUP BY n
        UNION ALL
        SELECT {day_of} AS n, t.value, count(DISTINCT d.rowid), count(DISTINCT d.story), count(DISTINCT d.source)
        FROM search_docs d, json_each('["' || replace(d.topics, ' ', '","') || '"]') t
        WHERE d.rowid >= ? AND d.rowid < ? AND d.topics != '' GROUP BY n, t.value
    """, (low, high, low, high)).fetchall()
    frame = pd.DataFrame(rows, columns=["published_day", "topic", "documents", "stories", "sources"])
    frame["published_day"] = [_EPOCH_DAY + dt.timedelta(days=int(n)) for n in frame["published_day"]]
    return frame


def top_stories(con: sqlite3.Connection, day: dt.date, per_group: int) -> pd.DataFrame:
    """As `store.digests.top_stories` for one local day, grouped by topic: documents with a
    topic and a province, best stories first (most outlets, most documents, headline), with
    their links and when each story was first seen (over all time)."""
    docs = [d for d in day_documents(con, day, day) if d[4] and d[5]]
    titles = _titles(con, [d[0] for d in docs])
    by_topic: dict[str, dict[str, list[tuple]]] = {}
    for doc in docs:
        for topic in dict.fromkeys(doc[4]):
            by_topic.setdefault(topic, {}).setdefault(doc[3], []).append(doc)
    rows = []
    for topic, stories in by_topic.items():
        ranked = []
        for story, members in stories.items():
            links = {(m[1], m[2], titles.get(m[0])) for m in members}
            ranked.append({"topic": topic, "story": story, "headline": titles.get(members[0][0]),
                           "outlets": len({m[1] for m in members}), "documents": len(members),
                           "links": [{"source": s, "url": u, "title": t} for s, u, t in links]})
        ranked.sort(key=lambda r: (-r["outlets"], -r["documents"], r["headline"] is None, r["headline"] or ""))
        for rank, row in enumerate(ranked[:per_group], start=1):
            rows.append({**row, "rank": rank})
    first_seen = _first_seen(con, {r["story"] for r in rows})
    frame = pd.DataFrame(rows, columns=["topic", "story", "headline", "outlets", "documents", "links", "rank"])
    frame["first_seen"] = pd.to_datetime([first_seen.get(s) for s in frame["story"]], utc=True)
    return frame.sort_values(["topic", "rank"]).reset_index(drop=True)


def _titles(con: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, str | None]:
    if not rowids:
        return {}
    return dict(con.execute("SELECT rowid, title FROM search_text WHERE rowid >= ? AND rowid <= ?",
                            (min(rowids), max(rowids))).fetchall())


def _first_seen(con: sqlite3.Connection, stories: set[str]) -> dict[str, dt.datetime]:
    out = {}
    for story in stories:
        first = con.execute("SELECT min(rowid) FROM search_docs WHERE story = ?", (story,)).fetchone()[0]
        if first is not None:
            out[story] = dt.datetime.fromtimestamp(first // ROWIDS_PER_SECOND, dt.timezone.utc)
    return out


def new_places(con: sqlite3.Connection, day: dt.date, lookback_days: int) -> pd.DataFrame:
    """As `store.digests.new_places`: (topic, province) pairs seen on `day` and in none of the
    `lookback_days` before it, with the day's documents, stories, first headline and link."""
    columns = ["topic", "province", "documents", "stories", "headline", "url"]
    if not day_cells_ready(con):
        return pd.DataFrame(columns=columns)
    number = _day_number(day)
    fresh = set(con.execute(
        "SELECT topic, province FROM search_day_cells WHERE day = ? AND topic != '' "
        "EXCEPT SELECT topic, province FROM search_day_cells WHERE day >= ? AND day < ? AND topic != ''",
        (number, number - lookback_days, number)).fetchall())
    if not fresh:
        return pd.DataFrame(columns=columns)
    found: dict[tuple[str, str], list[tuple]] = {}
    for doc in day_documents(con, day, day):
        for key in {(t, p) for t in doc[4] for p in doc[5]} & fresh:
            found.setdefault(key, []).append(doc)
    titles = _titles(con, [docs[0][0] for docs in found.values()])
    rows = [(t, p, len(docs), len({d[3] for d in docs}), titles.get(docs[0][0]), docs[0][2])
            for (t, p), docs in found.items()]
    rows.sort(key=lambda r: (-r[3], r[0], r[1]))
    return pd.DataFrame(rows, columns=columns)


def weekly_story_series(con: sqlite3.Connection, cells: Sequence[tuple[str, str]], last_week_start: dt.date,
                        weeks: int) -> dict[tuple[str, str], list[int]]:
    """As `store.hotspots.weekly_story_series`: stories per ISO week for each cell, oldest first."""
    series = {cell: [0] * weeks for cell in cells}
    if not cells:
        return series
    first = _day_number(last_week_start - dt.timedelta(weeks=weeks - 1))
    rows = con.execute(
        "SELECT c.topic, c.province, (c.day - ?) / 7, count(DISTINCT c.story) FROM search_day_cells c "
        "JOIN json_each(?) w ON c.topic = json_extract(w.value, '$[0]') AND c.province = json_extract(w.value, '$[1]') "
        "WHERE c.day >= ? AND c.day < ? GROUP BY 1, 2, 3",
        (first, json.dumps([list(c) for c in cells]), first, first + 7 * weeks)).fetchall()
    for topic, province, i, stories in rows:
        if (topic, province) in series and 0 <= i < weeks:
            series[(topic, province)][i] = stories
    return series
