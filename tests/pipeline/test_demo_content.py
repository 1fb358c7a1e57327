"""The demo's planted rise, with perfect tags: what `make demo` must show.

The demo site's generator (crawlers.demo_site.content, another helper's module) says what
every item means: topics, provinces and story. Loading those meanings as enrichments checks
this stage alone: with the default settings the labor rise in Hải Phòng in 2026-W47 is a hot
spot, it is in the daily digest of 2026-11-22, and the shipped alert rules deliver an alert
about the wave (the rolling detection at 2026-11-23 08:00) to the file channel. (Whether the NLP stage recovers those tags is that stage's own test.)
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from pipeline.alerts import run_alerts
from pipeline.digest import run_daily_digest
from pipeline.hotspots import run_hotspots
from store import open_writer
from store.documents import upsert_documents
from bench.synthetic import insert_enrichments
from core.records import Document, Enrichment


@pytest.fixture
def demo_items():
    content = pytest.importorskip("crawlers.demo_site.content", reason="the demo site generator is not in this tree")
    if not hasattr(content, "build_content"):
        pytest.skip("crawlers.demo_site.content has no build_content()")
    return content.build_content()


def test_the_demo_labor_rise_is_a_hot_spot_in_the_digest_and_an_alert(demo_items, settings, now):
    docs, tags = [], []
    for item in demo_items:
        doc = Document(url=f"http://127.0.0.1:8000/{item.source}/{item.number}", source=item.source, kind=item.kind,
                       title=item.title, lead=item.lead, text="\n".join(item.paragraphs),
                       fetched_at=item.published + dt.timedelta(hours=1), published_at=item.published)
        docs.append(doc)
        tags.append(Enrichment(doc_id=doc.doc_id, model_version="demo-truth", content_hash=doc.content_hash,
                               topics=list(item.topics), scores={}, provinces=list(item.provinces) if item.topics else [],
                               story_id=item.story))
    with open_writer(settings.database) as store:
        upsert_documents(store.con, docs)
        insert_enrichments(store.con, tags)

    hot = run_hotspots(settings, now=now)
    assert hot.iso_week == "2026-W47" and hot.levels.get("rising", 0) + hot.levels.get("new", 0) >= 1
    digest = json.loads(run_daily_digest(settings, now=now).json_path.read_text(encoding="utf-8"))
    flagged = [(h["topic"], h["province"]) for h in digest["hotspots"] if h["level"] != "cooling"]
    assert ("labor", "Hải Phòng") in flagged
    alerts = run_alerts(settings, now=now, environ={})
    assert alerts.sent >= 1
    delivered = [json.loads(p.read_text(encoding="utf-8")) for p in settings.alert_outbox_dir.glob("*.json")]
    assert ("labor", "Hải Phòng", "opened") in {(a["topic"], a["province"], a["kind"]) for a in delivered}
