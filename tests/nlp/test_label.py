"""Stage 7: analyst feedback, driven from a pipe as a script would."""
import datetime as dt
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import documents as fx  # noqa: E402

import pytest

from nlp.label import parse_answer
from pipeline.enrichment import enrich_pending, label_session, train
from store import open_reader, open_writer
from store import nlp as nlp_store
from store.documents import upsert_documents
from core.records import Document

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=fx.VN)


def test_answers_parse():
    assert parse_answer("land, complaints\n") == ["land", "complaints"]
    assert parse_answer("none") == []
    assert parse_answer("") is None
    assert parse_answer("q") == "quit"
    with pytest.raises(ValueError, match="unknown topic weather"):
        parse_answer("weather")


def test_labels_are_recorded_and_used_by_the_next_training(settings, tmp_path):
    docs = [Document(url=i["url"], source=i["source"], kind="press", title=i["title"], lead=i["lead"], text=i["text"],
                     fetched_at=NOW, published_at=i["published_at"]) for i in (fx.STRIKE, fx.PROVINCIAL_NO_PLACE)]
    with open_writer(settings.database) as store:
        store.con.execute("SELECT 1").fetchall()
        upsert_documents(store.con, docs)
    enrich_pending(settings, now=NOW)
    out = io.StringIO()
    # a typo is explained and asked again; then one label, one skip (end of input)
    recorded = label_session(settings, 5, io.StringIO("labr\nlabor complaints\n\n"), out, now=NOW)
    assert recorded == 1
    assert "unknown topic labr" in out.getvalue()
    with open_reader(settings.database) as store:
        labels = nlp_store.labeled_documents(store.con)
    assert [sorted(l["topics"]) for l in labels] == [["complaints", "labor"]]
    # the next training counts the analyst label (into its own model dir, not the shared one)
    own = settings.model_copy(update={"nlp": settings.nlp.model_copy(update={"model_dir": tmp_path / "own-models"})})
    model = train(own, now=NOW)
    assert model.meta["training_counts"]["analyst_labels"] == 1


def test_weak_supervision_adds_confidently_rule_labeled_crawled_documents(rules, gazetteer):
    from nlp.train import weak_labels

    crawled = [
        {"id": "w1", "title": "Hàng nghìn công nhân đình công vì bị nợ lương, nợ BHXH",
         "sapo": "Công nhân ngừng việc tập thể, chủ doanh nghiệp bỏ trốn.", "text": ""},
        {"id": "w2", "title": "Đội tuyển bóng đá thắng đậm trong trận giao hữu", "sapo": "Các cầu thủ chơi hay.", "text": ""},
        {"id": "w3", "title": "Hello world", "sapo": "An English page.", "text": ""},
    ]
    labeled = {d["id"]: d["topics"] for d in weak_labels(crawled, rules, gazetteer, limit=10)}
    assert labeled == {"w1": ["labor"], "w2": []}
