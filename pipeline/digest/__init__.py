"""Daily and weekly digests: what analysts read each morning.

`run_daily_digest` writes `<digest_dir>/daily/YYYY-MM-DD.{html,md,json}` (same content three
ways) and records it in `digests`; `run_weekly_digest` does the same for a week's hot spots
under `<digest_dir>/weekly/`. Writing the same day or week again replaces both files and row.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings
from core.timeutil import VN
from pipeline.digest.build import daily_content, weekly_content
from pipeline.digest.render import write_all
from pipeline.hotspots import resolve_week
from core.taxonomy import load_topics
from store import open_writer
from store import digests as digest_store

log = logging.getLogger(__name__)


@dataclass
class DigestSummary:
    kind: str
    period: str
    html_path: Path
    md_path: Path
    json_path: Path
    hotspots: int
    documents: int

    def __str__(self) -> str:
        return (f"Digest {self.kind} {self.period}: {self.hotspots} hot spots, {self.documents} documents; "
                f"{self.html_path}")


def default_day(now: dt.datetime | None) -> dt.date:
    """Yesterday in Asia/Ho_Chi_Minh: the last complete day."""
    today = (now or dt.datetime.now(VN)).astimezone(VN).date()
    return today - dt.timedelta(days=1)


def run_daily_digest(settings: Settings, day: dt.date | None = None, now: dt.datetime | None = None) -> DigestSummary:
    now = now or dt.datetime.now(VN)
    day = day or default_day(now)
    topics = load_topics()
    with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
        content = daily_content(store.con, settings, day, topics, now)
        paths = write_all(content, settings.digest_dir / "daily", day.isoformat())
        summary = _summary(content, paths)
        digest_store.record_digest(store.con, "daily", content["period"], *(str(p) for p in paths.values()),
                              _row_summary(summary, content))
    log.info("%s", summary)
    return summary


def run_weekly_digest(settings: Settings, week: str | None = None, now: dt.datetime | None = None) -> DigestSummary:
    """The week's hot spots (default: the last complete week), rendered like the daily page."""
    now = now or dt.datetime.now(VN)
    label, monday = resolve_week(week, now)
    topics = load_topics()
    with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
        content = weekly_content(store.con, settings, label, monday, topics, now)
        paths = write_all(content, settings.digest_dir / "weekly", label)
        summary = _summary(content, paths)
        digest_store.record_digest(store.con, "weekly", label, *(str(p) for p in paths.values()),
                              _row_summary(summary, content))
    log.info("%s", summary)
    return summary


def _summary(content: dict, paths: dict[str, Path]) -> DigestSummary:
    return DigestSummary(
        kind=content["kind"], period=content["period"], html_path=paths["html"], md_path=paths["md"],
        json_path=paths["json"], hotspots=sum(1 for h in content["hotspots"] if h["level"] != "cooling"),
        documents=int(content["totals"].get("documents", 0)),
    )


def _row_summary(summary: DigestSummary, content: dict) -> dict:
    return {"hotspots": summary.hotspots, "documents": summary.documents, "hotspot_week": content.get("hotspot_week"),
            "cells": [f"{h['topic']}/{h['province']}/{h['level']}" for h in content["hotspots"]]}
