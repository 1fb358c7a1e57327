"""Weekly hot spots: the planted rise is flagged, steady big cells are not, recomputing replaces,
and on a simulated timeline the detector finds planted bursts with few false alarms."""
from __future__ import annotations

import pytest

from core.errors import UserError
from core.settings import HotspotSettings
from pipeline.hotspots import FLAGGED_LEVELS, run_hotspots
from bench.simulate import SimulationSpec, score_detector, simulate
from store import open_reader, open_writer
from bench.synthetic import insert_synthetic_items


def _week(settings, week):
    with open_reader(settings.database) as store:
        return store.con.execute(
            "SELECT topic, province, documents, stories, sources, level, baseline, score FROM hotspots WHERE iso_week = ? ORDER BY topic, province",
            [week],
        ).df()


def test_the_planted_labor_rise_in_hai_phong_is_flagged_and_steady_cities_are_not(timeline_db, now):
    summary = run_hotspots(timeline_db, now=now)  # default: the last complete week
    assert summary.iso_week == "2026-W47"
    rows = _week(timeline_db, "2026-W47").set_index(["topic", "province"])
    hp = rows.loc[("labor", "Hải Phòng")]
    assert hp.level in ("rising", "new")
    assert (hp.documents, hp.stories, hp.sources) == (10, 6, 5)
    assert hp.baseline < 1.0 and hp.score > 3
    flagged = rows[rows.level.isin(FLAGGED_LEVELS)]
    # Hà Nội has three land stories every week: many items, nothing unusual.
    assert list(flagged.index) == [("labor", "Hải Phòng")]


def test_recomputing_a_week_replaces_it(timeline_db, now):
    run_hotspots(timeline_db, week="2026-W47", now=now)
    first = _week(timeline_db, "2026-W47")
    run_hotspots(timeline_db, week="2026W47", now=now)
    again = _week(timeline_db, "2026-W47")
    assert len(again) == len(first) and again[["topic", "province", "stories"]].equals(first[["topic", "province", "stories"]])


def test_a_week_after_the_rise_is_cooling_and_two_weeks_in_a_row_is_persistent(timeline_db, now):
    run_hotspots(timeline_db, week="2026-W48", now=now)
    rows = _week(timeline_db, "2026-W48").set_index(["topic", "province"])
    assert rows.loc[("labor", "Hải Phòng")].level == "cooling"
    assert rows.loc[("labor", "Hải Phòng")].stories == 0


def test_a_bad_week_is_a_user_error(timeline_db, now):
    with pytest.raises(UserError, match="2026-W99"):
        run_hotspots(timeline_db, week="2026-W99")
    with pytest.raises(UserError, match="YYYY-Www"):
        run_hotspots(timeline_db, week="last week")


def test_detector_on_a_simulated_timeline_finds_planted_bursts_with_few_false_alarms(tmp_path):
    """Bursts of max(8, 2 x rate) extra stories planted in 70+ distinct cells over 6 weeks;
    the figures for several seeds are in bench/results/hotspots.json."""
    sim = simulate(SimulationSpec(seed=11))
    with open_writer(tmp_path / "sim.duckdb") as store:
        insert_synthetic_items(store.con, sim.items)
        score = score_detector(store.con, sim, HotspotSettings())
    print("simulated detection:", score.as_dict())
    assert score.planted >= 70
    assert score.recall >= 0.9
    assert score.false_alarms_per_100 <= 1.0


def test_only_the_newest_enrichment_of_the_current_content_counts(timeline_db, now):
    """A second model re-tags the Hải Phòng strike items as `land`: the labor rise is gone,
    a land rise appears (old enrichments stay stored but no longer count)."""
    from bench.synthetic import insert_enrichments
    from core.records import Enrichment

    with open_writer(timeline_db.database) as store:
        rows = store.con.execute(
            "SELECT e.doc_id, e.content_hash, e.story_id FROM enrichments e "
            "WHERE list_contains(e.topics, 'labor') AND list_contains(e.provinces, 'Hải Phòng')"
        ).fetchall()
        insert_enrichments(store.con, [
            Enrichment(doc_id=d, model_version="test-2", content_hash=h, topics=["land"], scores={"land": 0.8},
                       provinces=["Hải Phòng"], story_id=s) for d, h, s in rows
        ])
    run_hotspots(timeline_db, week="2026-W47", now=now)
    rows = _week(timeline_db, "2026-W47").set_index(["topic", "province"])
    assert ("labor", "Hải Phòng") not in rows.index
    assert rows.loc[("land", "Hải Phòng")].level in ("rising", "new")


def test_an_empty_database_stores_nothing_and_flags_nothing(settings, now):
    with open_writer(settings.database):  # `dulun init`: an empty database
        pass
    summary = run_hotspots(settings, now=now)
    assert (summary.iso_week, summary.cells, summary.levels) == ("2026-W47", 0, {})
