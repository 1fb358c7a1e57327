"""A simulated news timeline with planted bursts of known size in known cells.

Shared by the detector's test and its benchmark: every topic x province cell gets a weekly
story rate (a few big cities carry most of the news, most cells are quiet), weekly counts are
over-dispersed (gamma-Poisson, like real news), and in the evaluated weeks some cells get a
burst of extra stories. Each story is reported by one to three outlets. We then ask the
detector which cell-weeks it flags and score recall of the planted bursts and false alarms per
100 quiet cell-weeks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.settings import HotspotSettings
from core.taxonomy import TOPICS
from core.timeutil import VN, week_label

# The 34 provincial units (short names), biggest news producers first.
PROVINCES = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Đồng Nai", "Khánh Hòa",
             "Quảng Ninh", "Nghệ An", "Thanh Hóa", "Huế", "Bắc Ninh", "Hưng Yên", "Ninh Bình",
             "Lâm Đồng", "Đắk Lắk", "Gia Lai", "Quảng Ngãi", "An Giang", "Vĩnh Long", "Đồng Tháp",
             "Cà Mau", "Tây Ninh", "Phú Thọ", "Thái Nguyên", "Lào Cai", "Tuyên Quang", "Lạng Sơn",
             "Cao Bằng", "Điện Biên", "Lai Châu", "Sơn La", "Hà Tĩnh", "Quảng Trị")


@dataclass(frozen=True)
class SimulationSpec:
    first_monday: dt.date = dt.date(2026, 5, 4)  # 2026-W19
    history_weeks: int = 10                       # before the evaluated weeks
    evaluated_weeks: int = 6
    stories_per_week: float = 600.0               # the whole country, all topics
    dispersion: float = 0.1                       # gamma-Poisson extra variance (phi)
    bursts_per_week: int = 10
    two_week_share: float = 0.3                   # bursts that carry on into the next week
    burst_min_extra: int = 8                      # a burst adds max(min_extra, factor * rate) stories
    burst_factor: float = 2.0
    n_sources: int = 40
    seed: int = 7


@dataclass
class Simulation:
    spec: SimulationSpec
    items: pd.DataFrame              # one row per document: doc_id, source, published_at, topic, province, story_id
    rates: pd.DataFrame              # topic, province, rate (stories per week)
    bursts: pd.DataFrame             # iso_week, week_start, topic, province, extra
    evaluated: list[tuple[str, dt.date]] = field(default_factory=list)


def simulate(spec: SimulationSpec = SimulationSpec()) -> Simulation:
    rng = np.random.default_rng(spec.seed)
    rates = _cell_rates(spec, rng)
    weeks = [spec.first_monday + dt.timedelta(weeks=i) for i in range(spec.history_weeks + spec.evaluated_weeks)]
    evaluated = weeks[spec.history_weeks:]
    bursts = _plant_bursts(spec, rates, evaluated, rng)
    counts = []
    for monday in weeks:
        gamma = rng.gamma(1 / spec.dispersion, spec.dispersion, len(rates))
        n = rng.poisson(rates["rate"].to_numpy() * gamma)
        counts.append(pd.DataFrame({"week_start": monday, "topic": rates.topic, "province": rates.province, "stories": n}))
    counts = pd.concat(counts, ignore_index=True)
    counts = counts.merge(bursts[["week_start", "topic", "province", "extra"]], how="left", on=["week_start", "topic", "province"])
    counts["stories"] += counts["extra"].fillna(0).astype(int)
    items = _stories_to_items(counts[counts.stories > 0], spec, rng)
    return Simulation(spec, items, rates, bursts, [(week_label(m), m) for m in evaluated])


def _cell_rates(spec: SimulationSpec, rng: np.random.Generator) -> pd.DataFrame:
    province_weight = 1.0 / np.arange(1, len(PROVINCES) + 1) ** 1.1  # Zipf-like: big cities dominate
    topic_weight = rng.uniform(0.4, 1.6, len(TOPICS))
    weights = np.outer(topic_weight, province_weight)
    weights /= weights.sum()
    topic, province = np.meshgrid(np.arange(len(TOPICS)), np.arange(len(PROVINCES)), indexing="ij")
    return pd.DataFrame({
        "topic": np.array(TOPICS)[topic.ravel()],
        "province": np.array(PROVINCES)[province.ravel()],
        "rate": (weights * spec.stories_per_week).ravel(),
    })


def _plant_bursts(spec, rates, evaluated, rng) -> pd.DataFrame:
    """Each burst goes to a cell that has had no burst before: a cell that keeps bursting is
    judged against its own bursty history, which is a different question."""
    rows = []
    cells = rng.choice(len(rates), spec.bursts_per_week * len(evaluated), replace=False)
    for w, monday in enumerate(evaluated):
        for cell in cells[w * spec.bursts_per_week:(w + 1) * spec.bursts_per_week]:
            extra = int(max(spec.burst_min_extra, round(spec.burst_factor * rates.rate.iloc[cell])))
            weeks = [w, w + 1] if rng.random() < spec.two_week_share and w + 1 < len(evaluated) else [w]
            for i in weeks:
                rows.append({"iso_week": week_label(evaluated[i]), "week_start": evaluated[i],
                             "topic": rates.topic.iloc[cell], "province": rates.province.iloc[cell], "extra": extra})
    return pd.DataFrame(rows)


def _stories_to_items(counts: pd.DataFrame, spec: SimulationSpec, rng) -> pd.DataFrame:
    """Each story gets 1-3 documents from distinct outlets, published within its week."""
    story_week = np.repeat(counts.week_start.to_numpy(), counts.stories.to_numpy())
    story_topic = np.repeat(counts.topic.to_numpy(), counts.stories.to_numpy())
    story_province = np.repeat(counts.province.to_numpy(), counts.stories.to_numpy())
    n_stories = len(story_week)
    outlets = rng.choice([1, 2, 3], n_stories, p=[0.6, 0.3, 0.1])
    story_index = np.repeat(np.arange(n_stories), outlets)
    offsets = rng.uniform(0, 7 * 86400 - 1, n_stories)
    item_offset = np.minimum(offsets[story_index] + rng.uniform(0, 86400, len(story_index)), 7 * 86400 - 1)
    base = pd.to_datetime(pd.Series(story_week[story_index])).dt.tz_localize(VN)
    return pd.DataFrame({
        "doc_id": [f"sim{i:08d}" for i in range(len(story_index))],
        "source": [f"outlet-{s}" for s in rng.integers(0, spec.n_sources, len(story_index))],
        "published_at": base + pd.to_timedelta(item_offset, unit="s"),
        "topic": story_topic[story_index],
        "province": story_province[story_index],
        "story_id": [f"story{i:08d}" for i in story_index],
    })


@dataclass
class DetectionScore:
    planted: int
    detected: int
    quiet_cells: int
    false_alarms: int

    @property
    def recall(self) -> float:
        return self.detected / self.planted if self.planted else 1.0

    @property
    def false_alarms_per_100(self) -> float:
        return 100.0 * self.false_alarms / self.quiet_cells if self.quiet_cells else 0.0

    def as_dict(self) -> dict:
        return {"planted": self.planted, "detected": self.detected, "recall": round(self.recall, 4),
                "quiet_cell_weeks": self.quiet_cells, "false_alarms": self.false_alarms,
                "false_alarms_per_100_quiet": round(self.false_alarms_per_100, 3)}


def score_detector(con, sim: Simulation, cfg: HotspotSettings) -> DetectionScore:
    """Run the detector on every evaluated week of a simulation loaded into `con`."""
    from pipeline.hotspots import FLAGGED_LEVELS, compute
    from store.detections import refresh_story_index

    refresh_story_index(con, dt.datetime.now(dt.timezone.utc))
    planted = set(zip(sim.bursts.iso_week, sim.bursts.topic, sim.bursts.province))
    detected = false_alarms = 0
    for label, monday in sim.evaluated:
        result = compute(con, monday, cfg)
        flagged = result[result.level.isin(FLAGGED_LEVELS)]
        hits = {(label, t, p) for t, p in zip(flagged.topic, flagged.province)}
        detected += len(hits & planted)
        false_alarms += len(hits - planted)
    all_cells = len(sim.rates) * len(sim.evaluated)
    return DetectionScore(len(planted), detected, all_cells - len(planted), false_alarms)
