"""Rolling detection: the story index stays equal to a rebuild, counts never include the future,
the press's rhythm lowers what a Sunday or a holiday expects, episodes open once and close, and
on an hourly simulated timeline the rolling detector finds planted waves within hours where the
weekly table takes days."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from bench.simulate_rolling import (HourlySpec, IndexCounts, replay_rolling, replay_weekly, score_timeline,
                                    simulate_hourly, summarize)
from bench.synthetic import insert_synthetic_items
from core.records import Document, Enrichment
from core.settings import HotspotSettings
from core.timeutil import VN
from pipeline.detect import (advance_episodes, block_exposure, detect_now, read_counts, run_detect,
                             score)
from store import open_reader, open_writer
from store.detections import rebuild_story_index, refresh_story_index, story_index
from store.documents import upsert_documents
from store.nlp import write_enrichments

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN)


def _labor_doc(i: int, published: dt.datetime, fetched: dt.datetime | None = None) -> Document:
    return Document(url=f"https://bao-z.example.vn/lao-dong/{i}.html", source="bao-z", kind="press",
                    title=f"Công nhân ngừng việc số {i}", text=f"Nội dung {i}.", published_at=published,
                    fetched_at=fetched or published + dt.timedelta(minutes=20))


def _enrich(con, docs: list[Document], topics=("labor",), province="Hải Phòng", model="test-2") -> None:
    """Enrichments written by the NLP stage's own writer (what a cycle does)."""
    write_enrichments(con, [Enrichment(d.doc_id, model, d.content_hash, list(topics), {}, [province], d.doc_id, "vi")
                            for d in docs], dt.datetime.now(dt.timezone.utc))


def _rebuilt(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    maintained = story_index(con)
    rebuild_story_index(con, dt.datetime.now(dt.timezone.utc))
    return maintained, story_index(con)


def test_the_maintained_index_stays_equal_to_a_rebuild(timeline_db):
    """New documents, a republication published earlier than the report indexed first, and a
    re-tag that moves a story's first report to another topic: each refresh reads only what was
    enriched since the last one and ends where a rebuild from scratch ends."""
    with open_writer(timeline_db.database) as store:
        con = store.con
        assert refresh_story_index(con, NOW).mode == "rebuilt"
        new = [_labor_doc(i, NOW - dt.timedelta(hours=30 - i)) for i in range(3)]
        upsert_documents(con, new)
        _enrich(con, new)
        assert refresh_story_index(con, NOW).changed_documents == 3
        maintained, rebuilt = _rebuilt(con)
        pd.testing.assert_frame_equal(maintained, rebuilt)

        earlier = _labor_doc(9, NOW - dt.timedelta(hours=40))  # the same story, reported before
        upsert_documents(con, [earlier])
        write_enrichments(con, [Enrichment(earlier.doc_id, "test-2", earlier.content_hash, ["labor"], {}, ["Hải Phòng"],
                                           new[0].doc_id, "vi")], dt.datetime.now(dt.timezone.utc))
        _enrich(con, new[1:2], topics=("land",))  # a retrained model: this story is about land now
        refresh = refresh_story_index(con, NOW)
        assert refresh.mode == "incremental" and refresh.recomputed_stories == 1
        maintained, rebuilt = _rebuilt(con)
        pd.testing.assert_frame_equal(maintained, rebuilt)
        first = maintained[maintained.story == new[0].doc_id]
        assert first.first_doc.tolist() == [earlier.doc_id]
        assert set(maintained[maintained.story == new[1].doc_id].topic) == {"land"}
        assert refresh_story_index(con, NOW).mode == "unchanged"


def test_documents_published_or_fetched_after_now_never_count(timeline_db):
    """Two more Hải Phòng labor reports: one published an hour after `now`, one published before
    but fetched after it. Detection at `now` counts neither; two hours later both."""
    late = [_labor_doc(1, NOW + dt.timedelta(hours=1)),
            _labor_doc(2, NOW - dt.timedelta(hours=3), fetched=NOW + dt.timedelta(minutes=30))]
    cfg = HotspotSettings()

    def labor_week(con, at):
        rows = detect_now(con, at, cfg)
        return int(rows[(rows.topic == "labor") & (rows.province == "Hải Phòng") & (rows.window_hours == 168)].stories.iloc[0])

    with open_writer(timeline_db.database) as store:
        refresh_story_index(store.con, NOW)
        before = labor_week(store.con, NOW)
        upsert_documents(store.con, late)
        _enrich(store.con, late, model="test-1")
        refresh_story_index(store.con, NOW)
        assert labor_week(store.con, NOW) == before
        assert labor_week(store.con, NOW + dt.timedelta(hours=2)) == before + 2


def test_a_sunday_or_a_holiday_expects_fewer_stories_than_a_weekday():
    """The corpus publishes half as much on Sundays: a 24-hour window ending Sunday midnight
    expects less than one ending Tuesday midnight; Wednesday 2 September 2026 (National Day) is
    weighted like a Sunday; seven days always add up to one ordinary week."""
    how = np.ones(168) * 10
    how[6 * 24:] = 5  # Sunday
    sunday_end = dt.datetime(2026, 11, 23, 0, 0, tzinfo=VN)   # Monday 00:00: block 0 is Sunday
    tuesday_end = dt.datetime(2026, 11, 18, 0, 0, tzinfo=VN)
    assert block_exposure(sunday_end, 1, how)[0] < 0.8 * block_exposure(tuesday_end, 1, how)[0]
    holiday = block_exposure(dt.datetime(2026, 9, 3, 0, 0, tzinfo=VN), 1, how)[0]
    ordinary = block_exposure(dt.datetime(2026, 9, 10, 0, 0, tzinfo=VN), 1, how)[0]
    assert holiday == pytest.approx(block_exposure(sunday_end, 1, how)[0]) and holiday < ordinary
    assert block_exposure(tuesday_end, 7, how).sum() == pytest.approx(1.0)


def test_an_episode_opens_once_follows_the_wave_and_closes_after_quiet_hours():
    def rows(flagged: bool, stories: int) -> pd.DataFrame:
        return pd.DataFrame({"topic": ["labor"] * 2, "province": ["Hải Phòng"] * 2, "window_hours": [24, 168],
                             "stories": [stories, stories + 1], "baseline": [0.1, 0.4], "p_value": [1e-5, 1e-4],
                             "score": [5.0, 4.0], "flagged": [flagged, False], "level": ["rising" if flagged else None] * 2,
                             "hist_sum": [1.0, 1.0], "history_days": [56, 56], "best": [True, False],
                             "newest_story_at": [NOW - dt.timedelta(hours=2)] * 2})

    changed, opened = advance_episodes(pd.DataFrame(), rows(True, 3), NOW, close_after_hours=72)
    assert changed.empty and len(opened) == 1
    episode = opened.assign(episode_id=1)
    assert (episode.open_window_hours.iloc[0], episode.open_stories.iloc[0], episode.tipping_published_at.iloc[0]) == \
        (24, 3, NOW - dt.timedelta(hours=2))
    later = NOW + dt.timedelta(hours=5)
    changed, opened = advance_episodes(episode, rows(True, 6), later, close_after_hours=72)
    assert opened.empty and changed.week_stories.iloc[0] == 7 and changed.last_flagged_at.iloc[0] == later
    quiet = advance_episodes(changed, rows(False, 1), later + dt.timedelta(hours=71), 72)[0]
    assert pd.isna(quiet.closed_at.iloc[0])
    closed = advance_episodes(quiet, rows(False, 1), later + dt.timedelta(hours=72), 72)[0]
    assert closed.closed_at.iloc[0] == later + dt.timedelta(hours=72)


def test_running_detection_twice_at_one_moment_opens_one_episode_and_an_earlier_moment_leaves_them(timeline_db):
    first = run_detect(timeline_db, now=NOW)
    assert first.opened == 1 and first.flagged[0].startswith("labor Hải Phòng")
    again = run_detect(timeline_db, now=NOW)
    assert again.opened == 0
    earlier = run_detect(timeline_db, now=NOW - dt.timedelta(days=3))
    assert not earlier.episodes_advanced
    with open_reader(timeline_db.database) as store:
        episodes = store.con.execute("SELECT topic, province, closed_at FROM detect_episodes").fetchall()
    assert episodes == [("labor", "Hải Phòng", None)]


def test_the_benchmarks_in_memory_counts_are_the_store_counts(tmp_path):
    """bench_detect replays six weeks hour by hour from an in-memory copy of the index; it must
    give the model exactly what `read_counts` reads from the store."""
    sim = simulate_hourly(HourlySpec(history_weeks=9, evaluated_weeks=1, seed=3))
    cfg = HotspotSettings()
    with open_writer(tmp_path / "sim.duckdb") as store:
        insert_synthetic_items(store.con, sim.items)
        refresh_story_index(store.con, NOW)
        memory = IndexCounts(story_index(store.con), cfg)
        for hours in (0, 31, 77, 150):
            moment = sim.spec.evaluated_start + dt.timedelta(hours=hours, minutes=17)
            sql, mem = read_counts(store.con, moment, moment, cfg), memory.at(moment, moment)
            assert sql.cells.equals(mem.cells) and np.array_equal(sql.blocks, mem.blocks)
            assert np.array_equal(sql.hour_of_week, mem.hour_of_week) and sql.data_start == mem.data_start


@pytest.mark.slow
def test_on_an_hourly_timeline_the_rolling_detector_is_timely_and_quiet(tmp_path):
    """Bursts of 8 extra stories over 1-4 days in quiet and busy cells, three evaluated weeks,
    detection every hour. The pinned minimums are the issue's goals; the full figures (several
    seeds and sizes) are in bench/results/detect.json."""
    sim = simulate_hourly(HourlySpec(evaluated_weeks=3, burst_size=8, seed=11))
    cfg = HotspotSettings()
    with open_writer(tmp_path / "sim.duckdb") as store:
        insert_synthetic_items(store.con, sim.items)
        refresh_story_index(store.con, NOW)
        index = story_index(store.con)
        weekly = summarize(score_timeline(sim, replay_weekly(store.con, sim.spec, cfg)))
    rolling = summarize(score_timeline(sim, replay_rolling(index, sim.spec, cfg)))
    print("rolling:", rolling, "\nweekly:", weekly)
    assert rolling["bursts"] >= 30
    assert rolling["recall"] >= 0.9
    assert rolling["false_alarms_per_100_quiet"] <= 1.0
    assert rolling["latency_third_h"]["median"] <= 6.0
    assert weekly["latency_third_h"]["median"] >= 24.0  # the baseline it replaces: days, not hours


def test_an_earlier_moment_leaves_episodes_alone_even_when_none_was_open_later(timeline_db):
    """The later run flagged nothing, so no episode records it: the detection runs still say a
    later moment was seen, and the wave at the earlier moment opens no episode after the fact."""
    later = run_detect(timeline_db, now=NOW + dt.timedelta(days=30))
    assert later.opened == 0
    earlier = run_detect(timeline_db, now=NOW)
    assert not earlier.episodes_advanced and earlier.opened == 0
    with open_reader(timeline_db.database) as store:
        assert store.con.execute("SELECT count(*) FROM detect_episodes").fetchone() == (0,)
