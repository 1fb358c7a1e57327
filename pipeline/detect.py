"""Hot spots now: which topic x province cells are unusual over trailing windows ending at a moment.

One model serves the rolling detection (every cycle: windows of 24 h, 72 h and 7 days ending
now) and the weekly table (the 7-day window ending Sunday 24:00, Asia/Ho_Chi_Minh). It is the
weekly negative-binomial model of `pipeline.hotspots`, written for any window:

* Counting. A story counts once per cell, at its first report there (`store.detections`), and
  only once that report was published before the window's end and fetched by `as_of`.
* Time grid. Everything is counted in 24-hour blocks back from `end`: block 0 is the 24 hours
  ending at `end`. A window of L days is blocks 0..L-1.
* History. Every window's history is the `baseline_weeks` weeks ending where the 7-day window
  starts, so a wave up to a week old is judged against the quiet time before it, never against
  its own first days. A database that started recently has only the days it has.
* The press's rhythm. Fewer items appear on Sundays and holidays and at night. A window's
  exposure is the share of an ordinary week's stories that falls in its hours, from the whole
  corpus's stories by day of week x hour of day (separable, lightly smoothed toward flat), with
  a public holiday weighted like a Sunday. A 7-day window without a holiday has exposure 1.
* Rate. r = (history stories + k * prior) / (history exposure + k), the prior being the topic's
  national rate times the province's share of all stories (quiet cells keep a small, non-zero
  expectation); expected stories in a window = max(r, 0.05) * its exposure.
* Spread. variance = mu + phi * mu^2 with phi pooled over busy cells (median of method-of-moments
  estimates from the history cut into windows of the same length, never below the floor).
* A wave older than a week. When the 7-day window that ended a week before `end` was itself
  flagged, the cell keeps that window's rate, so a wave that goes on is still judged against the
  quiet time before it (`persistent`).
* Flag: at least `min_stories` stories, tail probability <= the threshold, enough history.
  Levels: new (flagged, no history), rising, persistent (flagged now and in the week before),
  cooling (flagged the week before, not now).

With whole weeks and no holiday this is exactly the weekly model: the weekly table comes out of
`weekly_cells` and the tests of `pipeline.hotspots` pin it.

Episodes (`advance_episodes`): one wave in one cell is one episode, opened by the first run that
flags the cell and closed once no window has been flagged for `episode_close_hours`. Alerts are
about episodes (pipeline.alerts).
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from core.settings import HotspotSettings, Settings
from core.timeutil import VN, vn_holidays
from store import detections as store
from store import open_writer

log = logging.getLogger(__name__)
DAY = dt.timedelta(days=1)
WEEK_DAYS = 7
FLAGGED_LEVELS = ("new", "rising", "persistent")
MIN_EXPECTED_PER_WEEK = 0.05
# Pseudo-counts pulling the rhythm toward flat: a young database has not seen enough weeks.
DOW_PSEUDO, HOUR_PSEUDO = 50.0, 20.0


def window_name(hours: int) -> str:
    """A window in the words of the digest and the alerts: "24 giờ", "3 ngày", "7 ngày"."""
    return f"{hours} giờ" if hours < 72 else f"{hours // 24} ngày"


# ---------------------------------------------------------------- what the model reads

@dataclass
class Counts:
    """Stories first reported per cell in each 24-hour block back from `end`, and the corpus's
    stories by hour of the week over the same days."""

    end: dt.datetime
    as_of: dt.datetime
    cells: pd.DataFrame            # topic, province; row i is blocks[i]
    blocks: np.ndarray             # [cells, days], float
    hour_of_week: np.ndarray       # [168]
    data_start: dt.datetime | None  # Monday 00:00 of the first published document's week

    @property
    def days(self) -> int:
        return self.blocks.shape[1]


def grid_days(cfg: HotspotSettings) -> int:
    """Blocks the model needs: this week, the week before (for `persistent`), and each one's history."""
    return WEEK_DAYS * (cfg.baseline_weeks + 2)


def read_counts(con, end: dt.datetime, as_of: dt.datetime, cfg: HotspotSettings) -> Counts:
    days = grid_days(cfg)
    frame = store.cell_day_counts(con, end, as_of, days)
    cells = frame[["topic", "province"]].drop_duplicates().sort_values(["topic", "province"]).reset_index(drop=True)
    blocks = np.zeros((len(cells), days))
    if len(frame):
        row = frame.merge(cells.reset_index(), on=["topic", "province"])["index"].to_numpy()
        np.add.at(blocks, (row, frame["back"].to_numpy()), frame["stories"].to_numpy(float))
    how = np.zeros(168)
    by_hour = store.hour_of_week_counts(con, end - days * DAY, end, as_of)
    how[by_hour["how"].to_numpy(int)] = by_hour["stories"].to_numpy(float)
    return Counts(end, as_of, cells, blocks, how, monday_of(store.first_published(con, as_of)))


def monday_of(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or pd.isna(moment):
        return None
    day = pd.Timestamp(moment).tz_convert(VN).date()
    return dt.datetime.combine(day - dt.timedelta(days=day.weekday()), dt.time(0), tzinfo=VN)


# ---------------------------------------------------------------- the press's rhythm

def rhythm(hour_of_week: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Day-of-week (Monday first) and hour-of-day shares, each summing to 1."""
    n = np.asarray(hour_of_week, float).reshape(7, 24)
    total = n.sum()
    dow = (n.sum(1) + DOW_PSEUDO) / (total + 7 * DOW_PSEUDO)
    hod = (n.sum(0) + HOUR_PSEUDO) / (total + 24 * HOUR_PSEUDO)
    return dow, hod


def block_exposure(end: dt.datetime, days: int, hour_of_week: np.ndarray) -> np.ndarray:
    """Each 24-hour block's share of an ordinary week's stories (a week of blocks sums to 1,
    less when it holds a holiday, which is weighted like a Sunday)."""
    dow, hod = rhythm(hour_of_week)
    # The middle of every hour back from `end`, in local (UTC+7) seconds since 1970-01-01.
    local = end.timestamp() + 7 * 3600 - (np.arange(days * 24) + 0.5) * 3600
    day_number = np.floor(local / 86400).astype(int)
    weekday = (day_number + 3) % 7  # 1970-01-01 was a Thursday
    hour = np.floor((local % 86400) / 3600).astype(int)
    epoch = dt.date(1970, 1, 1)
    first, last = epoch + dt.timedelta(days=int(day_number.min())), epoch + dt.timedelta(days=int(day_number.max()))
    holidays = [(day - epoch).days for day in vn_holidays(first, last)]
    if holidays:
        weekday = np.where(np.isin(day_number, holidays), 6, weekday)
    return (dow[weekday] * hod[hour]).reshape(days, 24).sum(1)


# ---------------------------------------------------------------- scoring

@dataclass
class _Target:
    """One scoring of every cell for windows ending `offset` days before `end`."""

    history_days: int
    hist_sum: np.ndarray
    rate: np.ndarray                       # smoothed stories per ordinary week
    windows: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)


def history_days(counts: Counts, offset_days: int, cfg: HotspotSettings) -> int:
    """Days of history before the 7-day window ending `offset_days` before `end` (at most the
    baseline): a database that started three weeks ago has three weeks, not eight of zeros."""
    if counts.data_start is None:
        return 0
    history_end = counts.end - (offset_days + WEEK_DAYS) * DAY
    available = int((history_end - counts.data_start) // DAY)
    return max(0, min(WEEK_DAYS * cfg.baseline_weeks, available))


def score_target(counts: Counts, exposure: np.ndarray, windows_days: Sequence[int], offset_days: int,
                 cfg: HotspotSettings, max_p: float, before: _Target | None = None) -> _Target:
    days = history_days(counts, offset_days, cfg)
    first = offset_days + WEEK_DAYS
    history = counts.blocks[:, first:first + days]
    hist_sum = history.sum(1)
    target = _Target(days, hist_sum, np.full(len(hist_sum), np.nan))
    if days > 0:
        weeks = exposure[first:first + days].sum()
        target.rate = _smoothed_rate(counts.cells, hist_sum, weeks, cfg.prior_weeks)
    for L in windows_days:
        x = counts.blocks[:, offset_days:offset_days + L].sum(1)
        result = {"stories": x, "baseline": np.full(len(x), np.nan), "p_value": np.full(len(x), np.nan),
                  "flagged": np.zeros(len(x), bool)}
        if days > 0:
            w = exposure[offset_days:offset_days + L].sum()
            lam = np.maximum(target.rate, MIN_EXPECTED_PER_WEEK) * w
            if before is not None:  # a wave older than a week keeps the rate from before it
                burst = before.windows[WEEK_DAYS]["flagged"]
                lam = np.where(burst, np.maximum(before.rate, MIN_EXPECTED_PER_WEEK) * w, lam)
            phi = pooled_dispersion(history[:, :days - days % L], exposure[first:first + days - days % L], L,
                                    cfg.dispersion_floor)
            p = tail_probability(x, lam, lam + phi * lam**2)
            # A week holds seven 24-hour windows but one 7-day window: each length gets the same
            # false-alarm budget per week, so shorter windows need a smaller tail probability.
            threshold = max_p * L / WEEK_DAYS
            result.update(baseline=lam, p_value=p,
                          flagged=(x >= cfg.min_stories) & (p <= threshold) & (days >= WEEK_DAYS * cfg.min_history_weeks))
        result["score"] = np.minimum(-np.log10(np.maximum(result["p_value"], 1e-300)), 300.0)
        target.windows[L] = result
    return target


def _smoothed_rate(cells: pd.DataFrame, hist_sum: np.ndarray, weeks: float, prior_weeks: float) -> np.ndarray:
    """Stories per ordinary week: the cell's own history, shrunk toward the topic's national
    rate times the province's share of all stories."""
    topic = pd.factorize(cells["topic"])[0]
    province = pd.factorize(cells["province"])[0]
    topic_hist = np.bincount(topic, hist_sum)[topic]
    province_hist = np.bincount(province, hist_sum)[province]
    all_hist = hist_sum.sum()
    share = province_hist / all_hist if all_hist > 0 else np.zeros_like(province_hist)
    prior = topic_hist / weeks * share if weeks > 0 else np.zeros_like(share)
    return (hist_sum + prior_weeks * prior) / (weeks + prior_weeks)


def pooled_dispersion(history: np.ndarray, exposure: np.ndarray, window_days: int, floor: float) -> float:
    """Extra-Poisson variance shared by busy cells, from the history cut into windows of the
    given length (method of moments against each window's exposure; the median, so one burst in
    one cell's history does not move everybody's threshold)."""
    n = history.shape[1] // window_days
    if n < 2:
        return floor
    c = history[:, :n * window_days].reshape(len(history), n, window_days).sum(2)
    e = exposure[:n * window_days].reshape(n, window_days).sum(1)
    mu = c.sum(1, keepdims=True) / e.sum() * e[None, :]
    busy = c.mean(1) >= 2
    if busy.sum() < 5:
        return floor
    c, mu = c[busy], mu[busy]
    spread = ((c - mu) ** 2).sum(1) / (n - 1)
    estimate = (spread - mu.mean(1)) / (mu**2).mean(1)
    return float(max(floor, np.median(estimate)))


def tail_probability(x: np.ndarray, lam: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """P(X >= x): negative binomial with the given mean and variance (Poisson when not over-dispersed)."""
    x, lam, variance = (np.asarray(a, float) for a in (x, lam, variance))
    over = variance > lam * (1 + 1e-9)
    p = stats.poisson.sf(x - 1, lam)
    r = lam[over] ** 2 / (variance[over] - lam[over])
    p[over] = stats.nbinom.sf(x[over] - 1, r, r / (r + lam[over]))
    return np.where(x <= 0, 1.0, p)


def score(counts: Counts, windows_hours: Sequence[int], cfg: HotspotSettings, max_p: float) -> pd.DataFrame:
    """Every cell and window at `counts.end`: stories, expected, p-value, score, flagged, and the
    cell's level and best window (the most significant flagged one, else the most significant).
    Cells with no story in any window and no level are left out. Rows are sorted by topic,
    province and window, every kept cell having one row per window."""
    exposure = block_exposure(counts.end, counts.days, counts.hour_of_week)
    windows_days = sorted({h // 24 for h in windows_hours})
    before = score_target(counts, exposure, [WEEK_DAYS], WEEK_DAYS, cfg, max_p)
    now = score_target(counts, exposure, windows_days, 0, cfg, max_p, before=before)
    n, k = len(counts.cells), len(windows_days)
    if n == 0:
        return _empty()
    stack = {name: np.column_stack([now.windows[L][name] for L in windows_days])
             for name in ("stories", "baseline", "p_value", "score", "flagged")}
    was_flagged = before.windows[WEEK_DAYS]["flagged"]
    flagged_now = stack["flagged"].any(1)
    level = np.select([flagged_now & (now.hist_sum == 0), flagged_now & was_flagged, flagged_now,
                       ~flagged_now & was_flagged], ["new", "persistent", "rising", "cooling"], default="")
    rank = np.where(stack["flagged"], 0.0, 10.0) + np.nan_to_num(stack["p_value"], nan=5.0)
    best = np.zeros((n, k), bool)
    best[np.arange(n), rank.argmin(1)] = True
    keep = (stack["stories"].max(1) > 0) | (level != "")
    order = counts.cells.assign(_i=np.arange(n))[keep].sort_values(["topic", "province"])["_i"].to_numpy()
    rows = pd.DataFrame({
        "topic": np.repeat(counts.cells["topic"].to_numpy()[order], k),
        "province": np.repeat(counts.cells["province"].to_numpy()[order], k),
        "window_hours": np.tile(np.array(windows_days) * 24, len(order)),
        **{name: values[order].ravel() for name, values in stack.items()},
        "level": np.repeat(np.where(level == "", None, level).astype(object)[order], k),
        "hist_sum": np.repeat(now.hist_sum[order], k),
        "history_days": now.history_days,
        "best": best[order].ravel(),
    })
    rows["stories"] = rows["stories"].astype(int)
    return rows


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"topic": pd.Series(dtype=object), "province": pd.Series(dtype=object),
                         "window_hours": pd.Series(dtype=int), "stories": pd.Series(dtype=int),
                         "baseline": pd.Series(dtype=float), "p_value": pd.Series(dtype=float),
                         "score": pd.Series(dtype=float), "flagged": pd.Series(dtype=bool),
                         "level": pd.Series(dtype=object), "hist_sum": pd.Series(dtype=float),
                         "history_days": pd.Series(dtype=int), "best": pd.Series(dtype=bool)})


# ---------------------------------------------------------------- the weekly table

def weekly_cells(con, monday: dt.date, as_of: dt.datetime, cfg: HotspotSettings) -> pd.DataFrame:
    """The ISO week starting `monday`: the 7-day window ending Sunday 24:00, scored like every
    window, with each cell's documents and sources that week."""
    end = dt.datetime.combine(monday + dt.timedelta(days=WEEK_DAYS), dt.time(0), tzinfo=VN)
    rows = score(read_counts(con, end, as_of, cfg), [WEEK_DAYS * 24], cfg, cfg.max_p_value)
    docs = store.window_documents(con, end - WEEK_DAYS * DAY, end, as_of)
    rows = rows.merge(docs[["topic", "province", "documents", "sources"]], on=["topic", "province"], how="left")
    for column in ("documents", "sources"):
        rows[column] = rows[column].fillna(0).astype("int64")
    return rows.drop(columns=["window_hours", "best", "flagged", "history_days"])


# ---------------------------------------------------------------- rolling detection, as a stage

@dataclass
class DetectSummary:
    detected_at: str
    cells: int
    flagged: list[str]
    opened: int = 0
    closed: int = 0
    index: str = ""
    seconds: float = 0.0
    episodes_advanced: bool = True

    def __str__(self) -> str:
        shown = "; ".join(self.flagged) if self.flagged else "nothing unusual"
        note = "" if self.episodes_advanced else " (an earlier moment than the last run: episodes left as they were)"
        return (f"Detection at {self.detected_at}: {self.cells} cells, {len(self.flagged)} flagged ({shown}); "
                f"episodes {self.opened} opened, {self.closed} closed{note}.")


def detect_now(con, now: dt.datetime, cfg: HotspotSettings) -> pd.DataFrame:
    """Rolling detection at `now` (windows ending now, documents published and fetched by now),
    with documents, sources and the newest story's time for flagged cells."""
    rows = score(read_counts(con, now, now, cfg), cfg.windows_hours, cfg, cfg.rolling_max_p_value)
    flagged = rows[rows.flagged]
    details = store.window_details(con, now, now, list(zip(flagged.topic, flagged.province, flagged.window_hours)))
    rows = rows.merge(details.astype({"window_hours": rows.window_hours.dtype}),
                      on=["topic", "province", "window_hours"], how="left")
    rows["documents"] = rows["documents"].astype("Int64")
    rows["sources"] = rows["sources"].astype("Int64")
    rows["newest_story_at"] = pd.to_datetime(rows["newest_story_at"], utc=True)
    return rows


def run_detect(settings: Settings, now: dt.datetime | None = None) -> DetectSummary:
    """The detect stage: bring the story index up to date, detect at `now` (default: the real
    time), store the run and advance the episodes."""
    now = (now or dt.datetime.now(VN)).astimezone(VN)
    with open_writer(settings.database, settings.lock_timeout_s, create=False) as writer:
        summary = detect_and_record(writer.con, now, settings.hotspots)
    log.info("%s", summary)
    return summary


def later_moment_seen(con, now: dt.datetime) -> bool:
    """Whether a detection already ran at a moment after `now`: replays go forward, so what
    follows from detection (episodes, alerts) is left alone at an earlier moment. The runs say
    it even when no episode was open to be updated then."""
    newest = store.newest_run_at(con)
    return newest is not None and pd.Timestamp(newest) > pd.Timestamp(now)


def detect_and_record(con, now: dt.datetime, cfg: HotspotSettings) -> DetectSummary:
    """`run_detect` on an open writer connection. Episodes move forward only: a replay of a
    moment earlier than the newest one they saw is computed and stored as the latest detection,
    but leaves the episodes (and so the alerts) of later moments alone."""
    started = time.perf_counter()
    refresh = store.refresh_story_index(con, dt.datetime.now(dt.timezone.utc))
    rows = detect_now(con, now, cfg)
    advanced = not later_moment_seen(con, now)
    store.record_run(con, now, rows, time.perf_counter() - started)
    changed = opened = pd.DataFrame()
    if advanced:
        changed, opened = advance_episodes(store.open_episodes(con), rows, now, cfg.episode_close_hours)
        store.save_episodes(con, changed, opened)
    best = rows[rows.best & rows.flagged] if len(rows) else rows
    return DetectSummary(
        now.isoformat(timespec="seconds"), int(rows.best.sum()) if len(rows) else 0,
        [f"{r.topic} {r.province} {r.stories} in {r.window_hours} h" for r in best.itertuples()],
        opened=len(opened), closed=int(changed["closed_at"].notna().sum()) if len(changed) else 0,
        index=refresh.mode, seconds=round(time.perf_counter() - started, 3), episodes_advanced=advanced)


# ---------------------------------------------------------------- episodes

def cell_states(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per cell: its best window and whether any window is flagged, with the stories of
    its longest window (`week_stories`: windows are nested, so that is the most)."""
    columns = ["topic", "province", "flagged", "level", "window_hours", "stories", "score", "week_stories",
               "newest_story_at"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    k = rows["window_hours"].nunique()
    best = rows[rows["best"].to_numpy()].reset_index(drop=True)
    flagged = rows["flagged"].to_numpy(bool).reshape(-1, k).any(1)
    week = rows["stories"].to_numpy().reshape(-1, k)[:, -1]
    newest = best["newest_story_at"] if "newest_story_at" in best else pd.Series(pd.NaT, index=best.index)
    return best.assign(flagged=flagged, week_stories=week, newest_story_at=newest)[columns]


def advance_episodes(open_eps: pd.DataFrame, rows: pd.DataFrame, now: dt.datetime,
                     close_after_hours: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Open episodes carried to `now` (updated, or closed after `close_after_hours` without a
    flag) and the episodes that open now (flagged cells without one). Pure: the benchmark and
    the stage share it."""
    open_records = open_eps.to_dict("records") if len(open_eps) else []
    open_keys = {(e["topic"], e["province"]) for e in open_records}
    states = cell_states(rows)
    wanted = states["flagged"].to_numpy(bool) | np.array(
        [key in open_keys for key in zip(states["topic"], states["province"])], bool)
    by_cell = {(s["topic"], s["province"]): s for s in states[wanted].to_dict("records")}
    changed = []
    for ep in open_records:
        state = by_cell.get((ep["topic"], ep["province"]))
        ep["updated_at"] = now
        if state is not None:
            ep.update(level=state["level"], window_hours=int(state["window_hours"]), stories=int(state["stories"]),
                      week_stories=int(state["week_stories"]), score=_float(state["score"]))
            ep["peak_week_stories"] = max(int(ep.get("peak_week_stories") or 0), int(state["week_stories"]))
        else:
            ep.update(level=None, stories=0, week_stories=0, score=None)
        if state is not None and bool(state["flagged"]):
            ep["last_flagged_at"] = now
        elif pd.Timestamp(now) - pd.Timestamp(ep["last_flagged_at"]) >= pd.Timedelta(hours=close_after_hours):
            ep["closed_at"] = now
        changed.append(ep)
    opened = []
    for (topic, province), state in by_cell.items():
        if (topic, province) in open_keys or not bool(state["flagged"]):
            continue
        tipping = state["newest_story_at"] if pd.notna(state["newest_story_at"]) else None
        opened.append({
            "episode_id": None, "topic": topic, "province": province, "opened_at": now,
            "tipping_published_at": tipping, "open_window_hours": int(state["window_hours"]),
            "open_stories": int(state["stories"]), "open_week_stories": int(state["week_stories"]),
            "last_flagged_at": now, "updated_at": now, "level": state["level"], "window_hours": int(state["window_hours"]),
            "stories": int(state["stories"]), "week_stories": int(state["week_stories"]),
            "peak_week_stories": int(state["week_stories"]), "score": _float(state["score"]), "closed_at": None,
        })
    return (pd.DataFrame(changed, columns=store.EPISODE_COLUMNS),
            pd.DataFrame(opened, columns=store.EPISODE_COLUMNS))


def _float(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
