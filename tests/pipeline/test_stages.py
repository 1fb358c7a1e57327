"""The one pipeline definition (dulun/stages.py): `dulun run`, `dulun job` and the scheduler
all follow it, in the order crawl -> enrich -> follow-up -> detect -> hot spots -> digests -> alerts."""
from __future__ import annotations

import dataclasses

from core.settings import Settings
from dulun import stages
from dulun.jobs import run_stage_here
from dulun.schedule import job_specs
from store import open_reader


def names(chosen) -> list[str]:
    return [s.name for s in chosen]


def test_the_pipeline_order():
    assert names(stages.PIPELINE) == ["crawl", "enrich", "followup", "detect", "search-index", "hotspots",
                                      "digest", "weekly-digest", "alerts"]
    assert set(stages.STAGES) == set(names(stages.PIPELINE)) | {"retention"}


def test_enrichment_is_the_cycle_enrich_followup_detect_alerts_and_new_hot_spots_are_followed_by_the_weekly_digest_and_alerts():
    # Follow-up comes before detection, so the cycle's alerts see each issue thread as it stands.
    assert names(stages.job_of("enrich")) == ["enrich", "followup", "detect", "search-index", "alerts"]
    assert names(stages.job_of("detect")) == ["detect", "alerts"]
    assert names(stages.job_of("hotspots")) == ["hotspots", "weekly-digest", "alerts"]
    # A crawl that stored documents starts the enrich job: the whole cycle.
    assert stages.CRAWL.then_when_stored == "enrich"


def test_the_workbench_search_index_follows_every_enrichment_and_retention():
    assert "search-index" in names(stages.job_of("enrich"))
    assert names(stages.job_of("retention")) == ["retention", "search-index"]  # emptied text leaves the index


def test_the_scheduler_has_a_job_for_every_stage_with_a_clock_and_no_other(tmp_path):
    settings = Settings(data_dir=tmp_path)
    ids = {spec.id.split(":")[0] for spec in job_specs(settings, None)}
    assert ids == {s.name for s in stages.clocked(settings)} == {"crawl", "enrich", "hotspots", "digest", "alerts", "retention"}
    no_retention = Settings(data_dir=tmp_path, retention={"post_text_days": None})
    assert "retention" not in {spec.id for spec in job_specs(no_retention, None)}


def test_a_stage_that_follows_enrichment_is_one_entry(monkeypatch):
    tally = stages.Stage("tally", "counts per source", reads=("documents",), writes=("tallies",),
                         run=lambda settings, at: None, follows=("enrich",))
    pipeline = (stages.CRAWL, stages.ENRICH, tally, *stages.PIPELINE[2:])
    monkeypatch.setattr(stages, "PIPELINE", pipeline)
    monkeypatch.setattr(stages, "STAGES", {s.name: s for s in (*pipeline, stages.RETENTION)})
    assert names(stages.job_of("enrich")) == ["enrich", "tally", "followup", "detect", "search-index", "alerts"]
    assert names(stages.job_of("hotspots")) == ["hotspots", "weekly-digest", "alerts"]


def test_the_cycle_runs_at_one_moment(tmp_path, monkeypatch):
    seen = []
    record = lambda name: (lambda settings, at: seen.append((name, at.now)))  # noqa: E731
    pipeline = tuple(dataclasses.replace(s, run=record(s.name)) for s in stages.PIPELINE)
    monkeypatch.setattr(stages, "PIPELINE", pipeline)
    monkeypatch.setattr(stages, "STAGES", {s.name: s for s in (*pipeline, stages.RETENTION)})
    run_stage_here(Settings(data_dir=tmp_path), "enrich")
    assert [name for name, _ in seen] == ["enrich", "followup", "detect", "search-index", "alerts"]
    assert len({now for _, now in seen}) == 1


def test_the_hot_spot_job_writes_the_weekly_digest_and_alerts(timeline_db, now):
    summary = run_stage_here(timeline_db, "hotspots", now=now)
    assert list(summary["steps"]) == ["hotspots", "weekly-digest", "alerts"]
    with open_reader(timeline_db.database) as store:
        digests = store.con.execute("SELECT kind, period FROM digests").fetchall()
        alerts = store.con.execute("SELECT topic, province, kind, detected_at FROM alerts").fetchall()
    assert ("weekly", "2026-W47") in digests
    # Alerts are about the waves the rolling detection finds, detected at the job's moment.
    assert ("labor", "Hải Phòng", "opened", now) in alerts


def test_the_detect_job_alerts_at_its_moment(timeline_db, now):
    summary = run_stage_here(timeline_db, "detect", now=now)
    assert list(summary["steps"]) == ["detect", "alerts"]
    with open_reader(timeline_db.database) as store:
        runs = store.con.execute("SELECT detected_at FROM detection_runs").fetchall()
        alerts = store.con.execute("SELECT topic, province, detected_at FROM alerts").fetchall()
    assert runs == [(now,)]  # alerts reused the cycle's detection instead of detecting again
    assert ("labor", "Hải Phòng", now) in alerts
