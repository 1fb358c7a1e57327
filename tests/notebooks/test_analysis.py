"""The helpers behind the notebooks, read straight from a real DuckDB file (see conftest.py)."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from pipeline import analysis

REPO = Path(__file__).resolve().parents[2]
PLANTED = ("labor", "Hải Phòng", "2026-W47")
ELEVEN_WEEKS = [f"2026-W{w}" for w in range(37, 48)]


# ---------------------------------------------------------------- where the database is

def test_database_path_prefers_DULUN_DB_then_the_settings(tmp_path):
    assert analysis.database_path({"DULUN_DB": "/srv/x.duckdb"}) == Path("/srv/x.duckdb")
    assert analysis.database_path({"DULUN_DB_PATH": "/srv/y.duckdb"}) == Path("/srv/y.duckdb")
    assert analysis.database_path({"DULUN_DATA_DIR": str(tmp_path)}) == tmp_path / "dulun.duckdb"


def test_from_the_notebooks_folder_the_project_database_and_config_are_found(tmp_path, empty_db):
    # Jupyter starts kernels in notebooks/; `make demo` leaves data/dulun.duckdb at the root.
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "data" / "dulun.duckdb").write_bytes(empty_db.read_bytes())
    assert analysis.database_path({}, start=project / "notebooks") == project / "data" / "dulun.duckdb"
    (project / "dulun.toml").write_text('db_path = "store/main.duckdb"\n', encoding="utf-8")
    assert analysis.database_path({}, start=project / "notebooks") == project / "store" / "main.duckdb"


def test_a_missing_database_is_one_clear_sentence(tmp_path):
    from core.errors import UserError

    with pytest.raises(UserError, match="No database at"):
        analysis.overview(tmp_path / "nowhere.duckdb")


def test_weeks_are_continuous_even_without_documents(synthetic_db):
    assert analysis.week_range("2026-W52", "2027-W02") == ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    assert analysis.last_weeks(synthetic_db, 11) == ELEVEN_WEEKS
    assert analysis.last_weeks(synthetic_db, 3, until="2026-W45") == ["2026-W43", "2026-W44", "2026-W45"]


# ---------------------------------------------------------------- trends

def test_topic_totals_count_distinct_stories_and_cells_add_up(synthetic_db):
    weeks = analysis.last_weeks(synthetic_db, 8)
    counts = analysis.weekly_counts(synthetic_db, weeks)
    by_topic = analysis.trend_table(counts, weeks, by="topic")
    assert list(by_topic.index) == weeks
    # The planted week: 5 planted stories plus the week's everyday labor stories elsewhere.
    assert by_topic.loc["2026-W47", "labor"] >= 5 + 1
    cells = counts[(counts["topic"] == "labor") & (counts["province"] == "Hải Phòng") & (counts["iso_week"] == "2026-W47")]
    assert cells[["documents", "stories", "sources"]].iloc[0].tolist() == [14, 5, 4]


def test_a_story_naming_two_provinces_counts_in_each_but_once_for_its_topic(synthetic_db):
    counts = analysis.weekly_counts(synthetic_db, ["2026-W47"]).set_index(["topic", "province"])
    cells = counts.loc[("safety", "Hải Phòng"), "stories"] + counts.loc[("safety", "Quảng Ninh"), "stories"]
    others = counts.loc[[("safety", p) for p in counts.loc["safety"].index if p not in ("Hải Phòng", "Quảng Ninh", "(all)")], "stories"].sum()
    assert counts.loc[("safety", "(all)"), "stories"] == cells + others - 1


def test_heatmap_has_topics_by_provinces_and_the_flag_is_stored(synthetic_db):
    weeks = analysis.last_weeks(synthetic_db, 8)
    matrix = analysis.heatmap_matrix(analysis.weekly_counts(synthetic_db, weeks), weeks)
    assert "labor" in matrix.index and "Hải Phòng" in matrix.columns
    assert analysis.NO_PROVINCE not in matrix.columns
    flags = analysis.hotspot_flags(synthetic_db, weeks)
    assert list(zip(flags["topic"], flags["province"], flags["iso_week"], flags["level"])) == [(*PLANTED, "new")]


# ---------------------------------------------------------------- drill-down

def test_the_planted_week_is_picked_and_explained(synthetic_db):
    timeline = analysis.cell_timeline(synthetic_db, "labor", "Hải Phòng", ELEVEN_WEEKS, baseline_weeks=8)
    week = analysis.pick_week(timeline)
    assert week == "2026-W47"
    text = analysis.explain_week(timeline, week, "labor", "Hải Phòng")
    assert text.startswith("2026-W47: labor in Hải Phòng had 5 stories (14 documents from 4 sources).")
    assert "expected 0.12 stories" in text and "p = 0.00017" in text and "Level: new" in text


def test_an_unflagged_cell_is_explained_from_a_recomputed_baseline(synthetic_db):
    timeline = analysis.cell_timeline(synthetic_db, "labor", "Hải Phòng", ELEVEN_WEEKS)
    assert "No hot-spot row is stored" in analysis.explain_week(timeline, "2026-W38", "labor", "Hải Phòng")
    assert "Not flagged" in analysis.explain_week(timeline, "2026-W41", "labor", "Hải Phòng")


def test_stories_and_sources_of_the_week(synthetic_db):
    stories = analysis.cell_stories(synthetic_db, *PLANTED)
    assert len(stories) == 5 and stories["documents"].sum() == 14
    assert stories.iloc[0]["story"] == "Hải Phòng: công nhân khu công nghiệp ngừng việc đòi nợ lương"
    history = analysis.cell_stories(synthetic_db, "labor", "Hải Phòng", ELEVEN_WEEKS)
    assert list(history["iso_week"]) == ["2026-W47"] * 5 + ["2026-W41", "2026-W37"]
    sources = analysis.cell_sources(synthetic_db, "labor", "Hải Phòng", ELEVEN_WEEKS)
    assert sources.loc["2026-W47"].sum() == 14 and (sources.loc["2026-W47"] > 0).sum() == 4


def test_key_phrases_of_the_planted_week_are_strikes_and_unpaid_wages(synthetic_db):
    phrases = analysis.key_phrases(synthetic_db, *PLANTED, baseline=ELEVEN_WEEKS[2:-1])
    assert list(phrases["phrase"][:2]) == ["nợ lương", "đình công"]
    assert (phrases["baseline"][:2] == 0).all() and (phrases["z"] > 0).all()
    assert "nợ" not in set(phrases["phrase"])  # covered by "nợ lương"


def test_log_odds_ranks_what_is_new_this_week_above_what_is_usual():
    focus = Counter({"đình_công": 10, "công_nhân": 10})
    baseline = Counter({"công_nhân": 10, "bảo_hiểm": 5})
    table = analysis.log_odds(focus, baseline, focus + baseline).set_index("phrase")
    assert table.loc["đình_công", "z"] > 1 > abs(table.loc["công_nhân", "z"])
    assert table.loc["bảo_hiểm", "z"] < 0


def test_the_tokenizer_keeps_vietnamese_words_and_never_pairs_across_punctuation():
    found = analysis.phrases("Công nhân đình công. Nợ lương!")
    assert "đình_công" in found and "nợ lương" in found
    assert "đình_công nợ" not in found


# ---------------------------------------------------------------- classifier review

def test_confusion_table_rows_are_truth_columns_what_was_given():
    table = analysis.confusion_table([["labor"], ["land", "complaints"], []], [["labor"], ["land"], ["safety"]])
    assert table.loc["labor", "labor"] == 1
    assert table.loc["complaints", "land"] == 1 and table.loc["land", "land"] == 1
    assert table.loc["(none)", "safety"] == 1
    assert table.values.sum() == 4


def test_label_review_scores_the_model_against_labels(synthetic_db):
    review = analysis.label_review(synthetic_db)
    assert review.labeled == 36 and review.message.startswith("36 labeled documents")
    per_topic = review.per_topic.set_index("topic")
    # Every 4th labeled document was relabeled "complaints" only, so complaints recall drops.
    assert per_topic.loc["complaints", "recall"] < 0.6 <= per_topic.loc["labor", "recall"]


def test_without_labels_the_review_explains_and_points_to_rules_vs_model(unlabeled_db):
    review = analysis.label_review(unlabeled_db)
    assert review.labeled == 0 and "no analyst labels" in review.message
    assert review.confusion.empty


def test_without_labels_the_demo_sites_intended_topics_stand_in(unlabeled_db, tmp_path):
    # The demo site's expected.json: items by URL (another port than at crawl time), forum
    # posts inherit their thread's topics.
    import store

    with store.open_reader(unlabeled_db) as db:
        first, second = [row[0] for row in db.con.execute("SELECT url FROM documents ORDER BY url LIMIT 2").fetchall()]
    elsewhere = lambda url: url.replace("https://tin.example.vn", "http://127.0.0.1:8123")  # noqa: E731
    manifest = {"items": [
        {"url": elsewhere(first), "topics": ["labor"], "provinces": []},
        {"url": "http://127.0.0.1:8123/thread/1/", "topics": ["safety"], "posts": [{"url": elsewhere(second)}]},
        {"url": "http://127.0.0.1:8123/not-crawled.html", "topics": ["land"]},
    ]}
    expected = tmp_path / "expected.json"
    expected.write_text(json.dumps(manifest), encoding="utf-8")
    assert analysis.expected_topics(expected)[analysis.url_key(second)] == ["safety"]
    review = analysis.label_review(unlabeled_db, expected)
    assert review.labeled == 2 and "intended topics" in review.message
    assert review.confusion.values.sum() >= 2


def test_least_sure_lists_the_closest_calls_first(synthetic_db):
    unsure = analysis.least_sure(synthetic_db, top=10)
    assert len(unsure) == 10 and unsure["margin"].is_monotonic_increasing
    assert unsure["margin"].iloc[0] < 0.05
    assert not {"author_hash", "byline"} & set(unsure.columns)


def test_rules_vs_model_uses_the_nlp_stages_yaml_rules(synthetic_db, settings):
    comparison = analysis.rules_vs_model(synthetic_db, settings)
    assert comparison.available, comparison.message
    assert "YAML rules" in comparison.message
    assert {"topic", "both"} <= set(comparison.per_topic.columns)


def test_rules_vs_model_compares_with_any_rules_classifier(synthetic_db, settings):
    # A stand-in for the rules: everything mentioning wages is labor, nothing else.
    wages_are_labor = lambda docs: [["labor"] if "lương" in (d["text"] or "") else [] for d in docs]  # noqa: E731
    comparison = analysis.rules_vs_model(synthetic_db, settings, classify=wages_are_labor)
    assert comparison.available
    labor = comparison.per_topic.set_index("topic").loc["labor"]
    assert labor["both"] >= 14 and labor["model only"] > 0
    assert len(comparison.disagreements) == 15


def test_a_failing_rules_classifier_is_reported_not_raised(synthetic_db, settings):
    def broken(docs):
        raise TypeError("an older signature")

    comparison = analysis.rules_vs_model(synthetic_db, settings, classify=broken)
    assert not comparison.available and "TypeError" in comparison.message


# ---------------------------------------------------------------- robustness and principles

def test_every_helper_copes_with_a_fresh_empty_database(empty_db, settings):
    weeks = analysis.last_weeks(empty_db, 8)
    assert weeks == []
    counts = analysis.weekly_counts(empty_db, weeks)
    assert analysis.heatmap_matrix(counts, weeks).empty
    assert analysis.hotspot_flags(empty_db).empty
    assert analysis.label_review(empty_db).labeled == 0
    assert analysis.least_sure(empty_db).empty and analysis.score_spread(empty_db).empty
    assert not analysis.rules_vs_model(empty_db, settings).available
    assert analysis.key_phrases(empty_db, *PLANTED, baseline=[]).empty
    assert analysis.cell_stories(empty_db, *PLANTED).empty


def test_author_hashes_are_only_ever_counted_as_distinct_voices():
    for path in (REPO / "store" / "analysis.py", REPO / "pipeline" / "analysis.py"):
        code = re.sub(r'""".*?"""|#[^\n]*', "", path.read_text(encoding="utf-8"), flags=re.S)
        uses = re.findall(r"[^\n]*author_hash[^\n]*", code)
        assert all("count(DISTINCT d.author_hash)" in use for use in uses), uses
        assert "byline" not in code
