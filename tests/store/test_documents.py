"""Documents are upserted in batches: re-ingesting never duplicates, a changed page keeps its history."""
import datetime as dt

import pytest

from store import open_reader, open_writer
from store.documents import upsert_documents
from core.records import Document, canonical_url, document_id

VN = dt.timezone(dt.timedelta(hours=7))
FETCHED = dt.datetime(2026, 11, 16, 9, 0, tzinfo=VN)


def doc(n: int, title: str | None = None, **extra) -> Document:
    return Document(
        url=f"https://baohaiphong.vn/lao-dong/cong-nhan-ngung-viec-{n}.html",
        source="baohaiphong",
        kind="press",
        title=title or f"Hàng trăm công nhân ngừng việc vì bị nợ lương ({n})",
        lead="Công nhân Công ty TNHH may ở huyện Thủy Nguyên đồng loạt ngừng việc.",
        text="Sáng 16/11, khoảng 300 công nhân tập trung trước cổng công ty...",
        published_at=dt.datetime(2026, 11, 16, 7, 30, tzinfo=VN),
        fetched_at=FETCHED,
        **extra,
    )


@pytest.fixture
def db(tmp_path):
    return tmp_path / "dulun.duckdb"


def count(db, sql="SELECT count(*) FROM documents"):
    with open_reader(db) as store:
        return store.con.execute(sql).fetchone()[0]


def test_a_batch_is_inserted_once(db):
    with open_writer(db) as store:
        counts = upsert_documents(store.con, [doc(i) for i in range(500)])
    assert (counts.inserted, counts.updated, counts.unchanged) == (500, 0, 0)
    assert count(db) == 500


def test_reingesting_the_same_urls_does_not_duplicate(db):
    with open_writer(db) as store:
        upsert_documents(store.con, [doc(i) for i in range(50)])
        again = upsert_documents(store.con, [doc(i) for i in range(50)])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 50)
    assert count(db) == 50


def test_the_same_url_twice_in_one_batch_is_one_document(db):
    with open_writer(db) as store:
        counts = upsert_documents(store.con, [doc(1), doc(1, title="Bản sửa")])
    assert counts.inserted == 1
    assert count(db, "SELECT title FROM documents") == "Bản sửa"


def test_url_variants_of_one_page_share_an_id():
    a = "https://BaoHaiPhong.vn/lao-dong/bai-1.html?utm_source=fb#comments"
    b = "https://baohaiphong.vn/lao-dong/bai-1.html"
    assert canonical_url(a) == b
    assert document_id(a) == document_id(b)


def test_a_changed_page_updates_the_row_and_keeps_the_old_version(db):
    with open_writer(db) as store:
        upsert_documents(store.con, [doc(1, title="Công nhân ngừng việc")])
        counts = upsert_documents(store.con, [doc(1, title="Công nhân ngừng việc, công ty hứa trả lương")])
    assert (counts.inserted, counts.updated) == (0, 1)
    assert count(db, "SELECT title || ' v' || version FROM documents") == "Công nhân ngừng việc, công ty hứa trả lương v2"
    assert count(db, "SELECT title || ' v' || version FROM document_versions") == "Công nhân ngừng việc v1"


def test_times_keep_their_zone_and_read_back_in_vietnam_time(db):
    with open_writer(db) as store:
        upsert_documents(store.con, [doc(1)])
    published = count(db, "SELECT published_at FROM documents")
    assert published == dt.datetime(2026, 11, 16, 7, 30, tzinfo=VN)
    assert published.utcoffset() == dt.timedelta(hours=7)


def test_a_document_needs_a_known_kind_and_zoned_times():
    with pytest.raises(ValueError, match="kind"):
        doc(1).__class__(url="https://x.vn/a", source="s", kind="tweet", title="t", text="t", fetched_at=FETCHED)
    with pytest.raises(ValueError, match="time zone"):
        doc(1).__class__(url="https://x.vn/a", source="s", kind="post", title="t", text="t",
                         fetched_at=dt.datetime(2026, 11, 16, 9, 0))


def test_a_reopened_database_accepts_a_batch(db):
    # Regression: DuckDB 2 refused `register` after the migration check left a result unread.
    with open_writer(db) as store:
        upsert_documents(store.con, [doc(1)])
    with open_writer(db) as store:
        assert upsert_documents(store.con, [doc(2)]).inserted == 1
    assert count(db) == 2
