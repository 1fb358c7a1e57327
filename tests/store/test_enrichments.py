"""One enrichment per document: a newer model's tags replace the older model's."""
import datetime as dt

from store import open_reader, open_writer
from store.documents import upsert_documents
from store.nlp import write_enrichments
from core.records import Document, Enrichment

VN = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN)


def test_retagging_with_a_newer_model_replaces_the_older_tags(tmp_path):
    db = tmp_path / "dulun.duckdb"
    doc = Document(url="https://baohaiphong.vn/a.html", source="baohaiphong", kind="press",
                   title="Công nhân ngừng việc", text="Công nhân ngừng việc vì nợ lương.", fetched_at=NOW,
                   published_at=NOW)
    row = {"doc_id": doc.doc_id, "content_hash": doc.content_hash, "language": "vi", "scores": {"labor": 0.9},
           "provinces": ["Hải Phòng"], "story_id": "s1"}
    with open_writer(db) as store:
        upsert_documents(store.con, [doc])
        write_enrichments(store.con, [Enrichment(**row, model_version="old", topics=["complaints"])], NOW)
        write_enrichments(store.con, [Enrichment(**row, model_version="new", topics=["labor"])], NOW)
    with open_reader(db) as store:
        assert store.con.execute("SELECT model_version, topics FROM enrichments").fetchall() == [("new", ["labor"])]
        assert store.con.execute("SELECT topics FROM current_enrichments").fetchall() == [(["labor"],)]
