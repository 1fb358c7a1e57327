"""The pipeline contract: ensure_model + enrich_pending on a real DuckDB file."""
import datetime as dt
import json
import sys

import pytest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import documents as fx  # noqa: E402

from pipeline.enrichment import STORY_MEMORY_DAYS, enrich_pending, ensure_model
from store import open_reader, open_writer
from store.documents import upsert_documents
from core.records import Document

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=fx.VN)


def store_docs(settings, items):
    docs = [Document(url=i["url"], source=i["source"], kind="press", title=i["title"], lead=i["lead"], text=i["text"],
                     fetched_at=NOW, published_at=i["published_at"], default_province=i.get("default_province"))
            for i in items]
    with open_writer(settings.database) as store:
        # store.db's migration check leaves a fetchone() result open, which DuckDB 2 refuses
        # before register(); close it (reported to the lead: store/db.py schema_version).
        store.con.execute("SELECT 1").fetchall()
        upsert_documents(store.con, docs)
    return {i["url"]: d.doc_id for i, d in zip(items, docs)}


def current(settings):
    with open_reader(settings.database) as store:
        rows = store.con.execute(
            "SELECT doc_id, language, topics, provinces, story_id, model_version, scores FROM current_enrichments").fetchall()
    return {r[0]: r for r in rows}


def test_ensure_model_returns_the_current_version(settings):
    version = ensure_model(settings)
    assert version.startswith("topics-")
    assert ensure_model(settings) == version


def test_enrich_pending_tags_clusters_and_records(settings):
    ids = store_docs(settings, fx.ALL)
    summary = enrich_pending(settings, now=NOW)
    assert summary.documents == len(fx.ALL)
    rows = current(settings)
    strike = rows[ids[fx.STRIKE["url"]]]
    assert set(strike[2]) >= fx.STRIKE["expected"]["topics"]
    assert strike[3] == fx.STRIKE["expected"]["provinces"]
    assert set(json.loads(strike[6])) >= {"labor", "land"}  # a probability for every topic
    # the republication joins the first story
    assert rows[ids[fx.STRIKE_REPUBLISHED["url"]]][4] == strike[4]
    assert summary.stories_joined >= 1
    foreign = rows[ids[fx.FOREIGN["url"]]]
    assert foreign[1] == "other" and list(foreign[2]) == []
    assert list(rows[ids[fx.EMPTY["url"]]][2]) == []
    provincial = rows[ids[fx.PROVINCIAL_NO_PLACE["url"]]]
    assert set(provincial[2]) >= fx.PROVINCIAL_NO_PLACE["expected"]["topics"]
    assert list(provincial[3]) == ["Quảng Ngãi"]
    assert {r[5] for r in rows.values()} == {summary.model_version}


def test_nothing_pending_twice_and_a_changed_page_is_re_enriched(settings):
    ids = store_docs(settings, [fx.STRIKE])
    enrich_pending(settings, now=NOW)
    assert enrich_pending(settings, now=NOW).documents == 0
    changed = {**fx.STRIKE, "title": fx.STRIKE["title"] + " (cập nhật)"}
    store_docs(settings, [changed])
    assert enrich_pending(settings, now=NOW + dt.timedelta(hours=1)).documents == 1
    assert ids[fx.STRIKE["url"]] in current(settings)


def test_a_republication_crawled_later_joins_the_stored_story(settings):
    ids = store_docs(settings, [fx.STRIKE])
    enrich_pending(settings, now=NOW)
    ids.update(store_docs(settings, [fx.STRIKE_REPUBLISHED]))
    enrich_pending(settings, now=NOW + dt.timedelta(days=1))
    rows = current(settings)
    assert rows[ids[fx.STRIKE_REPUBLISHED["url"]]][4] == rows[ids[fx.STRIKE["url"]]][4]


def test_a_backfill_in_one_run_keeps_the_story_window(settings):
    # An archive imported at once: the same wording published a month apart is two stories,
    # as it would be had the two been crawled a month apart.
    late = {**fx.STRIKE_REPUBLISHED, "published_at": fx.STRIKE["published_at"] + dt.timedelta(days=STORY_MEMORY_DAYS + 16)}
    ids = store_docs(settings, [fx.STRIKE, late])
    summary = enrich_pending(settings, now=NOW)
    rows = current(settings)
    assert rows[ids[late["url"]]][4] != rows[ids[fx.STRIKE["url"]]][4]
    assert summary.stories_new == 2


def test_story_memory_older_than_its_window_is_pruned(settings):
    store_docs(settings, [fx.STRIKE])
    enrich_pending(settings, now=NOW)
    store_docs(settings, [fx.STRIKE_REPUBLISHED])
    summary = enrich_pending(settings, now=NOW + dt.timedelta(days=STORY_MEMORY_DAYS + 1))
    assert summary.signatures_forgotten == 1
    with open_reader(settings.database) as store:
        remaining = store.con.execute("SELECT count(*) FROM nlp_story_signatures").fetchall()[0][0]
    assert remaining == 1  # only the republication, indexed today


def test_the_model_is_recorded_with_provenance(settings):
    store_docs(settings, [fx.STRIKE])
    enrich_pending(settings, now=NOW)
    with open_writer(settings.database) as store:  # models rows are written at training time
        from store import nlp as nlp_store
        from nlp.model import TopicModel
        model = TopicModel.load(settings.model_dir)
        nlp_store.record_model(store.con, "topics", model.version, "x", model.meta, NOW)
        prov = json.loads(store.con.execute("SELECT provenance FROM models").fetchone()[0])
    assert prov["training_counts"]["seed"] > 500
    assert "scikit-learn" in prov["libraries"]


@pytest.mark.slow
def test_an_edited_rules_file_gets_a_new_model(settings, tmp_path):
    from importlib import resources

    rules = tmp_path / "topics.yaml"
    rules.write_text(resources.files("nlp").joinpath("rules", "topics.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    own = settings.model_copy(update={"nlp": settings.nlp.model_copy(update={"model_dir": tmp_path / "m", "rules_file": rules})})
    first = ensure_model(own)
    assert ensure_model(own) == first
    rules.write_text(rules.read_text(encoding="utf-8").replace("đình công: 5", "đình công: 6"), encoding="utf-8")
    assert ensure_model(own) != first


@pytest.mark.slow
def test_a_model_trained_on_an_older_seed_set_is_retrained(settings, tmp_path):
    own = settings.model_copy(update={"nlp": settings.nlp.model_copy(update={"model_dir": tmp_path / "m"})})
    first = ensure_model(own)
    assert ensure_model(own) == first
    meta = tmp_path / "m" / first / "meta.json"  # as a model from before an upgrade of the seed files
    meta.write_text(meta.read_text(encoding="utf-8").replace('"seed_fingerprint"', '"old_seed_fingerprint"'), encoding="utf-8")
    assert ensure_model(own) != first
