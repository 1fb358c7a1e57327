"""An hourly simulated news timeline for measuring how soon a wave is detected.

Extends `bench.simulate` to hours: cells keep their weekly rates (a few big cities carry most
of the news, gamma-Poisson week to week), and each story gets a publication time following the
press's rhythm (fewer on weekends, little at night). In the evaluated weeks, bursts of
`burst_size` extra stories spread over 1 to `max_burst_days` days are planted in quiet cells
(under 0.5 stories a week) and busy ones (2 to 6 a week), one burst per cell. Every story is
reported by one to three outlets within hours, and each report is fetched 5 to 60 minutes after
it is published (polling).

`replay_rolling` runs the rolling detector every hour over the evaluated weeks, exactly as a
cycle would (documents published and fetched by then, episodes opened and closed), and
`replay_weekly` runs the weekly detector when the schedule would (Monday 06:30). `score_timeline`
turns either into recall, false alarms per 100 quiet cell-weeks and latency from the burst's
first and third story.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.settings import HotspotSettings
from core.timeutil import VN
from bench.simulate import SimulationSpec, _cell_rates

DAY_SHARE = np.array([1.10, 1.10, 1.08, 1.08, 1.04, 0.85, 0.70])            # Monday .. Sunday
HOUR_SHARE = np.array([0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.7, 1.2, 1.5, 1.5, 1.4, 1.3,
                       1.0, 0.9, 1.2, 1.3, 1.3, 1.2, 1.0, 1.0, 0.9, 0.8, 0.6, 0.3])
QUIET_RATE, BUSY_RATES = 0.5, (2.0, 6.0)
WEEKLY_CRON = dt.timedelta(hours=6, minutes=30)  # the weekly table is computed Monday 06:30
DETECTED_WITHIN = dt.timedelta(days=8)  # after a burst's last story a detection is still about it (the weekly table comes up to 7 days 6.5 hours later)


@dataclass(frozen=True)
class HourlySpec:
    first_monday: dt.date = dt.date(2026, 5, 4)  # 2026-W19
    history_weeks: int = 10
    evaluated_weeks: int = 6
    stories_per_week: float = 600.0
    dispersion: float = 0.1
    bursts_per_week: int = 12                     # half in quiet cells, half in busy ones
    burst_size: int = 8                           # extra stories per burst
    max_burst_days: int = 4
    n_sources: int = 40
    seed: int = 7

    @property
    def evaluated_start(self) -> dt.datetime:
        return _midnight(self.first_monday + dt.timedelta(weeks=self.history_weeks))

    @property
    def evaluated_end(self) -> dt.datetime:
        return self.evaluated_start + dt.timedelta(weeks=self.evaluated_weeks)


@dataclass
class HourlySimulation:
    spec: HourlySpec
    items: pd.DataFrame      # doc_id, source, published_at, fetched_at, topic, province, story_id
    rates: pd.DataFrame      # topic, province, rate
    bursts: pd.DataFrame     # topic, province, kind (quiet/busy), days, first, third, last (publication times)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=VN)


def simulate_hourly(spec: HourlySpec = HourlySpec()) -> HourlySimulation:
    rng = np.random.default_rng(spec.seed)
    rates = _cell_rates(SimulationSpec(stories_per_week=spec.stories_per_week), rng)
    weeks = spec.history_weeks + spec.evaluated_weeks
    story_cells, story_times = [], []
    for w in range(weeks):
        gamma = rng.gamma(1 / spec.dispersion, spec.dispersion, len(rates))
        n = rng.poisson(rates["rate"].to_numpy() * gamma)
        cells = np.repeat(np.arange(len(rates)), n)
        story_cells.append(cells)
        story_times.append(_press_times(rng, _midnight(spec.first_monday + dt.timedelta(weeks=w)), len(cells)))
    bursts = _plant_bursts(spec, rates, rng)
    for b in bursts.itertuples():
        story_cells.append(np.full(len(b.times), b.cell))
        story_times.append(np.array(b.times, dtype="datetime64[s]"))
    cells = np.concatenate(story_cells)
    times = np.concatenate(story_times)
    items = _reports(rng, spec, rates, cells, times)
    return HourlySimulation(spec, items, rates, bursts.drop(columns=["cell", "times"]))


def _press_times(rng, monday: dt.datetime, n: int) -> np.ndarray:
    """`n` publication times in the week starting `monday`, following the press's rhythm."""
    day = rng.choice(7, n, p=DAY_SHARE / DAY_SHARE.sum())
    hour = rng.choice(24, n, p=HOUR_SHARE / HOUR_SHARE.sum())
    seconds = day * 86400 + hour * 3600 + rng.integers(0, 3600, n)
    return np.datetime64(monday.astimezone(dt.timezone.utc).replace(tzinfo=None), "s") + seconds.astype("timedelta64[s]")


def _plant_bursts(spec: HourlySpec, rates: pd.DataFrame, rng) -> pd.DataFrame:
    quiet = np.flatnonzero(rates.rate.to_numpy() < QUIET_RATE)
    busy = np.flatnonzero((rates.rate.to_numpy() >= BUSY_RATES[0]) & (rates.rate.to_numpy() < BUSY_RATES[1]))
    per_kind = spec.bursts_per_week // 2
    n = per_kind * spec.evaluated_weeks
    chosen = {"quiet": rng.choice(quiet, min(n, len(quiet)), replace=False),
              "busy": rng.choice(busy, min(n, len(busy)), replace=False)}
    rows = []
    hour_p = HOUR_SHARE / HOUR_SHARE.sum()
    for kind, cells in chosen.items():
        for i, cell in enumerate(cells):
            week = i % spec.evaluated_weeks
            days = int(rng.integers(1, spec.max_burst_days + 1))
            start = spec.evaluated_start + dt.timedelta(weeks=week, seconds=float(rng.uniform(0, 7 * 86400)))
            start = min(start, spec.evaluated_end - dt.timedelta(days=days + 2))
            times = sorted(_burst_times(rng, start, days, spec.burst_size, hour_p))
            rows.append({"cell": int(cell), "topic": rates.topic.iloc[cell], "province": rates.province.iloc[cell],
                         "kind": kind, "rate": float(rates.rate.iloc[cell]), "days": days, "times": times,
                         "first": times[0], "third": times[2], "last": times[-1]})
    frame = pd.DataFrame(rows)
    for column in ("first", "third", "last"):
        frame[column] = pd.to_datetime(frame[column]).dt.tz_localize("UTC").dt.tz_convert(VN)
    return frame


def _burst_times(rng, start: dt.datetime, days: int, n: int, hour_p: np.ndarray) -> list[np.datetime64]:
    """`n` times within `days` days from `start`, daytime more likely (rejection sampling)."""
    origin = np.datetime64(start.astimezone(dt.timezone.utc).replace(tzinfo=None), "s")
    found: list[np.datetime64] = []
    while len(found) < n:
        offset = float(rng.uniform(0, days * 86400))
        local_hour = (start + dt.timedelta(seconds=offset)).astimezone(VN).hour
        if rng.random() < hour_p[local_hour] / hour_p.max():
            found.append(origin + np.timedelta64(int(offset), "s"))
    return found


def _reports(rng, spec: HourlySpec, rates: pd.DataFrame, cells: np.ndarray, times: np.ndarray) -> pd.DataFrame:
    """One to three outlets report each story within a few hours; each report is fetched 5-60
    minutes after it is published."""
    outlets = rng.choice([1, 2, 3], len(cells), p=[0.6, 0.3, 0.1])
    story = np.repeat(np.arange(len(cells)), outlets)
    later = np.where(np.r_[True, story[1:] != story[:-1]], 0, rng.integers(600, 4 * 3600, len(story)))
    published = times[story] + later.astype("timedelta64[s]")
    fetched = published + rng.integers(300, 3600, len(story)).astype("timedelta64[s]")
    return pd.DataFrame({
        "doc_id": [f"sim{i:08d}" for i in range(len(story))],
        "source": [f"outlet-{s}" for s in rng.integers(0, spec.n_sources, len(story))],
        "published_at": pd.to_datetime(published).tz_localize("UTC").tz_convert(VN),
        "fetched_at": pd.to_datetime(fetched).tz_localize("UTC").tz_convert(VN),
        "topic": rates.topic.to_numpy()[cells[story]],
        "province": rates.province.to_numpy()[cells[story]],
        "story_id": [f"story{i:08d}" for i in story],
    })


# ---------------------------------------------------------------- replaying the detectors

class IndexCounts:
    """The model's input at any moment, built in memory from the story index (the same numbers
    `pipeline.detect.read_counts` gets from SQL; a test pins that), so a benchmark can detect
    every hour of six weeks quickly."""

    def __init__(self, index: pd.DataFrame, cfg: HotspotSettings):
        self.cfg = cfg
        self.cells = index[["topic", "province"]].drop_duplicates().sort_values(["topic", "province"]).reset_index(drop=True)
        key = index.merge(self.cells.reset_index(), on=["topic", "province"])["index"].to_numpy()
        order = np.argsort(index["published_at"].to_numpy())
        self.cell = key[order]
        self.published = _epoch(index["published_at"])[order]
        self.fetched = _epoch(index["fetched_at"])[order]

    def at(self, end: dt.datetime, as_of: dt.datetime):
        from pipeline.detect import Counts, grid_days, monday_of

        days = grid_days(self.cfg)
        end_s, as_of_s = end.timestamp(), as_of.timestamp()
        lo, hi = np.searchsorted(self.published, [end_s - days * 86400, end_s])
        sel = slice(lo, hi)
        seen = self.fetched[sel] <= as_of_s
        back = np.minimum(np.floor((end_s - self.published[sel][seen]) / 86400).astype(int), days - 1)
        cells_here = self.cell[sel][seen]
        present = np.unique(cells_here)
        remap = np.full(len(self.cells), -1)
        remap[present] = np.arange(len(present))
        blocks = np.zeros((len(present), days))
        np.add.at(blocks, (remap[cells_here], back), 1.0)
        how = np.bincount(((np.floor((self.published[sel][seen] + 25200 - 345600) / 3600)) % 168).astype(int),
                          minlength=168).astype(float)
        visible = self.fetched <= as_of_s
        first = self.published[visible].min() if visible.any() else None
        start = monday_of(dt.datetime.fromtimestamp(first, dt.timezone.utc)) if first is not None else None
        return Counts(end, as_of, self.cells.iloc[present].reset_index(drop=True), blocks, how, start)


def _epoch(column: pd.Series) -> np.ndarray:
    return ((pd.to_datetime(column, utc=True) - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)).to_numpy(float)


def replay_rolling(index: pd.DataFrame, spec: HourlySpec, cfg: HotspotSettings,
                   step: dt.timedelta = dt.timedelta(hours=1)) -> pd.DataFrame:
    """Detect every `step` over the evaluated weeks, carrying episodes like the detect stage;
    returns every episode opened (topic, province, opened_at, window_hours, stories)."""
    from pipeline.detect import advance_episodes, score

    source = IndexCounts(index, cfg)
    episodes = pd.DataFrame()
    opened_all = []
    # A week of warm-up: waves already going on when the evaluated weeks start are not opened then.
    now = spec.evaluated_start - dt.timedelta(weeks=1)
    next_id = 1
    while now <= spec.evaluated_end + DETECTED_WITHIN:
        rows = score(source.at(now, now), cfg.windows_hours, cfg, cfg.rolling_max_p_value)
        rows["newest_story_at"] = pd.NaT
        changed, opened = advance_episodes(episodes, rows, now, cfg.episode_close_hours)
        if len(opened):
            opened = opened.assign(episode_id=range(next_id, next_id + len(opened)))
            next_id += len(opened)
            opened_all.append(opened)
        frames = [f for f in (changed, opened) if len(f)]
        episodes = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if len(episodes):
            episodes = episodes[episodes.closed_at.isna()].reset_index(drop=True)
        now += step
    if not opened_all:
        return pd.DataFrame(columns=["topic", "province", "opened_at", "window_hours", "stories"])
    found = pd.concat(opened_all, ignore_index=True)
    return found[["topic", "province", "opened_at", "open_window_hours", "open_stories"]].rename(
        columns={"open_window_hours": "window_hours", "open_stories": "stories"})


def replay_weekly(con, spec: HourlySpec, cfg: HotspotSettings) -> pd.DataFrame:
    """The weekly table of every evaluated week, computed when the schedule would (Monday 06:30):
    flagged cells with that moment as their detection time."""
    from pipeline.detect import FLAGGED_LEVELS, weekly_cells

    found = []
    for w in range(spec.evaluated_weeks):
        monday = (spec.evaluated_start + dt.timedelta(weeks=w)).date()
        when = _midnight(monday + dt.timedelta(weeks=1)) + WEEKLY_CRON
        table = weekly_cells(con, monday, when, cfg)
        flagged = table[table.level.isin(FLAGGED_LEVELS)]
        found.append(pd.DataFrame({"topic": flagged.topic, "province": flagged.province, "opened_at": when,
                                   "window_hours": 168, "stories": flagged.stories}))
    return pd.concat(found, ignore_index=True)


@dataclass
class TimelineScore:
    bursts: pd.DataFrame          # each planted burst with detected_at and latencies (hours)
    false_alarms: int
    quiet_cell_weeks: int
    by: dict = field(default_factory=dict)

    @property
    def false_alarms_per_100(self) -> float:
        return 100.0 * self.false_alarms / self.quiet_cell_weeks if self.quiet_cell_weeks else 0.0


def score_timeline(sim: HourlySimulation, detections: pd.DataFrame) -> TimelineScore:
    """Match detections to bursts: a burst is found by the first detection in its cell between its
    first story and 48 hours after its last one; any other detection is a false alarm. Quiet
    cell-weeks are the evaluated cell-weeks no burst touches."""
    spec = sim.spec
    bursts = sim.bursts.copy()
    detections = detections.sort_values("opened_at")
    used = np.zeros(len(detections), bool)
    found_at = []
    for b in bursts.itertuples():
        hit = ((detections.topic == b.topic) & (detections.province == b.province)
               & (detections.opened_at >= b.first) & (detections.opened_at <= b.last + DETECTED_WITHIN)).to_numpy()
        if hit.any():
            i = int(np.flatnonzero(hit)[0])
            used[i] = True
            found_at.append(detections.opened_at.iloc[i])
        else:
            found_at.append(pd.NaT)
        # Any detection in the burst's cell while it is going on is about the burst.
        used |= ((detections.topic == b.topic) & (detections.province == b.province)
                 & (detections.opened_at >= b.first) & (detections.opened_at <= b.last + DETECTED_WITHIN)).to_numpy()
    bursts["detected_at"] = pd.to_datetime(pd.Series(found_at, dtype="object"), utc=True).dt.tz_convert(VN)
    hours = pd.Timedelta(hours=1)
    bursts["latency_first_h"] = (bursts.detected_at - bursts["first"]) / hours
    bursts["latency_third_h"] = (bursts.detected_at - bursts["third"]) / hours
    in_period = (detections.opened_at >= spec.evaluated_start) & (detections.opened_at < spec.evaluated_end)
    false = int((~used & in_period.to_numpy()).sum())
    touched = set()
    for b in bursts.itertuples():
        week = b.first
        while week <= b.last + DETECTED_WITHIN:
            touched.add((b.topic, b.province, int((week - spec.evaluated_start) // pd.Timedelta(weeks=1))))
            week += pd.Timedelta(days=1)
    quiet = len(sim.rates) * spec.evaluated_weeks - len(touched)
    return TimelineScore(bursts, false, quiet)


def summarize(score: TimelineScore) -> dict:
    """Recall, false alarms and latency (median, 90th percentile) overall and per cell kind."""
    def part(frame: pd.DataFrame) -> dict:
        found = frame[frame.detected_at.notna()]
        out = {"bursts": int(len(frame)), "detected": int(len(found)),
               "recall": round(len(found) / len(frame), 3) if len(frame) else None}
        for name in ("latency_first_h", "latency_third_h"):
            values = found[name].to_numpy(float)
            out[name] = {"median": round(float(np.median(values)), 1), "p90": round(float(np.percentile(values, 90)), 1)} \
                if len(values) else None
        return out

    result = part(score.bursts)
    result["by_kind"] = {kind: part(frame) for kind, frame in score.bursts.groupby("kind")}
    result["false_alarms"] = score.false_alarms
    result["quiet_cell_weeks"] = score.quiet_cell_weeks
    result["false_alarms_per_100_quiet"] = round(score.false_alarms_per_100, 3)
    return result
