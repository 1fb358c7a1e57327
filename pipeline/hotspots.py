"""Weekly hot spots: which topic x province cells are unusual against the place's own history.

For an ISO week (Asia/Ho_Chi_Minh) and every cell: documents, distinct stories (a story cluster
counts once), distinct sources. The score is the tail probability of this week's stories under
a negative-binomial model of the cell's trailing `baseline_weeks` weeks:

* expected rate  lambda = (trailing story sum + k * prior) / (weeks + k)
  where the prior is the topic's national weekly rate times the province's share of all stories.
  A quiet cell (zeros and ones) keeps a small but non-zero expectation, so a sudden wave there
  is very improbable, while a big city's steady high count is expected.
* variance = lambda + phi * lambda^2, phi pooled over the week's busy cells (median of their
  method-of-moments estimates, never below `dispersion_floor`): big cells fluctuate more than
  Poisson, and one cell's eight weeks are too few to estimate its own spread.
* a cell flagged the week before keeps that week's expectation, so a burst that goes on is
  judged against the quiet weeks before it, not against its own first week.

A cell is flagged when it has at least `min_stories` stories and p <= `max_p_value`.
Levels: new (flagged, no history at all), rising (flagged, not flagged the week before),
persistent (flagged this week and the week before), cooling (flagged the week before, not now).
The week before is judged by the same model in the same query, so recomputing any week alone
gives the same answer.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from core.settings import HotspotSettings, Settings
from core.timeutil import VN, last_complete_week, parse_iso_week, week_start
from store import open_writer
from store import hotspots as hotspot_store

log = logging.getLogger(__name__)
FLAGGED_LEVELS = ("new", "rising", "persistent")


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
        frame = compute(store.con, monday, settings.hotspots)
        frame = to_rows(frame, label, monday, now)
        hotspot_store.replace_hotspots(store.con, label, frame)
    levels = frame["level"].value_counts().to_dict()
    summary = HotspotSummary(label, len(frame), {str(k): int(v) for k, v in levels.items()},
                             (dt.datetime.now() - started).total_seconds())
    log.info("%s", summary)
    return summary


def compute(con, monday: dt.date, cfg: HotspotSettings) -> pd.DataFrame:
    """All cells of the week starting `monday`, with baseline, p-value, score and level."""
    cells = hotspot_store.hotspot_cell_stats(con, monday, cfg.baseline_weeks)
    first_day = hotspot_store.first_published_day(con)
    if cells.empty:
        return _empty()
    before = _score(cells[cells.t == 1].copy(), _history_weeks(first_day, monday, 1, cfg), cfg)
    now = _score(cells[cells.t == 0].copy(), _history_weeks(first_day, monday, 0, cfg), cfg, before)
    return _levels(pd.concat([now, before]))


def _history_weeks(first_day: dt.date | None, monday: dt.date, t: int, cfg: HotspotSettings) -> int:
    """Weeks of data before target week t (0 = this week, 1 = the one before), at most baseline_weeks:
    a database that started three weeks ago has three weeks of history, not eight weeks of zeros."""
    if first_day is None:
        return 0
    first_monday = first_day - dt.timedelta(days=first_day.weekday())
    target = monday - dt.timedelta(weeks=t)
    return int(max(0, min(cfg.baseline_weeks, (target - first_monday).days // 7)))


def _score(cells: pd.DataFrame, weeks: int, cfg: HotspotSettings, before: pd.DataFrame | None = None) -> pd.DataFrame:
    """Expected rate, tail probability, score and flag for one target week.

    When `before` (the previous week, already scored) flagged a cell, that week is a burst, not
    history: the cell keeps the previous week's expectation, so a burst that goes on for a second
    week is still judged against the quiet weeks before it (and becomes `persistent`)."""
    x = cells["stories"].to_numpy(float)
    if weeks == 0:
        cells["baseline"] = np.nan
        cells["p_value"] = np.nan
        cells["score"] = np.nan
        cells["flagged"] = False
        return cells
    hist_sum = cells["hist_sum"].to_numpy(float)
    mean = hist_sum / weeks
    var = np.maximum((cells["hist_sumsq"].to_numpy(float) - weeks * mean**2) / max(weeks - 1, 1), 0.0)
    all_hist = cells["all_hist"].to_numpy(float)
    share = np.divide(cells["province_hist"].to_numpy(float), all_hist, out=np.zeros_like(all_hist), where=all_hist > 0)
    prior = cells["topic_hist"].to_numpy(float) / weeks * share
    k = cfg.prior_weeks
    lam = np.maximum((hist_sum + k * prior) / (weeks + k), 0.05)
    if before is not None:
        earlier = before.set_index(["topic", "province"]).reindex(pd.MultiIndex.from_frame(cells[["topic", "province"]]))
        burst_before = earlier["flagged"].fillna(False).to_numpy(bool)
        lam = np.where(burst_before, earlier["baseline"].to_numpy(float), lam)
    phi = _pooled_dispersion(mean, var, cfg.dispersion_floor)
    variance = lam + phi * lam**2
    p = _tail_probability(x, lam, variance)
    cells["baseline"] = lam
    cells["p_value"] = p
    cells["score"] = np.minimum(-np.log10(np.maximum(p, 1e-300)), 300.0)
    cells["flagged"] = (x >= cfg.min_stories) & (p <= cfg.max_p_value) & (weeks >= cfg.min_history_weeks)
    return cells


def _pooled_dispersion(mean: np.ndarray, var: np.ndarray, floor: float) -> float:
    """Extra-Poisson variance shared by busy cells (method of moments, median so one burst in
    one cell's history does not move everybody's threshold)."""
    busy = mean >= 2
    if busy.sum() < 5:
        return floor
    return float(max(floor, np.median((var[busy] - mean[busy]) / mean[busy] ** 2)))


def _tail_probability(x: np.ndarray, lam: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """P(X >= x): negative binomial with the given mean and variance (Poisson when not over-dispersed)."""
    over = variance > lam * (1 + 1e-9)
    p = stats.poisson.sf(x - 1, lam)
    r = lam[over] ** 2 / (variance[over] - lam[over])
    p[over] = stats.nbinom.sf(x[over] - 1, r, r / (r + lam[over]))
    return np.where(x <= 0, 1.0, p)


def _levels(scored: pd.DataFrame) -> pd.DataFrame:
    now = scored[scored.t == 0].set_index(["topic", "province"])
    before = scored[scored.t == 1].set_index(["topic", "province"])["flagged"].reindex(now.index, fill_value=False)
    level = np.select(
        [now.flagged & (now.hist_sum == 0), now.flagged & before, now.flagged, ~now.flagged & before],
        ["new", "persistent", "rising", "cooling"],
        default=None,
    )
    now = now.assign(level=level).reset_index()
    keep = (now.stories > 0) | now.level.notna()
    return now[keep].drop(columns=["t", "flagged"]).reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["topic", "province", "documents", "stories", "sources", "baseline",
                                 "p_value", "score", "level", "hist_sum"])


def to_rows(frame: pd.DataFrame, label: str, monday: dt.date, now: dt.datetime | None) -> pd.DataFrame:
    computed_at = (now or dt.datetime.now(VN)).astimezone(dt.timezone.utc)
    rows = frame.assign(iso_week=label, week_start=monday, computed_at=computed_at)
    for column in ("documents", "stories", "sources"):
        rows[column] = rows[column].astype("int64")
    rows["level"] = rows["level"].astype(object).where(rows["level"].notna(), None)
    return rows
