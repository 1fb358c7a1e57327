"""The search index: insensitive to tone marks, aware of Vietnamese words, filtered inside the
index, newest first with counts by week, and kept up to date incrementally (new, changed,
re-tagged, emptied and removed documents), on a real DuckDB file and a real SQLite sidecar."""
from __future__ import annotations

import datetime as dt

import pytest

from core.timeutil import VN
from dulun.web.query import place_phrases, search_phrases
from store import open_writer
from store.documents import upsert_documents
from bench.synthetic import insert_enrichments as _insert_enrichments_for_tests
from core.records import Document, Enrichment
from store.search_index import SearchQuery, connect, fold, fold_for_index, index_path, search, update_index

PROVINCES = ("Hải Phòng", "Hồ Chí Minh", "Hà Nội", "Cao Bằng")
DAY = dt.datetime(2026, 11, 20, 9, 0, tzinfo=VN)


def _doc(n: int, title: str, text: str, when: dt.datetime, source: str = "bao-a", kind: str = "press") -> Document:
    return Document(url=f"https://{source}.example.vn/tin/{n}.html", source=source, kind=kind, title=title,
                    lead=f"Tóm tắt {n}", text=text, fetched_at=when + dt.timedelta(minutes=30), published_at=when)


def _enrich(con, docs: list[Document], topics: list[str], provinces: list[str], version: str = "m1") -> None:
    _insert_enrichments_for_tests(con, [Enrichment(d.doc_id, version, d.content_hash, topics, {t: 0.9 for t in topics},
                                                   provinces) for d in docs])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "dulun.duckdb"
    with open_writer(path) as store:
        strike = [_doc(1, "Công nhân đình công vì bị nợ lương", "Hơn 500 công nhân ngừng việc ở An Dương.", DAY),
                  _doc(2, "Đình công ở khu công nghiệp", "Người lao động đòi trả lương.", DAY + dt.timedelta(days=1),
                       source="bao-b")]
        other = [_doc(3, "Công bố quyết định quy hoạch phòng cháy", "Hai phòng ban phối hợp.", DAY - dt.timedelta(days=9)),
                 _doc(4, "Người dân phản ánh ngập úng", "Đường ngập sau mưa.", DAY - dt.timedelta(days=2), kind="post")]
        upsert_documents(store.con, strike + other)
        _enrich(store.con, strike, ["labor"], ["Hải Phòng"])
        _enrich(store.con, other[:1], ["safety"], ["Hà Nội"])
        _enrich(store.con, other[1:], ["infrastructure"], ["Hồ Chí Minh"])
    return path


def _find(path, text: str = "", **filters):
    phrases = search_phrases(text, PROVINCES) if text else []
    con = connect(index_path(path), read_only=True)
    try:
        return search(con, SearchQuery(phrases=phrases, places=place_phrases(phrases, PROVINCES), **filters))
    finally:
        con.close()


def _titles(result) -> list[str]:
    return [h.title for h in result.hits]


def test_folding_removes_tone_marks_and_d_bar_but_keeps_token_positions():
    assert fold("Đình công ở Hải Phòng") == "dinh cong o hai phong"
    assert fold_for_index("Đình công") == "Dình công"  # the tokenizer removes the rest itself
    assert len(fold_for_index("Đường đê").split()) == 2


def test_a_query_with_or_without_tone_marks_finds_the_same_documents_newest_first(db):
    update_index(db)
    toned, toneless = _find(db, "đình công"), _find(db, "dinh cong")
    assert _titles(toned) == _titles(toneless) == ["Đình công ở khu công nghiệp", "Công nhân đình công vì bị nợ lương"]
    assert toned.total == 2 and sum(n for _, n in toned.weeks) == 2


def test_words_are_phrases_so_syllables_scattered_through_a_document_do_not_match(db):
    update_index(db)
    # "Công bố quyết định ... Hai phòng ban" has every syllable of "dinh cong hai phong", scattered.
    assert _titles(_find(db, "dinh cong hai phong")) == ["Đình công ở khu công nghiệp", "Công nhân đình công vì bị nợ lương"]
    assert search_phrases("dinh cong hai phong", PROVINCES) == [["dinh", "cong"], ["hai", "phong"]]
    assert search_phrases("Đình công Hồ Chí Minh", PROVINCES) == [["dinh", "cong"], ["ho", "chi", "minh"]]
    assert search_phrases("ngap ho chi minh", PROVINCES) == [["ngap"], ["ho", "chi", "minh"]]
    assert search_phrases('"nợ lương" công nhân', PROVINCES)[0] == ["no", "luong"]


def test_a_province_in_the_query_also_matches_documents_tagged_with_it(db):
    update_index(db)  # neither strike story's text says "Hải Phòng"; their tags do
    assert _find(db, "đình công hải phòng").total == 2
    assert _find(db, "ngập hồ chí minh").total == 1


def test_filters_by_topic_province_source_kind_and_period(db):
    update_index(db)
    assert _find(db, topic="labor").total == 2
    assert _find(db, "cong nhan", province="Hà Nội").total == 0
    assert _titles(_find(db, "dinh cong", source="bao-b")) == ["Đình công ở khu công nghiệp"]
    assert _find(db, kind="post").total == 1
    assert _find(db, "dinh cong", start=DAY + dt.timedelta(hours=12)).total == 1
    assert _find(db, "dinh cong", end=DAY + dt.timedelta(hours=12)).total == 1


def test_user_input_is_never_read_as_query_syntax(db):
    update_index(db)
    for text in ['"', "NEAR(a b)", "a OR b", "{title}: x", "*", "-", "công nhân*", "^đình", "a AND", "(("]:
        _find(db, text)  # no sqlite3.OperationalError


def test_updates_are_incremental_and_follow_changes_retagging_retention_and_removal(db):
    first = update_index(db)
    assert (first.indexed, first.removed, first.total) == (4, 0, 4)
    assert update_index(db).indexed == 0
    with open_writer(db) as store:
        changed = _doc(1, "Công nhân trở lại làm việc", "Công ty đã trả đủ lương.", DAY)
        upsert_documents(store.con, [changed])
        store.con.execute("DELETE FROM enrichments WHERE doc_id = ?", [changed.doc_id])
        _enrich(store.con, [changed], ["labor"], ["Hưng Yên"], version="m2")
        new = _doc(5, "Đình công lan sang Cao Bằng", "Công nhân ngừng việc.", DAY + dt.timedelta(days=2))
        upsert_documents(store.con, [new])
        store.con.execute("UPDATE documents SET text = NULL, lead = NULL, text_dropped_at = now() WHERE kind = 'post'")
        store.con.execute("DELETE FROM enrichments WHERE doc_id = ?", [_doc(3, "", "", DAY).doc_id])
        store.con.execute("DELETE FROM documents WHERE doc_id = ?", [_doc(3, "", "", DAY).doc_id])
    second = update_index(db)
    assert (second.indexed, second.removed, second.total) == (3, 1, 4)
    assert _titles(_find(db, "dinh cong")) == ["Đình công lan sang Cao Bằng", "Đình công ở khu công nghiệp"]
    assert _titles(_find(db, "tro lai lam viec")) == ["Công nhân trở lại làm việc"]
    assert _find(db, "ngap", kind="post").total == 1 and _find(db, "mua").total == 0  # body dropped, title kept
    assert _find(db, province="Hưng Yên").total == 1 and _find(db, "quy hoach").total == 0
    assert update_index(db).indexed == 0
    _assert_day_cells_as_filled_from_scratch(db)


def _assert_day_cells_as_filled_from_scratch(db) -> None:
    """The per-day story cells kept through changes and removals equal a fill from scratch."""
    import store.search_index as search_index

    con = connect(index_path(db))
    try:
        kept = sorted(con.execute("SELECT * FROM search_day_cells").fetchall())
        con.execute("DELETE FROM search_meta WHERE key = 'day_cells'")
        search_index._fill_day_cells(con)
        assert kept and sorted(con.execute("SELECT * FROM search_day_cells").fetchall()) == kept
    finally:
        con.close()


def test_the_read_model_counts_what_duckdb_counts(workbench_settings):
    """Cell series, map counts, the heat map and story members from the index equal the same
    counts made in DuckDB over documents and their current enrichments."""
    from store import open_reader
    from store import search_index as model
    from store import web as queries
    from core.timeutil import vn_midnight

    update_index(workbench_settings.database)
    first, last = dt.date(2026, 9, 21), dt.date(2026, 11, 22)
    start, end = vn_midnight(first), vn_midnight(last + dt.timedelta(days=1))
    con = connect(index_path(workbench_settings.database), read_only=True)
    try:
        with open_reader(workbench_settings.database) as store:
            for topic, province in (("labor", "Hải Phòng"), ("land", "Hà Nội"), ("public_order", "Hồ Chí Minh")):
                daily = queries.cell_daily_counts(store.con, topic, province, first, last)
                expected = {d.date(): (int(s), int(n)) for d, s, n in zip(daily["day"], daily["stories"], daily["documents"])}
                assert model.daily_counts(con, topic, province, start, end) == expected
            for topic in (None, "labor"):
                frame = queries.province_counts(store.con, start, end, topic)
                assert model.province_counts(con, start, end, topic) == dict(zip(frame.province, frame.stories))
            heat = queries.topic_province_weeks(store.con, start, end)
            assert model.topic_province_counts(con, start, end) == {(r.province, r.topic): r.stories for r in heat.itertuples()}
            story = store.con.execute("SELECT story_id FROM enrichments WHERE story_id LIKE 'hp-strike-0'").fetchall()[0][0]
            members = queries.story_mentions(store.con, story)
            assert model.story_members(con, story) == list(members.doc_id)
    finally:
        con.close()


def test_more_documents_in_one_second_than_it_has_rowids_spill_over_without_collisions(tmp_path, monkeypatch):
    import store.search_index as search_index

    monkeypatch.setattr(search_index, "ROWIDS_PER_SECOND", 2)
    path = tmp_path / "dulun.duckdb"
    with open_writer(path) as store:
        upsert_documents(store.con, [_doc(i, f"Tin {i}", "x", DAY) for i in range(3)] +
                         [_doc(9, "Tin sau một giây", "x", DAY + dt.timedelta(seconds=1))])
    assert update_index(path).total == 4
    with open_writer(path) as store:  # the second is full and its spill-over rowid is taken
        upsert_documents(store.con, [_doc(i, f"Tin {i}", "x", DAY) for i in range(3, 5)])
    assert update_index(path).total == 6


def test_todays_digest_from_the_read_model_equals_the_digest_counted_in_duckdb(workbench_settings):
    """Totals by topic, top stories, places new to a topic and the hot spots' weekly trends: the
    workbench's Today page (read model) says what the digest stage (DuckDB) says, day by day."""
    from core.taxonomy import load_topics
    from dulun.web.pages import ReadModelCounts
    from pipeline.digest.build import daily_content
    from store import open_reader

    update_index(workbench_settings.database)
    now = dt.datetime(2026, 11, 23, 8, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    topics = load_topics()
    con = connect(index_path(workbench_settings.database), read_only=True)
    try:
        with open_reader(workbench_settings.database) as store:
            for day in (dt.date(2026, 11, 17), dt.date(2026, 11, 19), dt.date(2026, 11, 22), dt.date(2026, 10, 5)):
                expected = daily_content(store.con, workbench_settings, day, topics, now, detect=False)
                found = daily_content(store.con, workbench_settings, day, topics, now, detect=False,
                                      counts=ReadModelCounts(con))
                assert found == expected, day
                assert expected["topics"] and expected["hotspots"] or day == dt.date(2026, 10, 5)
                if day == dt.date(2026, 11, 22):
                    assert [(p["topic"], p["province"]) for p in found["new_places"]] == [("labor", "Cao Bằng")]
    finally:
        con.close()
