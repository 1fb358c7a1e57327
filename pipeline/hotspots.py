"""Weekly hot spots: which topic x province cells were unusual in an ISO week, against the place's
own history. The table digests, notebooks and the weekly report read.

The model is the one rolling detection uses (`pipeline.detect`), for the 7-day window that ends
Sunday 24:00 (Asia/Ho_Chi_Minh): for every cell, stories (a story counts once, at its first
report in the cell), documents and sources, scored by a negative-binomial tail probability
against the cell's trailing `baseline_weeks` weeks:

* expected rate  lambda = (trailing story sum + k * prior) / (weeks + k)
  where the prior is the topic's national weekly rate times the province's share of all stories.
  A quiet cell (zeros and ones) keeps a small but non-zero expectation, so a sudden wave there
  is very improbable, while a big city's steady high count is expected.
* variance = lambda + phi * lambda^2, phi pooled over the week's busy cells (median of their
  method-of-moments estimates, never below `dispersion_floor`): big cells fluctuate more than
  Poisson, and one cell's eight weeks are too few to estimate its own spread.
* a cell flagged the week before keeps that week's expectation, so a burst that goes on is
  judged against the quiet weeks before it, not against its own first week.
* a week with a public holiday expects fewer stories (the press's rhythm; see pipeline.detect).

A cell is flagged when it has at least `min_stories` stories and p <= `max_p_value`.
Levels: new (flagged, no history at all), rising (flagged, not flagged the week before),
persistent (flagged this week and the week before), cooling (flagged the week before, not now).
The week before is judged by the same model in the same pass, so recomputing any week alone
gives the same answer. Only documents fetched by `now` count, so `--now` replays the table as
it could have been computed then.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import pandas as pd

from core.settings import HotspotSettings, Settings
from core.timeutil import VN, last_complete_week, parse_iso_week, week_start
from pipeline.detect import FLAGGED_LEVELS, weekly_cells
from store import open_writer
from store import hotspots as hotspot_store
from store.detections import refresh_story_index

log = logging.getLogger(__name__)
__all__ = ["FLAGGED_LEVELS", "HotspotSummary", "compute", "resolve_week", "run_hotspots", "to_rows"]


@dataclass
class HotspotSummary:
    iso_week: str
    cells: int
    levels: dict[str, int]
    seconds: float

    def __str__(self) -> str:
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(self.levels.items())) or "none flagged"
        return f"Hot spots {self.iso_week}: {self.cells} topic x province cells ({shown})."


def resolve_week(week: str | None, now: dt.datetime | None) -> tuple[str, dt.date]:
    """The ISO week label and its Monday; default: the last complete week in Asia/Ho_Chi_Minh."""
    if week is None:
        today = (now or dt.datetime.now(VN)).astimezone(VN).date()
        week = last_complete_week(today)
    year, number = parse_iso_week(week)
    return f"{year}-W{number:02d}", week_start(year, number)


def run_hotspots(settings: Settings, week: str | None = None, now: dt.datetime | None = None) -> HotspotSummary:
    """Compute and store one week's hot spots (replacing the week if it was computed before)."""
    label, monday = resolve_week(week, now)
    started = dt.datetime.now()
    with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
        refresh_story_index(store.con, dt.datetime.now(dt.timezone.utc))
        frame = compute(store.con, monday, settings.hotspots, as_of=now or dt.datetime.now(VN))
        frame = to_rows(frame, label, monday, now)
        hotspot_store.replace_hotspots(store.con, label, frame)
    levels = frame["level"].value_counts().to_dict()
    summary = HotspotSummary(label, len(frame), {str(k): int(v) for k, v in levels.items()},
                             (dt.datetime.now() - started).total_seconds())
    log.info("%s", summary)
    return summary


def compute(con, monday: dt.date, cfg: HotspotSettings, as_of: dt.datetime | None = None) -> pd.DataFrame:
    """All cells of the week starting `monday`, with baseline, p-value, score and level (the
    story index must be up to date: `store.detections.refresh_story_index`)."""
    return weekly_cells(con, monday, as_of or dt.datetime.now(VN), cfg)


def to_rows(frame: pd.DataFrame, label: str, monday: dt.date, now: dt.datetime | None) -> pd.DataFrame:
    computed_at = (now or dt.datetime.now(VN)).astimezone(dt.timezone.utc)
    rows = frame.assign(iso_week=label, week_start=monday, computed_at=computed_at)
    for column in ("documents", "stories", "sources"):
        rows[column] = rows[column].astype("int64")
    rows["level"] = rows["level"].astype(object).where(rows["level"].notna(), None)
    return rows
