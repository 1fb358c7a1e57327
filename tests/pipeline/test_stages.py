"""The one pipeline definition (dulun/stages.py): `dulun run`, `dulun job` and the scheduler
all follow it, in the order crawl -> enrich -> hot spots -> digests -> alerts."""
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
    assert names(stages.PIPELINE) == ["crawl", "enrich", "search-index", "hotspots", "digest", "weekly-digest", "alerts"]
    assert set(stages.STAGES) == set(names(stages.PIPELINE)) | {"retention"}


def test_new_hot_spots_are_followed_by_the_weekly_digest_and_the_alerts_and_enrichment_is_not():
    assert names(stages.job_of("hotspots")) == ["hotspots", "weekly-digest", "alerts"]
    assert names(stages.job_of("enrich")) == ["enrich", "search-index"]  # alerts read hot spots, not enrichments


def test_the_workbench_search_index_follows_every_enrichment_and_retention():
    assert names(stages.job_of("retention")) == ["retention", "search-index"]  # emptied text leaves the index


def test_the_scheduler_has_a_job_for_every_stage_with_a_clock_and_no_other(tmp_path):
    settings = Settings(data_dir=tmp_path)
    ids = {spec.id.split(":")[0] for spec in job_specs(settings, None)}
    assert ids == {s.name for s in stages.clocked(settings)} == {"crawl", "enrich", "hotspots", "digest", "alerts", "retention"}
    no_retention = Settings(data_dir=tmp_path, retention={"post_text_days": None})
    assert "retention" not in {spec.id for spec in job_specs(no_retention, None)}


def test_a_stage_that_follows_enrichment_is_one_entry(monkeypatch):
    detect = stages.Stage("detect", "rolling detection", reads=("enrichments",), writes=("detections",),
                          run=lambda settings, at: None, follows=("enrich",))
    alerts = dataclasses.replace(stages.ALERTS, follows=(*stages.ALERTS.follows, "detect"))
    pipeline = (stages.CRAWL, stages.ENRICH, detect, stages.HOTSPOTS, stages.DIGEST, stages.WEEKLY_DIGEST, alerts)
    monkeypatch.setattr(stages, "PIPELINE", pipeline)
    monkeypatch.setattr(stages, "STAGES", {s.name: s for s in (*pipeline, stages.RETENTION)})
    assert names(stages.job_of("enrich")) == ["enrich", "detect", "alerts"]
    assert names(stages.job_of("hotspots")) == ["hotspots", "weekly-digest", "alerts"]


def test_the_hot_spot_job_writes_the_weekly_digest_and_alerts(timeline_db, now):
    summary = run_stage_here(timeline_db, "hotspots", now=now)
    assert list(summary["steps"]) == ["hotspots", "weekly-digest", "alerts"]
    with open_reader(timeline_db.database) as store:
        digests = store.con.execute("SELECT kind, period FROM digests").fetchall()
        alerts = store.con.execute("SELECT topic, province, period FROM alerts").fetchall()
    assert ("weekly", "2026-W47") in digests
    assert ("labor", "Hải Phòng", "2026-W47") in alerts
