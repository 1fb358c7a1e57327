"""All stages once, in order: the `dulun run` pass and the offline `dulun demo`.

Both walk dulun.stages.PIPELINE; each stage's entry point opens and releases the single
writer itself.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rich.console import Console

from core.settings import Settings
from core.timeutil import VN, Clock, last_complete_week, local_today, week_label, week_range
from dulun.stages import ALERTS, CRAWL, DETECT, HOTSPOTS, PIPELINE, WEEKLY_DIGEST, Moment, Stage


@dataclass
class StageOutcome:
    stage: str
    summary: object


@dataclass
class PassReport:
    outcomes: list[StageOutcome] = field(default_factory=list)

    def add(self, stage: str, summary: object) -> None:
        self.outcomes.append(StageOutcome(stage, summary))


def run_once(
    settings: Settings,
    now: dt.datetime | None = None,
    sources: list[str] | None = None,
    sources_file: Path | None = None,
    console: Console | None = None,
) -> PassReport:
    """crawl -> enrich -> detect -> hot spots -> daily digest (yesterday) -> weekly digest ->
    alerts, the weekly ones for the last complete week.

    The crawl stamps what it fetches on its own clock (from `now`, default the real time); the
    cycle after it runs at one moment, when the crawl ended, so detection and alerts count what
    it fetched. With `now` (a replay), that clock starts then and runs on at the speed of real
    time."""
    clock = Clock(now)
    narrowed = {"sources": sources, "sources_file": sources_file}
    report = PassReport()
    step = _stepper(console or Console(stderr=True), report)
    crawl_at = Moment.at(clock.now(), **narrowed)
    step(_title(CRAWL, crawl_at), lambda: CRAWL.run(settings, crawl_at))
    at = Moment.at(clock.now(), **narrowed)
    at = at.with_week(last_complete_week(local_today(at.now)))
    for stage in PIPELINE:
        if stage is not CRAWL:
            step(_title(stage, at), lambda stage=stage: stage.run(settings, at))
    return report


def _title(stage: Stage, at: Moment) -> str:
    return f"{stage.name} {at.week}" if stage in (HOTSPOTS, WEEKLY_DIGEST) and at.week else stage.name


def _stepper(console: Console, report: PassReport) -> Callable[[str, Callable[[], object]], object]:
    def step(name: str, work: Callable[[], object]) -> object:
        with console.status(f"[bold]{name}[/] ..."):
            started = dt.datetime.now()
            summary = work()
        seconds = (dt.datetime.now() - started).total_seconds()
        console.print(f"[green]✓[/] {name} ({seconds:.1f} s): {_describe(summary)}", highlight=False)
        report.add(name, summary)
        return summary

    return step


def _describe(summary: object) -> str:
    if isinstance(summary, list):
        return "; ".join(_describe(s) for s in summary) or "nothing to do"
    if hasattr(summary, "describe"):
        return summary.describe()
    if type(summary).__str__ is not object.__str__:
        return str(summary)
    if dataclasses.is_dataclass(summary):
        # Only what happened: zero counts and empty maps are noise on a terminal.
        fields = {k: v for k, v in dataclasses.asdict(summary).items() if v not in (0, 0.0, None, {}, [], "")}
        return " ".join(f"{k}={_short(v)}" for k, v in fields.items())
    return str(summary)


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    return str(value)


def demo_settings(settings: Settings) -> Settings:
    """The demo crawls a local fixture site: no politeness delays needed against 127.0.0.1."""
    crawl = settings.crawl.model_copy(update={"download_delay": 0.0, "autothrottle": False, "retries": 1,
                                              "timeout_s": 10.0})
    return settings.model_copy(update={"crawl": crawl})


REPLAY_DAYS = 14
CYCLE_LAG = dt.timedelta(minutes=10)


def run_demo(settings: Settings, now: dt.datetime | None = None, console: Console | None = None) -> PassReport:
    """Serve the bundled fixture site on 127.0.0.1 and replay its last two weeks on a simulated
    clock: the real spiders poll it every hour (polls that would find nothing are skipped), the
    documents are enriched, and the cycle's detection and alerts run for every hour of those two
    weeks, counting only what was published and fetched by then. Then the rest of the pipeline
    (every week's hot spots, the digests), and when each alert fired relative to the planted
    wave's stories."""
    from crawlers.api import crawl
    from crawlers.demo_site.server import DEMO_ADDRESS, DEMO_NOW, serve_demo_site

    console = console or Console(stderr=True)
    settings = demo_settings(settings)
    now = now or DEMO_NOW
    start = now - dt.timedelta(days=REPLAY_DAYS)
    today = local_today(now)
    at = Moment.at(now, day=today - dt.timedelta(days=1), week=last_complete_week(today))
    report = PassReport()
    step = _stepper(console, report)
    with serve_demo_site(address=DEMO_ADDRESS) as site:
        console.print(f"fixture site {site.base_url} served by {site.proxy_url}", highlight=False)
        polls = site.polls(start, now)
        step(f"{CRAWL.name}: {len(polls)} hourly polls from {_short_time(start)} to {_short_time(now)}",
             lambda: crawl(settings, sources_file=site.sources_file, proxy=site.proxy_url, cycles=polls))
        # What the fixture meant each item to be about: notebook 3 scores the model against it.
        shutil.copyfile(site.expected_file, settings.database.parent / "demo_expected.json")
        expected = site.expected
    for stage in PIPELINE:
        if stage in (CRAWL, ALERTS):
            continue  # the crawl was the replay's polls; alerts run in every replayed cycle
        if stage is DETECT:
            # A cycle's detection and alerts run after its poll, crawl and enrichment: ten
            # minutes after the hour, every hour of the replay.
            step(f"{DETECT.name} and {ALERTS.name} every hour for {REPLAY_DAYS} days",
                 lambda: replay_cycles(settings, start + CYCLE_LAG, now))
            continue
        if stage is HOTSPOTS:
            # Every week of the fixture, oldest first: levels (persistent, cooling) look at the week before.
            for week in week_range(week_label(first_published_day(settings) or today), at.week):
                step(_title(stage, at.with_week(week)), lambda week=week: stage.run(settings, at.with_week(week)))
            continue
        step(_title(stage, at), lambda stage=stage: stage.run(settings, at))
    _print_alert_timeline(console, settings, expected)
    _print_where(console, settings)
    return report


@dataclass
class ReplaySummary:
    cycles: int = 0
    episodes_opened: int = 0
    alerts: int = 0
    suppressed: int = 0

    def __str__(self) -> str:
        return (f"{self.cycles} cycles: {self.episodes_opened} waves opened, {self.alerts} alerts made"
                + (f" ({self.suppressed} held back by a cooldown)" if self.suppressed else "") + ".")


def replay_cycles(settings: Settings, start: dt.datetime, end: dt.datetime,
                  every: dt.timedelta = dt.timedelta(hours=1)) -> ReplaySummary:
    """Detect and alert at every moment from `start` to `end`, as the cycle would have (what
    `dulun hotspots --now T` and `dulun alerts --now T` do, one moment after another)."""
    from pipeline.alerts import replay_alerts
    from store import open_reader
    from store.detections import episodes_since

    moments = []
    while start + len(moments) * every <= end:
        moments.append(start + len(moments) * every)
    summary = ReplaySummary()
    for alerted in replay_alerts(settings, moments):  # each detects at its moment first
        summary.cycles += 1
        summary.alerts += alerted.created
        summary.suppressed += alerted.suppressed
    with open_reader(settings.database) as store:
        episodes = episodes_since(store.con)
    summary.episodes_opened = int((episodes.opened_at >= start).sum()) if len(episodes) else 0
    return summary


def _print_alert_timeline(console: Console, settings: Settings, expected: dict) -> None:
    """Each alert the board received, when, and how long after the stories of its wave: the
    stories the pipeline counted (its story clusters) and the stories the fixture planted."""
    from pipeline.alerts.listing import alert_rows
    from store import open_reader
    from store.detections import cell_first_reports

    console.print()
    console.print("[bold]When each alert fired[/] (simulated clock: hourly polls, detection 10 minutes after each)")
    for row in alert_rows(settings):
        detected = dt.datetime.fromisoformat(row["detected_at"])
        if row["kind"] == "unanswered":
            raised = dt.datetime.fromisoformat(row["raised_at"])
            console.print(f"  {_short_time(detected)}  {row['kind']:<10} {row['rule']}: {row['topic']} · {row['province']} "
                          f"(raised {_short_time(raised)}, no answer after {row['window']}: {row['headline']}; "
                          f"{row['delivery']})", highlight=False)
            continue
        console.print(f"  {_short_time(detected)}  {row['kind']:<9} {row['rule']}: {row['topic']} · {row['province']} "
                      f"({row['stories']} stories in {row['window']}; {row['delivery']})", highlight=False)
        wave = planted_stories(expected, row["topic"], row["province"])
        if row["kind"] != "opened" or not wave:
            continue
        with open_reader(settings.database) as store:
            counted = cell_first_reports(store.con, row["topic"], row["province"], wave[0] - dt.timedelta(days=7),
                                         wave[-1] + dt.timedelta(seconds=1))
            weekly = first_weekly_flag(store.con, row["topic"], row["province"])
        for label, stories in (("stories counted (first reports)", counted), ("planted wave's stories", wave)):
            console.print(f"      {label}: {', '.join(_short_time(t) for t in stories)}", highlight=False)
            if len(stories) >= 3:
                console.print(f"        -> fired {_hours(detected - stories[2])} the 3rd of these, "
                              f"{_hours(detected - stories[0])} the 1st", highlight=False)
        if weekly is not None:
            console.print(f"      the weekly table (Monday 06:30) first showed it {_short_time(weekly)}, "
                          f"{_hours(weekly - detected).replace('after', 'later')}", highlight=False)


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} h after" if hours >= 0 else f"{-hours:.1f} h before"


def first_weekly_flag(con, topic: str, province: str) -> dt.datetime | None:
    """When the weekly table (computed Monday 06:30) first flagged this cell."""
    from store.hotspots import first_flagged_week

    monday = first_flagged_week(con, topic, province)
    if monday is None:
        return None
    return dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(6, 30), tzinfo=VN)


def planted_stories(expected: dict, topic: str, province: str) -> list[dt.datetime]:
    """First publication time of each story of the fixture's planted wave in this cell, in order."""
    planted = [p for p in expected.get("planted", []) if p["topic"] == topic and p["province"] == province]
    if not planted:
        return []
    weeks = set(planted[0]["weeks"])
    first: dict[str, dt.datetime] = {}
    for item in expected["items"]:
        if item["week"] in weeks and topic in item["topics"] and province in item["provinces"]:
            when = dt.datetime.fromisoformat(item["published"])
            first[item["story"]] = min(first.get(item["story"], when), when)
    return sorted(first.values())


def _short_time(moment: dt.datetime) -> str:
    local = moment.astimezone(VN)
    return f"{('T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'CN')[local.weekday()]} {local:%d/%m %H:%M}"


def first_published_day(settings: Settings) -> dt.date | None:
    from store import open_reader
    from store.hotspots import first_published_day as first_day

    with open_reader(settings.database) as store:
        return first_day(store.con)


def workbench_command(settings: Settings, now: dt.datetime) -> str:
    """The one command that opens the workbench on this database, its clock pinned to `now`."""
    env = "" if settings.data_dir == Path("data") and settings.db_path is None else f"DULUN_DATA_DIR={settings.data_dir} "
    if settings.db_path is not None:
        env += f"DULUN_DB_PATH={settings.db_path} "
    return f"{env}.venv/bin/dulun serve --now {now.isoformat()}"


def _print_where(console: Console, settings: Settings) -> None:
    console.print()
    console.print("[bold]Where everything is[/]")
    console.print(f"  database        {settings.database}  (dulun status)", highlight=False)
    console.print(f"  digests         {settings.digest_dir}/", highlight=False)
    console.print(f"  alerts (file)   {settings.alert_outbox_dir}/", highlight=False)
    console.print(f"  models          {settings.model_dir}/", highlight=False)
    console.print("  notebooks       notebooks/  (make notebooks)", highlight=False)
