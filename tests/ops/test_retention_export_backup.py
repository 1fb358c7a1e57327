"""Retention drops raw text of old posts but keeps counts, topics and places; export writes
Parquet by published day; backup makes a verified, consistent copy. All through real `dulun`
subprocesses on a real DuckDB file."""
from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from ops_support import wait_for_line
from core.settings import load_settings
from pipeline.retention import run_retention
from store import open_reader, open_writer
from store.documents import upsert_documents
from core.records import Document, content_hash

VN = dt.timezone(dt.timedelta(hours=7))
TODAY = dt.datetime.now(VN)


def doc(n: int, kind: str, days_ago: int, text: str = "") -> Document:
    published = TODAY - dt.timedelta(days=days_ago)
    return Document(
        url=f"http://127.0.0.1/{kind}/{n}", source=f"demo-{kind}", kind=kind,
        title=f"{kind} {n}: công nhân đình công ở Hải Phòng", lead=f"lead {n}",
        text=text or f"Người lao động ở Hải Phòng chưa được trả lương ({n}).",
        byline="Phóng viên A" if kind == "press" else None,
        author_hash="a1b2c3" if kind == "post" else None,
        fetched_at=published + dt.timedelta(hours=1), published_at=published,
    )


# old post (200 days), recent post (10 days), old press item (200 days), old petition (300 days)
CORPUS = [doc(1, "post", 200), doc(2, "post", 10), doc(3, "press", 200), doc(4, "petition", 300)]


def enrich_all(con) -> None:
    """Test data: one current enrichment per document (labor in Hải Phòng)."""
    con.execute(
        """
        INSERT INTO enrichments (doc_id, model_version, content_hash, language, topics, scores, provinces,
                                 story_id, enriched_at)
        SELECT doc_id, 'test-model', content_hash, 'vi', ['labor'], '{"labor": 0.9}', ['Hải Phòng'],
               doc_id, now()
        FROM documents
        """
    )


@pytest.fixture
def filled(ops_env):
    with open_writer(ops_env.db, 5) as store:
        upsert_documents(store.con, CORPUS)
        # the old post changed once: its earlier version carries raw text too
        upsert_documents(store.con, [doc(1, "post", 200, text="Bản cập nhật: công nhân vẫn chưa được trả lương.")])
        enrich_all(store.con)
    return ops_env


def topic_place_counts(db: Path) -> list[tuple]:
    with open_reader(db) as store:
        return store.con.execute(
            "SELECT kind, topic, province, count(*) FROM document_topic_places GROUP BY ALL ORDER BY ALL"
        ).fetchall()


def test_retention_drops_old_post_text_but_keeps_counts_topics_and_places(filled):
    before = topic_place_counts(filled.db)
    result = filled.dulun("retention")
    assert result.returncode == 0, result.stderr
    assert "Dropped the raw text of 2 document(s) and 1 earlier version(s)" in result.stdout

    with open_reader(filled.db) as store:
        rows = dict(((kind, n), (lead, text, dropped)) for kind, n, lead, text, dropped in store.con.execute(
            "SELECT kind, split_part(url, '/', -1), lead, text, text_dropped_at FROM documents"
        ).fetchall())
        versions = store.con.execute("SELECT count(*) FROM document_versions").fetchall()[0][0]
        titles = store.con.execute("SELECT count(*) FROM documents WHERE title IS NOT NULL").fetchall()[0][0]
    assert rows[("post", "1")][:2] == (None, None) and rows[("post", "1")][2] is not None
    assert rows[("post", "2")][1] is not None  # recent post kept
    assert rows[("press", "3")][1] is not None  # press is not a post
    assert rows[("petition", "4")][:2] == (None, None)  # petitions are retained like posts by default
    assert versions == 0
    assert titles == 4
    assert topic_place_counts(filled.db) == before  # the old post still counts, with its topic and place

    again = filled.dulun("retention")
    assert "Dropped the raw text of 0 document(s)" in again.stdout  # idempotent


def test_retention_kinds_and_days_come_from_settings(filled):
    filled.config.write_text(filled.config.read_text() + '\n[retention]\npost_text_days = 250\nkinds = ["petition"]\n')
    counts = run_retention(load_settings(filled.config, environ={}))
    assert counts.documents == 1  # only the 300-day-old petition; the 200-day-old post is younger than 250 days
    with open_reader(filled.db) as store:
        assert store.con.execute("SELECT kind FROM documents WHERE text IS NULL").fetchall() == [("petition",)]


def test_the_dropped_text_does_not_survive_in_the_files_free_blocks(tmp_path):
    """DuckDB keeps the old bytes of updated values in free blocks, through CHECKPOINT and VACUUM
    alike: with text stored uncompressed (so a plain grep finds it), a dropped post is still in
    the file after retention without the rewrite, and gone with it (the default)."""
    secret = "Tôi là Trần Thị Bích, nhà ở số 12 ngõ 34 phố Lạch Tray, công ty nợ lương tôi ba tháng."
    found = {}
    for compact in (False, True):
        settings = load_settings(environ={}).model_copy(update={"data_dir": tmp_path / f"compact-{compact}"})
        settings = settings.model_copy(update={"retention": settings.retention.model_copy(update={"compact": compact})})
        settings.data_dir.mkdir()
        con = duckdb.connect(str(settings.database))
        con.execute("SET force_compression = 'uncompressed'")
        from store.db import migrate

        migrate(con)
        upsert_documents(con, [doc(1, "post", 200, text=secret), *CORPUS[1:]])
        con.execute("CHECKPOINT")
        con.close()
        assert secret.encode() in settings.database.read_bytes()
        counts = run_retention(settings)
        assert counts.documents == 2 and counts.compacted is compact
        found[compact] = secret.encode() in settings.database.read_bytes()
        with open_reader(settings.database) as store:  # the rewritten file is the same database
            assert store.con.execute("SELECT count(*), count(text) FROM documents").fetchall() == [(4, 2)]
    assert found == {False: True, True: False}


def test_backups_older_than_backup_days_are_deleted_by_retention(filled, tmp_path):
    backups = filled.data_dir / "backups"
    backups.mkdir(parents=True)
    old_stamp = time.time() - 40 * 86400
    for name, stamp in (("dulun-20261001-031500.duckdb", old_stamp), ("dulun-20261001-031500.duckdb.partial", old_stamp),
                        ("dulun-20261120-031500.duckdb", time.time() - 3 * 86400)):
        (backups / name).write_bytes(b"backup")
        os.utime(backups / name, (stamp, stamp))
    elsewhere = tmp_path / "operator-backup.duckdb"  # written with --out: the operator's to manage
    elsewhere.write_bytes(b"backup")
    os.utime(elsewhere, (old_stamp, old_stamp))
    result = filled.dulun("retention")
    assert result.returncode == 0, result.stderr
    assert "Deleted 2 backup(s) older than 30 days." in result.stdout
    assert [p.name for p in backups.iterdir()] == ["dulun-20261120-031500.duckdb"]
    assert elsewhere.exists()


def test_export_writes_parquet_partitioned_by_published_day_without_people_columns(filled, tmp_path):
    out = tmp_path / "parquet"
    since = (TODAY - dt.timedelta(days=250)).date().isoformat()
    result = filled.dulun("export", "--since", since, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"Exported 3 document(s) published since {since}" in result.stdout
    days = {p.name for p in out.iterdir()}
    assert days == {f"published_day={(TODAY - dt.timedelta(days=d)).date().isoformat()}" for d in (200, 10)}
    table = pq.read_table(out, partitioning="hive")
    assert table.num_rows == 3
    assert {"doc_id", "kind", "title", "topics", "provinces", "published_day"} <= set(table.column_names)
    assert "byline" not in table.column_names and "author_hash" not in table.column_names
    assert set(table.column("kind").to_pylist()) == {"post", "press"}
    rows = {r["kind"]: r for r in table.to_pylist() if r["kind"] == "press" or r["doc_id"] == CORPUS[1].doc_id}
    assert rows["press"]["text"] and rows["press"]["url"]
    # A post's text and its permalink (which shows its author) never leave the database.
    assert (rows["post"]["text"], rows["post"]["lead"], rows["post"]["url"]) == (None, None, None)
    assert rows["post"]["title"] and rows["post"]["topics"] == ["labor"]


def test_export_rejects_a_bad_date_in_one_sentence(filled):
    result = filled.dulun("export", "--since", "23/11/2026")
    assert result.returncode == 2
    assert "use YYYY-MM-DD, for example 2026-11-23" in result.stderr and "Traceback" not in result.stderr


def test_backup_is_a_verified_copy_and_never_overwrites(filled, tmp_path):
    out = tmp_path / "backup.duckdb"
    result = filled.dulun("backup", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "verified: 4 documents" in result.stdout
    copy = duckdb.connect(str(out), read_only=True)
    try:
        assert copy.execute("SELECT count(*) FROM current_enrichments").fetchall()[0][0] == 4
        assert copy.execute("SELECT count(*) FROM document_versions").fetchall()[0][0] == 1
    finally:
        copy.close()
    again = filled.dulun("backup", "--out", str(out))
    assert again.returncode == 2 and "already exists; choose another --out." in again.stderr


@pytest.mark.slow
def test_backup_waits_for_a_running_writer_so_the_copy_is_consistent(filled, reaper, tmp_path):
    writer = filled.spawn_writer(6, 500, pause=0.3)
    reaper(writer)
    wait_for_line(writer, "batch 0 committed")
    out = tmp_path / "during.duckdb"
    result = filled.dulun("backup", "--out", str(out))
    assert result.returncode == 0, result.stderr
    copy = duckdb.connect(str(out), read_only=True)
    try:
        rows = copy.execute("SELECT url, title, lead, text, content_hash FROM documents WHERE source = 'writer-test'").fetchall()
    finally:
        copy.close()
    assert len(rows) % 500 == 0 and len(rows) >= 500  # whole batches: the copy was taken between writes
    assert all(h == content_hash(t, lead, text) for _, t, lead, text, h in rows)
    writer.communicate(timeout=120)
